import { describe, expect, it } from 'vitest';
import { BIJECTORS, UNCONSTRAINED_PRIORS, unconstrainedPrior, softplus } from '../../src/core/model/bijectors.ts';
import { constrain, unconstrain, logJacobian, toParams, fromParams, namedParams, type ModelParams } from '../../src/core/model/constrain.ts';
import { logPosteriorParts, meanResponse, mediaResponse } from '../../src/core/model/posterior.ts';
import { deriveChannels, deriveChannelsFromDraw } from '../../src/core/model/derived.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';
import { priorLogDensity, type Prior } from '../../src/core/spec/prior.ts';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { Rng } from '../../src/core/inference/rng.ts';

const fd = (f: (u: number) => number, u: number, h = 1e-5) => (f(u + h) - f(u - h)) / (2 * h);

describe('bijectors', () => {
  it('invert each other and carry log |dx/du| with its derivative', () => {
    for (const [name, b] of Object.entries(BIJECTORS)) {
      for (const u of [-3.2, -0.4, 0, 0.7, 2.5]) {
        expect(b.inverse(b.forward(u)), name).toBeCloseTo(u, 12);
        expect(b.dForward(u), name).toBeCloseTo(fd(b.forward, u), 8);
        expect(b.logJacobian(u), name).toBeCloseTo(Math.log(b.dForward(u)), 12);
        expect(b.dLogJacobian(u), name).toBeCloseTo(fd(b.logJacobian, u), 8);
      }
    }
    // logit Jacobian stays finite far out, where x or 1 - x rounds to 0 or 1
    expect(BIJECTORS.logit.logJacobian(800)).toBeCloseTo(-800, 10);
    expect(softplus(-800)).toBe(0);
    expect(softplus(800)).toBe(800);
  });

  it('unconstrained prior + Jacobian = prior(x) + log|dx/du|, with the matching derivative', () => {
    const priors: Prior[] = [
      { kind: 'normal', mu: 0.5, sigma: 0.5 },
      { kind: 'halfNormal', sigma: 0.5 },
      { kind: 'logNormal', mu: 0.3, sigma: 0.4 },
      { kind: 'beta', a: 2, b: 3.5 },
    ];
    const transform = { normal: 'identity', halfNormal: 'log', logNormal: 'log', beta: 'logit' } as const;
    const d = new Float64Array(1);
    for (const p of priors) {
      const b = BIJECTORS[transform[p.kind]];
      const direct = (u: number) => priorLogDensity(p, b.forward(u)) + b.logJacobian(u);
      for (const u of [-2, -0.3, 0.4, 1.9]) {
        d[0] = 0;
        expect(unconstrainedPrior(p, u, d, 0), p.kind).toBeCloseTo(direct(u), 11);
        expect(d[0], p.kind).toBeCloseTo(fd(direct, u), 7);
      }
    }
    // Beta(2, 2) with its logit Jacobian is 2 log x + 2 log(1 - x): at u = 0, 4 log(1/2) and slope 0
    d[0] = 0;
    expect(UNCONSTRAINED_PRIORS.beta({ kind: 'beta', a: 2, b: 2 }, 0, d, 0)).toBeCloseTo(4 * Math.log(0.5), 14);
    expect(d[0]).toBe(0);
    // LogNormal with its log Jacobian is a Gaussian in u
    d[0] = 0;
    expect(UNCONSTRAINED_PRIORS.logNormal({ kind: 'logNormal', mu: 1, sigma: 2 }, 3, d, 0)).toBeCloseTo(-0.5, 14);
    expect(d[0]).toBeCloseTo(-0.5, 14);
  });
});

// a tiny dataset whose answers can be worked out by hand
const tiny: Dataset = {
  dates: ['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22'],
  target: { name: 'sales', values: Float64Array.from([100, 120, 80, 100]) },
  channels: [{ name: 'tv', spend: Float64Array.from([10, 0, 30, 0]) }],
  controls: [],
  factors: [{ name: 'promo', levels: ['no', 'yes', 'no', 'no'], baseline: 'no' }],
};
const tinySpec: ModelSpec = { ...DEFAULT_MODEL_SPEC, adstock: { kind: 'geometric', lags: 2 }, seasonality: { kind: 'none' } };

describe('constrain', () => {
  const md = prepareModelData(tiny, tinySpec);
  const layout = buildLayout(tinySpec, md);
  it('round-trips unconstrained <-> constrained <-> named groups', () => {
    expect(layout.names).toEqual(['intercept', 'trend', 'beta[tv]', 'alpha[tv]', 'K[tv]', 'S[tv]', 'gamma[promo=yes]', 'sigma']);
    const u = Float64Array.from([0.2, -0.1, Math.log(0.3), 0, Math.log(2), Math.log(1.5), 0.4, Math.log(0.1)]);
    const x = constrain(layout, u);
    expect(x[3]).toBe(0.5);
    expect(x[4]).toBeCloseTo(2, 14);
    const p = toParams(layout, x);
    expect(p.intercept).toBe(0.2);
    expect(p.fourier.length).toBe(0);
    expect(p.sigma).toBeCloseTo(0.1, 14);
    expect(Array.from(fromParams(layout, p))).toEqual(Array.from(x));
    Array.from(unconstrain(layout, x)).forEach((v, i) => expect(v).toBeCloseTo(u[i], 13));
    expect(namedParams(layout, x)['alpha[tv]']).toBe(0.5);
    // log Jacobian: log beta + log(a(1-a)) + log K + log S + log sigma
    expect(logJacobian(layout, u)).toBeCloseTo(Math.log(0.3) + Math.log(0.25) + Math.log(2) + Math.log(1.5) + Math.log(0.1), 13);
    expect(() => fromParams(layout, { ...p, beta: new Float64Array(2) })).toThrow(/beta/);
  });
});

