import type { LikelihoodSpec, ModelSpec } from '../spec/model-spec.ts';
import { priorLogDensity } from '../spec/prior.ts';
import { applyAdstock } from '../transforms/adstock.ts';
import { applySaturation } from '../transforms/saturation.ts';
import type { ModelData } from './model-data.ts';
import type { ParamLayout } from './layout.ts';
import { constrain, logJacobian, toParams, type ModelParams } from './constrain.ts';

// The plain reference density: obvious loops over the transforms, no speed tricks. The fused
// kernel must agree with it; keep it readable rather than fast.

/**
 * Saturated media response h_c,t = hill(adstock(u_c)_t) for every channel, before beta.
 * @returns column-major [C * N]: channel c occupies [c * N, (c + 1) * N)
 */
export function mediaResponse(spec: ModelSpec, data: ModelData, p: ModelParams): Float64Array {
  const { N, C, X } = data;
  const H = new Float64Array(C * N);
  for (let c = 0; c < C; c++) {
    const u = Float64Array.from({ length: N }, (_, t) => X[t * C + c]);
    const a = applyAdstock(spec.adstock, u, p.alpha[c]);
    H.set(applySaturation(spec.saturation, a, { K: p.K[c], S: p.S[c] }), c * N);
  }
  return H;
}

/**
 * Mean of y / mean y per week: intercept + trend + seasonality + media + controls.
 * @returns [N], units of y / mean y
 */
export function meanResponse(spec: ModelSpec, data: ModelData, p: ModelParams): Float64Array {
  const { N, C, K, nF } = data;
  const H = mediaResponse(spec, data, p);
  const mu = new Float64Array(N);
  for (let t = 0; t < N; t++) {
    let m = p.intercept + p.trend * data.t01[t];
    for (let j = 0; j < nF; j++) m += data.F[t * nF + j] * p.fourier[j];
    for (let c = 0; c < C; c++) m += p.beta[c] * H[c * N + t];
    for (let k = 0; k < K; k++) m += data.Z[t * K + k] * p.gamma[k];
    mu[t] = m;
  }
  return mu;
}

/** Log likelihood of y [N] given the mean [N] and sigma, with Stan's constants dropped. */
export type LikelihoodFn = (y: Float64Array, mu: Float64Array, sigma: number) => number;

/** Observation models by spec kind. */
export const LIKELIHOODS = {
  // Stan's `y ~ normal(mu, sigma)`: keeps -log sigma (sigma is a parameter), drops -log sqrt(2 pi)
  normal: (y, mu, sigma) => {
    let s = 0;
    for (let t = 0; t < y.length; t++) {
      const z = (y[t] - mu[t]) / sigma;
      s += -Math.log(sigma) - 0.5 * z * z;
    }
    return s;
  },
} satisfies Record<LikelihoodSpec['kind'], LikelihoodFn>;

/** Log prior of a constrained vector [dim] (Stan's `~` constants dropped), no Jacobian. */
export function logPrior(spec: ModelSpec, layout: ParamLayout, x: ArrayLike<number>): number {
  let s = 0;
  for (const b of layout.blocks) {
    for (let i = b.offset; i < b.offset + b.size; i++) s += priorLogDensity(spec.priors[b.name], x[i]);
  }
  return s;
}

/** The three terms of the log posterior at one unconstrained point. */
export interface LogPosteriorParts {
  prior: number;
  jacobian: number;
  likelihood: number;
  /** prior + jacobian + likelihood */ total: number;
}

/**
 * Log posterior density at unconstrained theta [dim], Jacobians included, constants dropped
 * exactly as Stan's `~` statements drop them (so it equals rstan's log_prob).
 */
export function logPosteriorParts(
  spec: ModelSpec,
  data: ModelData,
  layout: ParamLayout,
  theta: ArrayLike<number>,
): LogPosteriorParts {
  const x = constrain(layout, theta);
  const p = toParams(layout, x);
  const prior = logPrior(spec, layout, x);
  const jacobian = logJacobian(layout, theta);
  const likelihood = LIKELIHOODS[spec.likelihood.kind](data.y, meanResponse(spec, data, p), p.sigma);
  return { prior, jacobian, likelihood, total: prior + jacobian + likelihood };
}

/** Log posterior density at unconstrained theta [dim]; see logPosteriorParts. */
export function logPosterior(spec: ModelSpec, data: ModelData, layout: ParamLayout, theta: ArrayLike<number>): number {
  return logPosteriorParts(spec, data, layout, theta).total;
}
