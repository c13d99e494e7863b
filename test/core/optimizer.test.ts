import { describe, expect, it } from 'vitest';
import { syntheticResponseModel as syntheticModel, type SyntheticChannel } from '../../src/core/synthetic/response-model.ts';
import { buildCurves, channelParts, channelValue, type ChannelParts, type Curves } from '../../src/core/optimizer/curves.ts';
import { reduceObjective, type Objective } from '../../src/core/optimizer/objective.ts';
import { optimizePlan } from '../../src/core/optimizer/plan.ts';
import { geometricAdstock } from '../../src/core/transforms/adstock.ts';
import { hill } from '../../src/core/transforms/saturation.ts';
import type { ResponseModel } from '../../src/core/optimizer/response-model.ts';

const all = (D: number) => Array.from({ length: D }, (_, i) => i);

/** Exhaustive search over every plan on a grid of `n` steps of the total (lower bounds 0). */
function bruteForce(cv: Curves, o: Objective, total: number, n: number): { value: number; x: number[] } {
  const C = cv.C;
  const D = cv.D;
  // table[c][k][d]: channel c's value at k steps under draw d
  const table = Array.from({ length: C }, (_, c) =>
    Array.from({ length: n + 1 }, (_, k) => Float64Array.from(all(D), (d) => channelValue(cv, d, c, (k * total) / n))),
  );
  let best = { value: -Infinity, x: [] as number[] };
  const tot = new Float64Array(D);
  const visit = (c: number, left: number, ks: number[]) => {
    if (c === C - 1) {
      const k = [...ks, left];
      tot.fill(0);
      k.forEach((kc, cc) => table[cc][kc].forEach((v, d) => (tot[d] += v)));
      const v = reduceObjective(o, tot);
      if (v > best.value) best = { value: v, x: k.map((kc) => (kc * total) / n) };
      return;
    }
    for (let k = 0; k <= left; k++) visit(c + 1, left - k, [...ks, k]);
  };
  visit(0, n, []);
  return best;
}

const tv: SyntheticChannel = { name: 'tv', beta: 0.3, alpha: 0.6, K: 1, S: 1, scale: 100, weekly: 100 };
const search: SyntheticChannel = { name: 'search', beta: 0.15, alpha: 0.2, K: 0.5, S: 0.8, scale: 50, weekly: 80 };
// S-shaped: nothing below its threshold, a lot above it
const ooh: SyntheticChannel = { name: 'ooh', beta: 0.5, alpha: 0.3, K: 2.5, S: 3.5, scale: 60, weekly: 30 };

describe('optimizer vs brute-force grid search', () => {
  it('2 channels, concave curves: within 0.5% of the grid optimum', async () => {
    const m = syntheticModel([tv, search], { D: 100 });
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const total = m.current.reduce((a, b) => a + b, 0);
    const bf = bruteForce(buildCurves(m, 'kpi'), { kind: 'expected' }, total, 400);
    expect(r.objective.recommended).toBeGreaterThanOrEqual(bf.value * (1 - 0.005));
    expect(r.recommended.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 6);
  });

  it('3 channels with an S-shaped Hill curve: finds the global structure, within 0.5%', async () => {
    const m = syntheticModel([tv, search, ooh], { D: 80 });
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const total = m.current.reduce((a, b) => a + b, 0);
    const bf = bruteForce(buildCurves(m, 'kpi'), { kind: 'expected' }, total, 150);
    expect(r.objective.recommended).toBeGreaterThanOrEqual(bf.value * (1 - 0.005));
    // the threshold channel gets switched on past its threshold (the grid optimum does so too)
    expect(bf.x[2]).toBeGreaterThan(m.current[2]);
    expect(r.recommended[2]).toBeGreaterThan(m.current[2]);
    expect(r.status).toBe('improved');
  });

  it('3 channels, risk-aware (CVaR 10%): within 0.5% of brute force on the same objective', async () => {
    const m = syntheticModel([tv, { ...search, betaSd: 0.8 }, ooh], { D: 60 });
    const o: Objective = { kind: 'cvar', level: 0.1 };
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, objective: o });
    const total = m.current.reduce((a, b) => a + b, 0);
    const bf = bruteForce(buildCurves(m, 'kpi'), o, total, 120);
    expect(r.objective.recommended).toBeGreaterThanOrEqual(bf.value * (1 - 0.005));
  });
});

