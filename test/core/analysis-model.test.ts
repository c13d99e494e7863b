import { describe, expect, it } from 'vitest';
import { analyseFit } from '../../src/core/analysis/analyse-fit.ts';
import { decomposeDraw, decompositionParts, mediaSeries } from '../../src/core/analysis/decomposition.ts';
import { channelMetrics, outcomeWeights } from '../../src/core/analysis/roi.ts';
import { steadyStateResponse } from '../../src/core/analysis/curves.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { fromParams, unconstrain, type ModelParams } from '../../src/core/model/constrain.ts';
import { prepareModelData, type ModelData } from '../../src/core/model/model-data.ts';
import { meanResponse } from '../../src/core/model/posterior.ts';
import { deriveChannels } from '../../src/core/model/derived.ts';
import { toDrawTable } from '../../src/core/model/draws.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { loadRobyn } from '../helpers/robyn.ts';

// The analysis against the model's own reference code (posterior.ts, derived.ts, draws.ts) on the
// real Robyn demo (208 weeks, 5 channels, a control and a 3-level factor) at random parameters.
const spec = DEFAULT_MODEL_SPEC;
const data = prepareModelData(loadRobyn(), spec);
const layout = buildLayout(spec, data);

function randomParams(rng: Rng): ModelParams {
  const C = data.C;
  const vec = (n: number, f: () => number) => Float64Array.from({ length: n }, f);
  return {
    intercept: rng.uniformIn(0.2, 0.8),
    trend: rng.uniformIn(-0.2, 0.2),
    fourier: vec(data.nF, () => rng.uniformIn(-0.1, 0.1)),
    beta: vec(C, () => rng.uniformIn(0.02, 0.5)),
    alpha: vec(C, () => rng.uniformIn(0.1, 0.9)),
    K: vec(C, () => Math.exp(rng.uniformIn(-0.7, 0.7))),
    S: vec(C, () => Math.exp(rng.uniformIn(-0.3, 1))),
    gamma: vec(data.K, () => rng.uniformIn(-0.3, 0.3)),
    sigma: 0.1,
  };
}

/** The data with channel c's weekly spend scaled by lambda, keeping the fitted model's spend normalisation. */
function scaledSpend(c: number, lambda: number): ModelData {
  const X = Float64Array.from(data.X, (v, i) => (i % data.C === c ? v * lambda : v));
  return { ...data, X };
}

describe('analysis agrees with the model on the Robyn demo', () => {
  const rng = new Rng(31);
  const draws = Array.from({ length: 5 }, () => randomParams(rng));

  it('the decomposition adds up to the fitted mean at every week of every draw', () => {
    const parts = decompositionParts(spec, data);
    expect(parts.map((p) => p.name)).toEqual([
      'intercept', 'trend', 'seasonality', 'competitor_sales_B', 'events=event1', 'events=event2',
      'tv_S', 'ooh_S', 'print_S', 'facebook_S', 'search_S',
    ]);
    for (const p of draws) {
      const dec = decomposeDraw(data, parts, p, mediaSeries(spec, data, p));
      const mu = meanResponse(spec, data, p);
      for (let t = 0; t < data.N; t++) {
        let s = 0;
        for (let i = 0; i < parts.length; i++) s += dec[i * data.N + t];
        expect(s).toBeCloseTo(mu[t] * data.yScale, 6); // KPI ~1e6: 1e-6 absolute is ~1e-12 relative
      }
    }
  });

  it('marginal ROI equals a central finite difference of the outcome when all weekly spend is scaled', () => {
    // per-week revenue per KPI, so the weights enter both sides
    const rpk = Float64Array.from({ length: data.N }, (_, t) => 1.5 + Math.sin(t / 9));
    const weights = outcomeWeights(rpk, 'count', data.N);
    const eps = 1e-5;
    for (const p of draws) {
      const m = channelMetrics(spec, data, p, mediaSeries(spec, data, p), weights);
      for (let c = 0; c < data.C; c++) {
        const outcome = (lambda: number) => {
          const perWeek = deriveChannels(spec, scaledSpend(c, lambda), p).perWeek;
          let s = 0;
          for (let t = 0; t < data.N; t++) s += perWeek[t * data.C + c] * rpk[t];
          return s;
        };
        const fd = (outcome(1 + eps) - outcome(1 - eps)) / (2 * eps * data.spendTotal[c]);
        expect(m.mroi[c] / fd, data.channels[c]).toBeCloseTo(1, 7);
        // at lambda = 1 the outcome is the ROI's numerator
        expect(m.roi[c]).toBeCloseTo(outcome(1) / data.spendTotal[c], 10);
      }
    }
  });

  it('ROI and contribution match the fit table columns of the same draws', () => {
    const unconstrained = new Float64Array(draws.length * layout.dim);
    draws.forEach((p, i) => unconstrained.set(unconstrain(layout, fromParams(layout, p)), i * layout.dim));
    const table = toDrawTable(spec, data, layout, unconstrained);
    const a = analyseFit(spec, data, { names: table.names, tables: [table] });
    const w = table.names.length;
    for (let i = 0; i < draws.length; i++) {
      data.channels.forEach((ch, c) => {
        const roiCol = table.names.indexOf(`roi[${ch}]`);
        const contribCol = table.names.indexOf(`contribution[${ch}]`);
        expect(a.draws.roi[i * data.C + c] / table.values[i * w + roiCol]).toBeCloseTo(1, 10);
        expect(a.draws.contribution[i * data.C + c] / table.values[i * w + contribCol]).toBeCloseTo(1, 10);
      });
    }
    expect(a.parts.reduce((s, p) => s + p.weekly.mean[100], 0) / a.fitted.mean[100]).toBeCloseTo(1, 12);
    expect(a.kpiKind).toBe('unspecified');
    expect(a.roiUnit).toBe('kpi-per-spend');
  });

  it('the steady-state response equals the contribution of spend held constant for L weeks', () => {
    const c = 0;
    const level = 1.3 * data.spendMean[c];
    const X = Float64Array.from(data.X, (v, i) => (i % data.C === c ? level / data.spendMean[c] : v));
    for (const p of draws) {
      const perWeek = deriveChannels(spec, { ...data, X }, p).perWeek;
      const curve = steadyStateResponse(spec, data, p, c, Float64Array.of(level));
      // from week L on, the adstock window is full
      expect(perWeek[(data.L + 5) * data.C + c] / curve[0]).toBeCloseTo(1, 12);
    }
  });
});
