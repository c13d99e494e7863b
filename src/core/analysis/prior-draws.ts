import type { Prior, PriorKind } from '../spec/prior.ts';
import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ModelParams } from '../model/constrain.ts';
import type { Rng } from '../inference/rng.ts';
import { mediaSeries } from './decomposition.ts';
import { channelMetrics } from './roi.ts';

/** Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shape < 1 boosted by U^(1/shape)). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(rng.uniform(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** One draw from each prior family. */
export const PRIOR_SAMPLERS = {
  normal: (p: Extract<Prior, { kind: 'normal' }>, rng: Rng) => p.mu + p.sigma * rng.normal(),
  halfNormal: (p: Extract<Prior, { kind: 'halfNormal' }>, rng: Rng) => Math.abs(p.sigma * rng.normal()),
  logNormal: (p: Extract<Prior, { kind: 'logNormal' }>, rng: Rng) => Math.exp(p.mu + p.sigma * rng.normal()),
  beta: (p: Extract<Prior, { kind: 'beta' }>, rng: Rng) => {
    const x = sampleGamma(rng, p.a);
    return x / (x + sampleGamma(rng, p.b));
  },
} satisfies { [K in PriorKind]: (p: Extract<Prior, { kind: K }>, rng: Rng) => number };

/** One draw from a prior. */
export function samplePrior(p: Prior, rng: Rng): number {
  return PRIOR_SAMPLERS[p.kind](p as never, rng);
}

/**
 * ROI of every channel under the priors alone (beta, alpha, K, S drawn from the spec's priors),
 * on the real spend: the spread the data have to narrow.
 * @param nDraws >= 2
 * @param weights outcomeWeights [N] (default ones: KPI per unit of spend)
 * @returns row-major [nDraws * C], in the unit of the weights per unit of spend
 */
export function priorRoiDraws(
  spec: ModelSpec,
  data: ModelData,
  nDraws: number,
  rng: Rng,
  weights: Float64Array = new Float64Array(data.N).fill(1),
): Float64Array {
  const { C } = data;
  const out = new Float64Array(nDraws * C);
  const vec = (prior: Prior) => Float64Array.from({ length: C }, () => samplePrior(prior, rng));
  for (let d = 0; d < nDraws; d++) {
    const p: ModelParams = {
      intercept: 0,
      trend: 0,
      fourier: new Float64Array(data.nF),
      beta: vec(spec.priors.beta),
      alpha: vec(spec.priors.alpha),
      K: vec(spec.priors.K),
      S: vec(spec.priors.S),
      gamma: new Float64Array(data.K),
      sigma: 1,
    };
    out.set(channelMetrics(spec, data, p, mediaSeries(spec, data, p), weights).roi, d * C);
  }
  return out;
}
