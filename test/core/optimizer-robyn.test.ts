import { describe, expect, it } from 'vitest';
import { loadRobyn } from '../helpers/robyn.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { assembleFit } from '../../src/core/inference/fit-result.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';
import { responseModelFromFit } from '../../src/core/optimizer/response-model.ts';
import { optimizePlan } from '../../src/core/optimizer/plan.ts';
import { buildCurves } from '../../src/core/optimizer/curves.ts';
import { planDraws, reduceObjective, type Objective } from '../../src/core/optimizer/objective.ts';

// The Robyn demo fitted by the app's own fit job (in-process, fused kernel), then planned over
// the next 13 weeks at today's total budget.
describe('optimizer on the Robyn demo', () => {
  it('beats the current allocation in expectation, and a CVaR plan trades mean for a better low tail', async () => {
    const data = prepareModelData(loadRobyn(), DEFAULT_MODEL_SPEC);
    const settings = { ...DEFAULT_FIT_SETTINGS, chains: 4, warmup: 400, draws: 250, seed: 11, kernel: 'fused' as const, untilConverged: undefined };
    const runs = await runFitJob({ spec: DEFAULT_MODEL_SPEC, data, chainIds: [0, 1, 2, 3], settings, kernel: 'fused' }, () => performance.now());
    const fit = assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS: 1 });
    const model = responseModelFromFit(fit, data, { horizon: 13 });

    // the current plan is the last 13 weeks' spend; history is the 7 weeks before the horizon
    const C = data.C;
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let t = data.N - 13; t < data.N; t++) s += data.X[t * C + c] * data.spendMean[c];
      expect(model.current[c]).toBeCloseTo(s, 6);
      expect(model.history[6 * C + c]).toBeCloseTo(data.X[(data.N - 1) * C + c] * data.spendMean[c], 6);
    }
    expect(model.D).toBe(1000);

    const ev = await optimizePlan(model, { mode: { kind: 'fixedBudget' } });
    const risk: Objective = { kind: 'cvar', level: 0.1 };
    const cvar = await optimizePlan(model, { mode: { kind: 'fixedBudget' }, objective: risk });
    const cv = buildCurves(model, 'kpi');
    const all = Array.from({ length: model.D }, (_, i) => i);
    const tail = (x: number[]) => reduceObjective(risk, planDraws(cv, x, all).total);
    const total = model.current.reduce((a, b) => a + b, 0);
    const shares = (x: number[]) => x.map((v) => ((100 * v) / total).toFixed(1) + '%').join(' ');
    console.log(
      `Robyn, 13 weeks, budget ${total.toFixed(0)}; channels ${model.channels.join(' ')}\n` +
        `current     ${shares(Array.from(model.current))}\n` +
        `expected    ${shares(ev.recommended)}  gain ${ev.comparison.delta.mean.toFixed(0)} KPI (50% ${ev.comparison.delta.q25.toFixed(0)}..${ev.comparison.delta.q75.toFixed(0)}, 90% ${ev.comparison.delta.q05.toFixed(0)}..${ev.comparison.delta.q95.toFixed(0)}) = ${((100 * ev.comparison.delta.mean) / ev.comparison.base.mean).toFixed(1)}% of the media effect, P(beats current) ${ev.comparison.probBeatsBase.toFixed(3)}, CVaR10 ${tail(ev.recommended).toFixed(0)}\n` +
        `cvar 10%    ${shares(cvar.recommended)}  gain ${cvar.comparison.delta.mean.toFixed(0)} KPI (90% ${cvar.comparison.delta.q05.toFixed(0)}..${cvar.comparison.delta.q95.toFixed(0)}), P(beats current) ${cvar.comparison.probBeatsBase.toFixed(3)}, CVaR10 ${tail(cvar.recommended).toFixed(0)} (current ${tail(Array.from(model.current)).toFixed(0)})\n` +
        `history carryover into the horizon ${ev.comparison.historyCarryover.mean.toFixed(0)}; plan in horizon ${ev.comparison.inHorizon.mean.toFixed(0)}, after ${ev.comparison.afterHorizon.mean.toFixed(0)}\n` +
        `mROI at the recommendation ${ev.comparison.channels.map((c) => c.mroi.mean.toFixed(2)).join(' ')}\n` +
        `gates: expected [${ev.checks.map((c) => c.id).join(', ')}], cvar [${cvar.checks.map((c) => c.id).join(', ')}]`,
    );
    expect(ev.status).toBe('improved');
    expect(ev.comparison.delta.mean).toBeGreaterThan(0);
    expect(ev.comparison.probBeatsBase).toBeGreaterThan(0.5);
    // optimality (KKT): every channel strictly inside its bounds has the same marginal return,
    // and a channel cut to zero returns less at the margin
    const free = ev.comparison.channels.filter((c) => c.plan > 1e-3 * total);
    const m0 = free[0].mroi.mean;
    for (const c of free) expect(Math.abs(c.mroi.mean - m0) / m0).toBeLessThan(0.01);
    for (const c of ev.comparison.channels.filter((c) => c.plan <= 1e-3 * total)) expect(c.mroi.mean).toBeLessThan(m0);
    // the risk-aware plan differs, has the better low tail, and gives up some mean for it
    const moved = Math.max(...cvar.recommended.map((v, c) => Math.abs(v - ev.recommended[c]))) / total;
    expect(moved).toBeGreaterThan(0.02);
    expect(tail(cvar.recommended)).toBeGreaterThan(tail(ev.recommended));
    expect(cvar.comparison.plan.mean).toBeLessThanOrEqual(ev.comparison.plan.mean);
  }, 900_000);
});