describe('never worse than the current plan', () => {
  it('returns the current plan, and says so, when every channel is locked', async () => {
    const m = syntheticModel([tv, search]);
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, bounds: { tv: { locked: true }, search: { locked: true } } });
    expect(r.status).toBe('current');
    expect(r.recommended).toEqual(Array.from(m.current));
    expect(r.checks.map((c) => c.id)).toContain('optimizer.no-improvement');
  });

  it('returns the current plan when it is already the optimum (two identical channels split evenly)', async () => {
    const m = syntheticModel([tv, tv], { D: 50 });
    // make the second channel's draws identical to the first's: the even split is optimal by symmetry
    for (let d = 0; d < m.D; d++) for (const p of [m.beta, m.alpha, m.K, m.S]) p[d * 2 + 1] = p[d * 2];
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    expect(r.objective.recommended).toBeGreaterThanOrEqual(r.objective.current);
    expect(Math.abs(r.recommended[0] - r.recommended[1])).toBeLessThan(1e-3 * m.current[0]);
    expect(r.checks.map((c) => c.id)).toContain('optimizer.no-improvement');
  });

  it('is never worse on the objective on random problems', async () => {
    for (let s = 0; s < 4; s++) {
      const m = syntheticModel([tv, search, ooh, { ...tv, name: 'radio', beta: 0.1 + 0.05 * s, S: 2 }], { D: 40, seed: 10 + s });
      for (const o of [{ kind: 'expected' }, { kind: 'quantile', level: 0.1 }] as Objective[]) {
        const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, objective: o, seed: s });
        expect(r.objective.recommended).toBeGreaterThanOrEqual(r.objective.current);
      }
    }
  });
});

describe('objective and outcome', () => {
  it('channelValue agrees with the reference adstock + Hill over history and horizon', () => {
    const m = syntheticModel([tv, ooh], { D: 3, H: 5, L: 4 });
    const cv = buildCurves(m, 'kpi');
    const B = 700;
    for (let d = 0; d < 3; d++) {
      for (let c = 0; c < 2; c++) {
        const i = d * 2 + c;
        const hist = [1, 2, 3].map((j) => m.history[(j - 1) * 2 + c] / m.spendScale[c]);
        const plan = Array.from({ length: 5 }, () => B / 5 / m.spendScale[c]);
        const tail = [0, 0, 0];
        const sum = (u: number[]) => geometricAdstock(u, m.alpha[i], 4).slice(3).reduce((s, a) => s + hill(a, m.K[i], m.S[i]), 0);
        const want = m.beta[i] * m.yScale * (sum([...hist, ...plan, ...tail]) - sum([...hist, 0, 0, 0, 0, 0, ...tail]));
        expect(channelValue(cv, d, c, B)).toBeCloseTo(want, 9);
      }
    }
  });

  it('mROI at the recommendation matches a finite difference of the mean value', async () => {
    const m = syntheticModel([tv, search, ooh], { D: 60 });
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const cv = buildCurves(m, 'kpi');
    r.recommended.forEach((x, c) => {
      const h = 1e-4 * x;
      const mean = (b: number) => all(m.D).reduce((s, d) => s + channelValue(cv, d, c, b), 0) / m.D;
      const fd = (mean(x + h) - mean(x - h)) / (2 * h);
      expect(r.comparison.channels[c].mroi.mean).toBeCloseTo(fd, 6);
    });
  });

  it('reports history carryover apart; the plan value splits into in-horizon and after-horizon', async () => {
    const m = syntheticModel([tv, search], { D: 50 });
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const c = r.comparison;
    expect(c.inHorizon.mean + c.afterHorizon.mean).toBeCloseTo(c.plan.mean, 6);
    expect(c.afterHorizon.mean).toBeGreaterThan(0);
    expect(c.historyCarryover.mean).toBeGreaterThan(0);
    const zero = await optimizePlan(m, { mode: { kind: 'fixedBudget', total: 0 } });
    expect(zero.comparison.historyCarryover.mean).toBeCloseTo(c.historyCarryover.mean, 9);
    expect(zero.comparison.plan.mean).toBe(0);
    // the hot path's split agrees with the plain per-channel one
    const cv = buildCurves(m, 'kpi');
    const parts = all(m.D).map((d) => r.recommended.map((x, ch) => channelParts(cv, d, ch, x)));
    const mean = (f: (p: ChannelParts) => number) => parts.reduce((s, ps) => s + ps.reduce((t, p) => t + f(p), 0), 0) / m.D;
    expect(c.inHorizon.mean).toBeCloseTo(mean((p) => p.inHorizon), 6);
    expect(c.afterHorizon.mean).toBeCloseTo(mean((p) => p.afterHorizon), 6);
    expect(c.historyCarryover.mean).toBeCloseTo(mean((p) => p.historyCarryover), 6);
    expect(c.delta.q95 - c.delta.q05).toBeGreaterThan(0);
  });

  it('a risk-aware plan moves budget away from a channel whose effect is uncertain', async () => {
    const safe: SyntheticChannel = { name: 'safe', beta: 0.3, alpha: 0.3, K: 1, S: 1, scale: 100, weekly: 100, betaSd: 0.05 };
    const risky: SyntheticChannel = { name: 'risky', beta: 0.3, alpha: 0.3, K: 1, S: 1, scale: 100, weekly: 100, betaSd: 1.0 };
    const m = syntheticModel([safe, risky], { D: 400 });
    const ev = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const cvar = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, objective: { kind: 'cvar', level: 0.1 } });
    // lognormal beta: the risky channel's mean is higher, its low tail far lower
    expect(ev.recommended[1]).toBeGreaterThan(ev.recommended[0]);
    expect(cvar.recommended[0]).toBeGreaterThan(cvar.recommended[1]);
    expect(cvar.recommended[0] - ev.recommended[0]).toBeGreaterThan(0.1 * m.current[0]);
    expect(cvar.objective.recommended).toBeGreaterThanOrEqual(cvar.objective.current);
  });
});