describe('reference posterior and derived quantities on a hand-computed case', () => {
  const md = prepareModelData(tiny, tinySpec);
  const layout = buildLayout(tinySpec, md);
  // spend / mean = [1, 0, 3, 0]; alpha = 0.5, L = 2: weights 2/3, 1/3
  // adstock = [2/3, 1/3, 2, 1]; K = 1, S = 1: h = a / (a + 1) = [2/5, 1/4, 2/3, 1/2]
  const p: ModelParams = {
    intercept: 0.8, trend: 0.3, fourier: new Float64Array(0),
    beta: Float64Array.from([0.6]), alpha: Float64Array.from([0.5]), K: Float64Array.from([1]), S: Float64Array.from([1]),
    gamma: Float64Array.from([0.2]), sigma: 0.1,
  };
  const h = [2 / 5, 1 / 4, 2 / 3, 1 / 2];

  it('media response and mean', () => {
    const H = mediaResponse(tinySpec, md, p);
    h.forEach((v, t) => expect(H[t]).toBeCloseTo(v, 14));
    const mu = meanResponse(tinySpec, md, p);
    const t01 = [0, 1 / 3, 2 / 3, 1];
    const promo = [0, 1, 0, 0];
    h.forEach((v, t) => expect(mu[t]).toBeCloseTo(0.8 + 0.3 * t01[t] + 0.6 * v + 0.2 * promo[t], 14));
  });

  it('log posterior = Stan-style prior + Jacobian + likelihood', () => {
    const u = unconstrain(layout, fromParams(layout, p));
    const parts = logPosteriorParts(tinySpec, md, layout, u);
    const mu = meanResponse(tinySpec, md, p);
    const y = [1, 1.2, 0.8, 1]; // sales / mean 100
    const lik = y.reduce((s, v, t) => s - Math.log(0.1) - 0.5 * ((v - mu[t]) / 0.1) ** 2, 0);
    expect(parts.likelihood).toBeCloseTo(lik, 10);
    const prior =
      -0.5 * ((0.8 - 0.5) / 0.5) ** 2 - 0.5 * (0.3 / 0.5) ** 2 - 0.5 * (0.6 / 0.5) ** 2 +
      (Math.log(0.5) + Math.log(0.5)) + // Beta(2, 2) at 0.5
      (-Math.log(1) - 0.5 * (0 / 0.5) ** 2) + (-Math.log(1) - 0.5 * ((0 - 0.3) / 0.4) ** 2) +
      -0.5 * (0.2 / 0.5) ** 2 - 0.5 * (0.1 / 0.5) ** 2;
    expect(parts.prior).toBeCloseTo(prior, 12);
    expect(parts.jacobian).toBeCloseTo(Math.log(0.6) + Math.log(0.25) + 0 + 0 + Math.log(0.1), 13);
    expect(parts.total).toBeCloseTo(parts.prior + parts.jacobian + parts.likelihood, 12);
  });

  it('contribution and ROI per channel in original units', () => {
    const d = deriveChannels(tinySpec, md, p);
    // contribution_t = beta h_t * mean(sales) = 0.6 * h_t * 100; spend total 40
    h.forEach((v, t) => expect(d.perWeek[t]).toBeCloseTo(60 * v, 12));
    const total = 60 * h.reduce((s, v) => s + v, 0);
    expect(d.contribution[0]).toBeCloseTo(total, 12);
    expect(d.roi[0]).toBeCloseTo(total / 40, 13);
    const fromDraw = deriveChannelsFromDraw(tinySpec, md, layout, fromParams(layout, p));
    expect(Array.from(fromDraw.roi)).toEqual(Array.from(d.roi));
  });

  it('ROI scales with beta and does not depend on the KPI unit', () => {
    const rng = new Rng(3);
    const scaled: Dataset = { ...tiny, target: { name: 'sales', values: tiny.target.values.map((v) => v * 1000) } };
    const md2 = prepareModelData(scaled, tinySpec);
    const beta = 0.1 + rng.uniform();
    const a = deriveChannels(tinySpec, md, { ...p, beta: Float64Array.from([beta]) });
    const b = deriveChannels(tinySpec, md2, { ...p, beta: Float64Array.from([2 * beta]) });
    expect(b.roi[0] / a.roi[0]).toBeCloseTo(2000, 9);
  });
});
