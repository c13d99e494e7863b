import { describe, expect, it } from 'vitest';
import { mape, rSquared, nrmse, intervalCoverage, fitMetrics } from '../../src/core/evaluation/metrics.ts';
import { posteriorPredictiveChecks, PPC_STATISTICS } from '../../src/core/evaluation/ppc.ts';
import { predictiveDraws, fitBand, type PredictiveDraws } from '../../src/core/evaluation/predictive.ts';
import { priorMoments, priorPosteriorContraction } from '../../src/core/evaluation/contraction.ts';
import { posteriorParams } from '../../src/core/evaluation/draws.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { fromParams } from '../../src/core/model/constrain.ts';
import { meanResponse } from '../../src/core/model/posterior.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';

describe('accuracy metrics on known series', () => {
  const actual = [100, 200, 0, 400];
  const pred = [110, 180, 5, 400];
  it('MAPE skips weeks with a zero KPI; R^2 and NRMSE by hand', () => {
    expect(mape(actual, pred)).toBeCloseTo((0.1 + 0.1 + 0) / 3, 12);
    // mean 175: SS_tot = 75^2 + 25^2 + 175^2 + 225^2 = 87500; SS_res = 100 + 400 + 25 + 0 = 525
    expect(rSquared(actual, pred)).toBeCloseTo(1 - 525 / 87500, 12);
    expect(nrmse(actual, pred)).toBeCloseTo(Math.sqrt(525 / 4) / 400, 12);
    expect(rSquared(actual, actual)).toBe(1);
    expect(Number.isNaN(mape([0, 0], [1, 2]))).toBe(true);
    expect(() => mape([1, 2], [1])).toThrow(/differ in length/);
  });

  it('interval coverage counts weeks inside the type-7 central interval', () => {
    // 2 weeks, 5 draws each: week 0 draws 1..5 (50% interval [2, 4]), week 1 draws 10..50 ([20, 40])
    const S = 5;
    const yrep = new Float64Array(S * 2);
    for (let s = 0; s < S; s++) {
      yrep[s * 2] = s + 1;
      yrep[s * 2 + 1] = 10 * (s + 1);
    }
    expect(intervalCoverage([3, 45], yrep, S, 0.5)).toBe(0.5);
    expect(intervalCoverage([2, 40], yrep, S, 0.5)).toBe(1); // ends included
    expect(intervalCoverage([1.5, 5], yrep, S, 0.5)).toBe(0);
    // 90%: [1.2, 4.8] and [12, 48]
    expect(intervalCoverage([1.5, 45], yrep, S, 0.9)).toBe(1);
  });
});