describe('modes and bounds', () => {
  it('respects locked channels, max change and min share', async () => {
    const m = syntheticModel([tv, search, ooh], { D: 40 });
    const r = await optimizePlan(m, {
      mode: { kind: 'fixedBudget' },
      bounds: { tv: { locked: true }, search: { maxChange: 0.2 }, ooh: { minShare: 0.1 } },
    });
    const total = m.current.reduce((a, b) => a + b, 0);
    expect(r.recommended[0]).toBeCloseTo(m.current[0], 6);
    expect(r.recommended[1]).toBeGreaterThanOrEqual(0.8 * m.current[1] - 1e-6);
    expect(r.recommended[1]).toBeLessThanOrEqual(1.2 * m.current[1] + 1e-6);
    expect(r.recommended[2]).toBeGreaterThanOrEqual(0.1 * total - 1e-6);
  });

  it('target ROI: the largest budget whose best plan still returns the target', async () => {
    const m = syntheticModel([tv, search], { D: 40 });
    const cur = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const roiNow = cur.objective.recommended / m.current.reduce((a, b) => a + b, 0);
    const want = roiNow * 0.8; // concave curves: ROI falls with budget, so the answer is above today's total
    const r = await optimizePlan(m, { mode: { kind: 'targetRoi', roi: want } });
    const total = r.recommended.reduce((a, b) => a + b, 0);
    expect(r.target!.achieved).toBeGreaterThanOrEqual(want);
    expect(total).toBeGreaterThan(m.current.reduce((a, b) => a + b, 0));
    const more = await optimizePlan(m, { mode: { kind: 'fixedBudget', total: total * 1.03 } });
    expect(more.objective.recommended / (total * 1.03)).toBeLessThan(want);
  });

  it('target marginal ROI: the marginal return at the answer is the target', async () => {
    const m = syntheticModel([tv, search], { D: 40 });
    const r = await optimizePlan(m, { mode: { kind: 'targetMroi', mroi: 0.5 } });
    for (const ch of r.comparison.channels) expect(ch.mroi.mean).toBeGreaterThan(0.45);
    expect(Math.min(...r.comparison.channels.map((c) => c.mroi.mean))).toBeLessThan(0.56);
  });

  it('rejects infeasible bounds and unknown channels with a clear message', async () => {
    const m = syntheticModel([tv, search]);
    await expect(optimizePlan(m, { mode: { kind: 'fixedBudget' }, bounds: { tv: { minShare: 0.7 }, search: { minShare: 0.5 } } })).rejects.toThrow(/minimum spends add up/);
    await expect(optimizePlan(m, { mode: { kind: 'fixedBudget' }, bounds: { radio: { locked: true } } })).rejects.toThrow(/"radio"/);
    await expect(optimizePlan(m, { mode: { kind: 'fixedBudget' }, metric: 'profit' })).rejects.toThrow(/revenue per KPI/);
  });
});

