import { describe, expect, it } from 'vitest';
import { gpdFit, gpdQuantile, psisSmooth, logSumExp } from '../../src/core/evaluation/psis.ts';
import { psisLoo, pointwiseLogLik, relativeEff } from '../../src/core/evaluation/loo.ts';
import { keptDrawChains } from '../../src/core/evaluation/draws.ts';
import { predictiveDraws } from '../../src/core/evaluation/predictive.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { meanResponse, LIKELIHOODS } from '../../src/core/model/posterior.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';

const logNormalPdf = (x: number, m: number, v: number) => -0.5 * Math.log(2 * Math.PI * v) - (0.5 * (x - m) ** 2) / v;

describe('generalized Pareto fit', () => {
  it('recovers the shape of GPD samples (k = 0.2, 0.5, 0.9)', () => {
    const rng = new Rng(3);
    for (const k of [0.2, 0.5, 0.9]) {
      const x = Float64Array.from({ length: 4000 }, () => gpdQuantile(rng.uniform(), k, 2)).sort();
      const fit = gpdFit(x);
      expect(Math.abs(fit.k - k), `k=${k} got ${fit.k}`).toBeLessThan(0.06);
      expect(fit.sigma / 2).toBeGreaterThan(0.9);
      expect(fit.sigma / 2).toBeLessThan(1.1);
    }
  });

  it('quantile function by hand: k = 0 is the exponential, k = 1 is 1/(1-p) - 1', () => {
    expect(gpdQuantile(0.5, 0, 3)).toBeCloseTo(3 * Math.log(2), 12);
    expect(gpdQuantile(0.75, 1, 1)).toBeCloseTo(3, 12);
  });
});

describe('Pareto smoothed importance sampling', () => {
  it('k-hat recovers the shape of ratios with an exact Pareto tail', () => {
    // r = u^-k, u uniform: P(r > x) = x^(-1/k), a Pareto tail of shape k
    const rng = new Rng(12);
    // one k-hat from M = 190 tail ratios has sd about (1 + k) / sqrt(190) ~ 0.1: average 8 repeats
    for (const k of [0.3, 0.6, 0.8, 1.1]) {
      const ks = Array.from({ length: 8 }, () => psisSmooth(Float64Array.from({ length: 4000 }, () => -k * Math.log(rng.uniform()))).k);
      const mean = ks.reduce((a, b) => a + b, 0) / ks.length;
      // 2.5 sd of the mean of 8
      expect(Math.abs(mean - k), `k=${k} got ${ks.map((v) => v.toFixed(2))}`).toBeLessThan((2.5 * (1 + k)) / Math.sqrt(190 * 8));
    }
  });

  // draws from N(0, 1) as proposal for N(0, s^2): ratios exp(x^2 (1 - 1/s^2) / 2) have tail
  // shape 1 - 1/s^2 only asymptotically (a slowly varying factor pulls k-hat down at S = 4000)
  it('k-hat orders importance ratios of normal proposals by how much too narrow they are', () => {
    const rng = new Rng(11);
    const kOf = (s: number) => {
      const lr = Float64Array.from({ length: 4000 }, () => {
        const x = rng.normal();
        return 0.5 * x * x * (1 - 1 / (s * s));
      });
      return psisSmooth(lr).k;
    };
    const narrow = [0, 1, 2].map(() => kOf(1.2));
    const wide = [0, 1, 2].map(() => kOf(3));
    for (const k of narrow) expect(k).toBeLessThan(0.45);
    for (const k of wide) expect(k).toBeGreaterThan(0.6);
  });

  it('weights are normalised, keep the order of the ratios and never exceed the largest raw ratio', () => {
    const rng = new Rng(4);
    const lr = Float64Array.from({ length: 1000 }, () => 2 * rng.normal());
    const { logWeights, tailLength } = psisSmooth(lr);
    expect(tailLength).toBe(Math.ceil(Math.min(200, 3 * Math.sqrt(1000))));
    expect(logSumExp(logWeights)).toBeCloseTo(0, 12);
    const order = Array.from(lr.keys()).sort((a, b) => lr[a] - lr[b]);
    for (let i = 1; i < order.length; i++) expect(logWeights[order[i]]).toBeGreaterThanOrEqual(logWeights[order[i - 1]] - 1e-12);
    // the body is unchanged up to normalisation: measured from the largest body ratio, no smoothed
    // weight exceeds the largest raw ratio
    const body = order[1000 - tailLength - 1];
    const raw = Math.max(...lr) - lr[body];
    for (const i of order.slice(-tailLength)) expect(logWeights[i] - logWeights[body]).toBeLessThanOrEqual(raw + 1e-9);
    expect(logWeights[order[10]] - logWeights[body]).toBeCloseTo(lr[order[10]] - lr[body], 9);
  });
});