describe('posterior predictive checks', () => {
  it('statistics by hand', () => {
    expect(PPC_STATISTICS.lag1_autocorrelation([1, 2, 3, 4])).toBeCloseTo(1.25 / 5, 12);
    expect(PPC_STATISTICS.sd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(PPC_STATISTICS.min([3, -1, 2])).toBe(-1);
  });

  it('p-values: replicates equal to the data give 0.5 (ties half), shifted replicates give 0 or 1', () => {
    const y = [5, 7, 6, 9, 8];
    const S = 4;
    const same: PredictiveDraws = { nDraws: S, nWeeks: 5, mean: new Float64Array(20), yrep: new Float64Array(20) };
    for (let s = 0; s < S; s++) same.yrep.set(y, s * 5);
    for (const row of posteriorPredictiveChecks(y, same)) expect(row.pValue, row.statistic).toBe(0.5);
    const up: PredictiveDraws = { ...same, yrep: same.yrep.map((v) => v + 100) };
    const rows = Object.fromEntries(posteriorPredictiveChecks(y, up).map((r) => [r.statistic, r]));
    expect(rows.mean.pValue).toBe(1);
    expect(rows.max.pValue).toBe(1);
    expect(rows.sd.pValue).toBe(0.5); // integers shifted by 100 stay exact: the same sd, a tie
    expect(rows.mean.replicatedMean).toBeCloseTo(107, 12);
  });
});

describe('predictive draws from the true parameters', () => {
  const { dataset, truth } = generateSynthetic(new Rng(5), { sigma: 0.05 });
  const data = prepareModelData(dataset, DEFAULT_MODEL_SPEC);
  const params = Array.from({ length: 400 }, () => truth.params);

  it('fitted mean is meanResponse x yScale; replicates include the Normal noise', () => {
    const pd = predictiveDraws(DEFAULT_MODEL_SPEC, data, params, new Rng(1));
    const mu = meanResponse(DEFAULT_MODEL_SPEC, data, truth.params);
    for (let t = 0; t < data.N; t += 17) expect(pd.mean[3 * data.N + t]).toBeCloseTo(mu[t] * data.yScale, 6);
    // the sd of the replicates around the mean is sigma * yScale
    let ss = 0;
    for (let i = 0; i < pd.yrep.length; i++) ss += (pd.yrep[i] - pd.mean[i]) ** 2;
    const sd = Math.sqrt(ss / pd.yrep.length);
    expect(sd / (truth.params.sigma * data.yScale)).toBeGreaterThan(0.97);
    expect(sd / (truth.params.sigma * data.yScale)).toBeLessThan(1.03);
    // same seed, same numbers
    expect(predictiveDraws(DEFAULT_MODEL_SPEC, data, params.slice(0, 3), new Rng(1)).yrep).toEqual(pd.yrep.slice(0, 3 * data.N));
  });

  it('intervals of the true model cover about their level of the data; MAPE near the noise level', () => {
    const pd = predictiveDraws(DEFAULT_MODEL_SPEC, data, params, new Rng(2));
    const m = fitMetrics(dataset.target.values, pd);
    const cov = Object.fromEntries(m.coverage.map((c) => [c.level, c.share]));
    // 156 weeks: binomial sd of a share is <= 0.04
    expect(cov[0.5]).toBeGreaterThan(0.38);
    expect(cov[0.5]).toBeLessThan(0.62);
    expect(cov[0.9]).toBeGreaterThan(0.82);
    expect(cov[0.9]).toBeLessThan(0.97);
    expect(cov[0.8]).toBeGreaterThan(0.7);
    // relative noise 0.05 / ybar: E|eps| = 0.8 sd
    expect(m.mape).toBeGreaterThan(0.025);
    expect(m.mape).toBeLessThan(0.06);
    expect(m.r2).toBeGreaterThan(0.5);
    const band = fitBand(dataset.dates, dataset.target.values, pd);
    expect(band.length).toBe(156);
    for (const b of band) expect(b.q05 <= b.q25 && b.q25 <= b.q75 && b.q75 <= b.q95, b.date).toBe(true);
    const inside90 = band.filter((b) => b.actual >= b.q05 && b.actual <= b.q95).length / 156;
    expect(inside90).toBeCloseTo(cov[0.9], 12);
  });
});

describe('prior vs posterior contraction', () => {
  it('prior moments match Monte Carlo draws of each family', () => {
    const rng = new Rng(9);
    const n = 200_000;
    const mc = (draw: () => number) => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const v = draw();
        s += v;
        s2 += v * v;
      }
      return { mean: s / n, variance: s2 / n - (s / n) ** 2 };
    };
    const cases = [
      [{ kind: 'normal', mu: 0.5, sigma: 0.5 } as const, () => 0.5 + 0.5 * rng.normal()],
      [{ kind: 'halfNormal', sigma: 0.5 } as const, () => Math.abs(0.5 * rng.normal())],
      [{ kind: 'logNormal', mu: 0.3, sigma: 0.4 } as const, () => Math.exp(0.3 + 0.4 * rng.normal())],
      // Beta(2, 2) as the median of three uniforms
      [{ kind: 'beta', a: 2, b: 2 } as const, () => [rng.uniform(), rng.uniform(), rng.uniform()].sort()[1]],
    ] as const;
    for (const [prior, draw] of cases) {
      const got = priorMoments(prior);
      const want = mc(draw);
      expect(got.mean, prior.kind).toBeCloseTo(want.mean, 2);
      expect(got.variance / want.variance, prior.kind).toBeGreaterThan(0.98);
      expect(got.variance / want.variance, prior.kind).toBeLessThan(1.02);
    }
  });

  it('contraction 1 - var_post / var_prior and z against the prior mean or the truth, by hand', () => {
    const { dataset, truth } = generateSynthetic(new Rng(1), { weeks: 60 });
    const data = prepareModelData(dataset, DEFAULT_MODEL_SPEC);
    const layout = buildLayout(DEFAULT_MODEL_SPEC, data);
    const x = fromParams(layout, truth.params);
    // four draws x -/+ d per column: mean x, sample sd d * sqrt(4/3)
    const d = 0.01;
    const values = new Float64Array(4 * layout.dim);
    for (let s = 0; s < 4; s++) for (let j = 0; j < layout.dim; j++) values[s * layout.dim + j] = x[j] + (s % 2 === 0 ? -d : d);
    const fit = { names: layout.names, tables: [{ names: layout.names, values, nDraws: 4 }] };
    const rows = priorPosteriorContraction(DEFAULT_MODEL_SPEC, layout, fit);
    const sd = d * Math.sqrt(4 / 3);
    const a = rows.find((r) => r.name === 'alpha[tv]')!;
    expect(a.priorMean).toBe(0.5);
    expect(a.priorSd).toBeCloseTo(Math.sqrt(0.05), 12);
    expect(a.posteriorSd).toBeCloseTo(sd, 12);
    expect(a.contraction).toBeCloseTo(1 - (sd * sd) / 0.05, 12);
    expect(a.z).toBeCloseTo((0.6 - 0.5) / sd, 9);
    const withTruth = priorPosteriorContraction(DEFAULT_MODEL_SPEC, layout, fit, { 'alpha[tv]': 0.6 });
    expect(withTruth.find((r) => r.name === 'alpha[tv]')!.z).toBeCloseTo(0, 9);
    expect(rows.length).toBe(layout.dim);
    // posteriorParams reads the same draws back as model parameters
    const p = posteriorParams(fit, layout);
    expect(p.length).toBe(4);
    expect(p[1].alpha[0]).toBeCloseTo(0.6 + d, 12);
    expect(posteriorParams(fit, layout, 2).length).toBe(2);
  });
});