describe('sanity gates', () => {
  it('a flat channel fires optimizer.flat-response', async () => {
    const m = syntheticModel([tv, { ...search, name: 'flat', beta: 1e-7 }]);
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const g = r.checks.find((c) => c.id === 'optimizer.flat-response');
    expect(g?.title).toContain('flat');
    expect(r.checks.find((c) => c.id === 'optimizer.flat-response')!.title).not.toContain('tv');
  });

  it('an extrapolating plan fires optimizer.extrapolation', async () => {
    const m = syntheticModel([{ ...tv, maxWeekly: 110 }, { ...search, beta: 0.01 }]);
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    expect(r.recommended[0] / m.H).toBeGreaterThan(1.2 * 110);
    expect(r.checks.find((c) => c.id === 'optimizer.extrapolation')?.title).toContain('tv');
    const capped = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, bounds: { tv: { maxSpend: 1.2 * 110 * m.H } } });
    expect(capped.checks.map((c) => c.id)).not.toContain('optimizer.extrapolation');
  });

  it('large moves into a channel not identified fire optimizer.not-identified', async () => {
    const m = syntheticModel([tv, { ...search, beta: 0.6 }]);
    const identified = { tv: { identified: true, reasons: [] }, search: { identified: false, reasons: ['posterior of beta close to its prior'] } };
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, identified });
    expect(r.recommended[1]).toBeGreaterThan(1.25 * m.current[1]);
    expect(r.checks.find((c) => c.id === 'optimizer.not-identified')?.detail).toContain('close to its prior');
  });

  it('a gain resting on one uncertain channel fires optimizer.single-channel', async () => {
    const m = syntheticModel([tv, { ...search, beta: 0.5, betaSd: 1.2 }], { D: 300 });
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    expect(r.checks.find((c) => c.id === 'optimizer.single-channel')?.title).toContain('search');
  });
});

describe('metrics, flighting, progress and cancel', () => {
  it('revenue scales values, not the plan; profit subtracts spend, and target mROI 0 on profit is the profit-maximising budget', async () => {
    const base = syntheticModel([tv, search], { D: 40 });
    const m: ResponseModel = { ...base, revenuePerKpi: 2, margin: 0.5 };
    const kpi = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const rev = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, metric: 'revenue' });
    rev.recommended.forEach((v, c) => expect(v).toBeCloseTo(kpi.recommended[c], 0));
    expect(rev.objective.recommended).toBeCloseTo(2 * kpi.objective.recommended, 6);
    const profit = await optimizePlan(m, { mode: { kind: 'fixedBudget' }, metric: 'profit' });
    const spend = profit.recommended.reduce((a, b) => a + b, 0);
    expect(profit.objective.recommended).toBeCloseTo(kpi.objective.recommended - spend, 4);
    const best = await optimizePlan(m, { mode: { kind: 'targetMroi', mroi: 0 }, metric: 'profit' });
    const b = best.recommended.reduce((a, x) => a + x, 0);
    const near = await Promise.all([0.9, 1.1].map((f) => optimizePlan(m, { mode: { kind: 'fixedBudget', total: f * b }, metric: 'profit' })));
    for (const n of near) expect(n.objective.recommended).toBeLessThan(best.objective.recommended);
  });

  it('historical flighting takes each horizon week from the same week a year earlier', async () => {
    const { flightShares } = await import('../../src/core/optimizer/response-model.ts');
    // N = 60 weeks, H = 3: horizon weeks 60..62 map to weeks 8..10; channel 1 spent nothing there -> flat
    const spend = (t: number, c: number) => (c === 0 ? t : t >= 8 && t <= 10 ? 0 : 5);
    const f = flightShares('historical', 3, 2, 60, spend);
    expect(Array.from(f)).toEqual([8 / 27, 1 / 3, 9 / 27, 1 / 3, 10 / 27, 1 / 3]);
    // too short a history for a year-ago week: flat
    expect(Array.from(flightShares('historical', 2, 1, 30, spend))).toEqual([0.5, 0.5]);
  });

  it('reports progress up to 1 and stops with OptimizeCancelled when aborted', async () => {
    const m = syntheticModel([tv, search, ooh], { D: 100 });
    const seen: number[] = [];
    await optimizePlan(m, { mode: { kind: 'fixedBudget' } }, { onProgress: (f) => seen.push(f) });
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeGreaterThan(3);
    const ac = new AbortController();
    const run = optimizePlan(m, { mode: { kind: 'fixedBudget' } }, { signal: ac.signal, onProgress: () => ac.abort() });
    await expect(run).rejects.toMatchObject({ name: 'OptimizeCancelled' });
  });
});