describe('PSIS-LOO against exact leave-one-out of a conjugate normal model', () => {
  // y_i ~ N(theta, 1), theta ~ N(0, 10^2): the posterior and every leave-one-out posterior are
  // normal, and p(y_i | y_-i) = N(y_i; m_-i, 1 + v_-i) exactly
  const tau2 = 100;
  const post = (ys: number[]) => {
    const v = 1 / (1 / tau2 + ys.length);
    return { m: v * ys.reduce((a, b) => a + b, 0), v };
  };
  const case_ = (ys: number[], S: number, seed: number) => {
    const rng = new Rng(seed);
    const { m, v } = post(ys);
    const N = ys.length;
    const values = new Float64Array(S * N);
    for (let s = 0; s < S; s++) {
      const theta = m + Math.sqrt(v) * rng.normal();
      for (let i = 0; i < N; i++) values[s * N + i] = logNormalPdf(ys[i], theta, 1);
    }
    const loo = psisLoo({ nDraws: S, nPoints: N, values });
    const exact = ys.map((y, i) => {
      const q = post(ys.filter((_, j) => j !== i));
      return logNormalPdf(y, q.m, 1 + q.v);
    });
    return { loo, exact };
  };

  it('elpd_loo, its points and p_loo agree with the exact values', () => {
    const rng = new Rng(21);
    const ys = Array.from({ length: 30 }, () => 1.5 + rng.normal());
    const { loo, exact } = case_(ys, 4000, 5);
    const exactSum = exact.reduce((a, b) => a + b, 0);
    expect(Math.abs(loo.elpdLoo - exactSum)).toBeLessThan(0.02);
    loo.pointwise.forEach((p, i) => expect(Math.abs(p.elpd - exact[i])).toBeLessThan(0.005));
    // p_loo = lpd - elpd_loo with lpd_i = log N(y_i; m, 1 + v) exactly
    const full = post(ys);
    const lpdExact = ys.reduce((a, y) => a + logNormalPdf(y, full.m, 1 + full.v), 0);
    expect(Math.abs(loo.lpd - lpdExact)).toBeLessThan(0.02);
    expect(Math.abs(loo.pLoo - (lpdExact - exactSum))).toBeLessThan(0.03);
    expect(loo.badK).toEqual([]);
    for (const p of loo.pointwise) expect(p.k).toBeLessThan(0.5);
    // se = sqrt(N var(elpd_i))
    const mean = exact.reduce((a, b) => a + b, 0) / exact.length;
    const seExact = Math.sqrt((exact.length * exact.reduce((a, e) => a + (e - mean) ** 2, 0)) / (exact.length - 1));
    expect(loo.se / seExact).toBeGreaterThan(0.97);
    expect(loo.se / seExact).toBeLessThan(1.03);
    expect(loo.kThresholdForS).toBeCloseTo(Math.min(1 - 1 / Math.log10(4000), 0.7), 12);
  });

  it('an outlier among few points still matches, and its k-hat is the largest', () => {
    const ys = [0.3, -0.5, 0.1, 0.8, -0.2, 9];
    const { loo, exact } = case_(ys, 8000, 6);
    const worst = loo.pointwise.reduce((b, p, i) => (p.k > loo.pointwise[b].k ? i : b), 0);
    expect(worst).toBe(5);
    expect(loo.pointwise[5].k).toBeGreaterThan(0.5);
    // the points with a trustworthy k-hat match the exact answer
    loo.pointwise.forEach((p, i) => {
      if (p.k < 0.5) expect(Math.abs(p.elpd - exact[i]), `point ${i}`).toBeLessThan(0.02);
    });
  });
});

describe('pointwise log-likelihood of the model', () => {
  it('sums to the model likelihood plus the constants Stan drops, in KPI units', () => {
    const { dataset, truth } = generateSynthetic(new Rng(8), { weeks: 80 });
    const data = prepareModelData(dataset, DEFAULT_MODEL_SPEC);
    const other = { ...truth.params, sigma: truth.params.sigma * 1.3 };
    const ll = pointwiseLogLik(DEFAULT_MODEL_SPEC, data, [truth.params, other]);
    for (const [s, p] of [truth.params, other].entries()) {
      let sum = 0;
      for (let t = 0; t < data.N; t++) sum += ll.values[s * data.N + t];
      const model = LIKELIHOODS.normal(data.y, meanResponse(DEFAULT_MODEL_SPEC, data, p), p.sigma);
      expect(sum).toBeCloseTo(model - data.N * (0.5 * Math.log(2 * Math.PI) + Math.log(data.yScale)), 8);
    }
    // from the predictive's fitted mean: the same numbers
    const pd = predictiveDraws(DEFAULT_MODEL_SPEC, data, [truth.params, other], new Rng(1));
    const fromMean = pointwiseLogLik(DEFAULT_MODEL_SPEC, data, [truth.params, other], pd.mean);
    for (let i = 0; i < ll.values.length; i += 13) expect(fromMean.values[i]).toBeCloseTo(ll.values[i], 9);
  });
});

