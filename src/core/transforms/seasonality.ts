import type { SeasonalitySpec } from '../spec/model-spec.ts';

/**
 * Fourier features sin(2 pi j t / P), cos(2 pi j t / P), j = 1..order, t = 1..N,
 * column order sin1, cos1, sin2, cos2, ... (as the reference model).
 * @param n weeks N
 * @param order number of (sin, cos) pairs >= 0
 * @param period P in weeks (> 0), e.g. 52.18
 * @returns row-major [N * 2 order]
 */
export function fourierFeatures(n: number, order: number, period: number): Float64Array {
  const nF = 2 * order;
  const F = new Float64Array(n * nF);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < order; j++) {
      // same operation order as the reference: 2 * pi * j * t / P
      const w = (2 * Math.PI * (j + 1) * (t + 1)) / period;
      F[t * nF + 2 * j] = Math.sin(w);
      F[t * nF + 2 * j + 1] = Math.cos(w);
    }
  }
  return F;
}

/** Seasonal regressors for a spec: matrix [N * nF] and its width nF. */
export interface SeasonalFeatures {
  nF: number;
  /** row-major [N * nF] */ F: Float64Array;
}

/** A seasonality: weeks -> regressors. */
export type SeasonalityFn<S extends SeasonalitySpec = SeasonalitySpec> = (n: number, spec: S) => SeasonalFeatures;

/** Seasonalities by spec kind; `none` has no columns. */
export const SEASONALITIES = {
  fourier: (n, spec) => ({ nF: 2 * spec.order, F: fourierFeatures(n, spec.order, spec.period) }),
  none: () => ({ nF: 0, F: new Float64Array(0) }),
} satisfies { [K in SeasonalitySpec['kind']]: SeasonalityFn<Extract<SeasonalitySpec, { kind: K }>> };

/** The seasonal regressors a spec names. */
export function seasonalFeatures(spec: SeasonalitySpec, n: number): SeasonalFeatures {
  return SEASONALITIES[spec.kind](n, spec as never);
}