describe("agreement with R's loo package (test/fixtures/loo/psis_reference.json, loo 2.5.1)", () => {
  it('Pareto k, smoothed log weights and PSIS-LOO estimates match loo to 1e-8', async () => {
    const { readFileSync } = await import('node:fs');
    const ref = JSON.parse(readFileSync('test/fixtures/loo/psis_reference.json', 'utf8')) as {
      psis: { log_ratios: number[]; k: number; log_weights: number[] }[];
      loo: { loglik: number[][]; elpd_loo: number; se_elpd_loo: number; p_loo: number; pointwise_elpd: number[]; pareto_k: number[] };
    };
    for (const set of ref.psis) {
      const got = psisSmooth(set.log_ratios);
      expect(got.k).toBeCloseTo(set.k, 8);
      set.log_weights.forEach((w, i) => expect(got.logWeights[i]).toBeCloseTo(w, 8));
    }
    const S = ref.loo.loglik.length;
    const N = ref.loo.loglik[0].length;
    const loo = psisLoo({ nDraws: S, nPoints: N, values: Float64Array.from(ref.loo.loglik.flat()) });
    expect(loo.elpdLoo).toBeCloseTo(ref.loo.elpd_loo, 8);
    expect(loo.se).toBeCloseTo(ref.loo.se_elpd_loo, 8);
    expect(loo.pLoo).toBeCloseTo(ref.loo.p_loo, 8);
    loo.pointwise.forEach((p, i) => {
      expect(p.elpd).toBeCloseTo(ref.loo.pointwise_elpd[i], 8);
      expect(p.k).toBeCloseTo(ref.loo.pareto_k[i], 8);
    });
  });
});

describe("relative efficiency of MCMC draws against R's loo (test/fixtures/loo/reff_reference.json)", () => {
  it('r_eff per point equals loo::relative_eff(exp(loglik)), and PSIS-LOO with it equals loo::loo(r_eff = ...) to 1e-8', async () => {
    const { readFileSync } = await import('node:fs');
    const ref = JSON.parse(readFileSync('test/fixtures/loo/reff_reference.json', 'utf8')) as {
      chains: number; iterations: number; loglik: number[][]; r_eff: number[];
      elpd_loo: number; se_elpd_loo: number; p_loo: number; pointwise_elpd: number[]; pareto_k: number[];
    };
    const S = ref.loglik.length;
    const N = ref.loglik[0].length;
    const ll = { nDraws: S, nPoints: N, values: Float64Array.from(ref.loglik.flat()) };
    const chainOf = Int32Array.from({ length: S }, (_, s) => Math.floor(s / ref.iterations));
    const rEff = relativeEff(ll, chainOf);
    rEff.forEach((r, i) => expect(r).toBeCloseTo(ref.r_eff[i], 8));
    // AR(1) draws: well below 1, so the tail is longer than with independent draws
    expect(Math.max(...rEff)).toBeLessThan(0.5);
    const loo = psisLoo(ll, rEff);
    expect(loo.elpdLoo).toBeCloseTo(ref.elpd_loo, 8);
    expect(loo.se).toBeCloseTo(ref.se_elpd_loo, 8);
    expect(loo.pLoo).toBeCloseTo(ref.p_loo, 8);
    loo.pointwise.forEach((p, i) => {
      expect(p.elpd).toBeCloseTo(ref.pointwise_elpd[i], 8);
      expect(p.k).toBeCloseTo(ref.pareto_k[i], 8);
    });
    // r_eff = 1 gives other k-hats here (85 instead of 160 tail draws): the per-point r_eff matters
    const plain = psisLoo(ll, 1);
    expect(Math.max(...plain.pointwise.map((p, i) => Math.abs(p.k - ref.pareto_k[i])))).toBeGreaterThan(1e-3);
  });

  it('independent draws have r_eff near 1; keptDrawChains follows posteriorParams thinning', () => {
    const rng = new Rng(5);
    const S = 4000;
    const values = Float64Array.from({ length: S * 3 }, () => logNormalPdf(rng.normal(), 0, 1));
    const r = relativeEff({ nDraws: S, nPoints: 3, values }, Int32Array.from({ length: S }, (_, s) => s % 4));
    for (const v of r) expect(Math.abs(v - 1)).toBeLessThan(0.1);
    const table = (n: number) => ({ names: ['a'], values: new Float64Array(n), nDraws: n });
    // 3 chains of 5 draws, at most 6 kept: every 3rd pooled draw (0, 3, 6, 9, 12) -> chains 0, 0, 1, 1, 2
    expect([...keptDrawChains({ names: ['a'], tables: [table(5), table(5), table(5)] }, 6)]).toEqual([0, 0, 1, 1, 2]);
  });
});
