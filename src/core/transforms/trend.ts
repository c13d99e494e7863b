import type { TrendSpec } from '../spec/model-spec.ts';

/**
 * Linear trend regressor (t-1)/(N-1) for t = 1..N: 0 in the first week, 1 in the last.
 * @param n weeks N >= 1 (N = 1 gives [0])
 * @returns [N] in [0, 1]
 */
export function linearTrend(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = n > 1 ? t / (n - 1) : 0;
  return out;
}

/** A trend: number of weeks -> regressor [N] (multiplied by the trend coefficient). */
export type TrendFn = (n: number) => Float64Array;

/** Trends by spec kind; `none` is all zeros (and has no parameter in the layout). */
export const TRENDS = {
  linear: linearTrend,
  none: (n) => new Float64Array(n),
} satisfies Record<TrendSpec['kind'], TrendFn>;

/** The trend regressor a spec names. */
export function trendRegressor(spec: TrendSpec, n: number): Float64Array {
  return TRENDS[spec.kind](n);
}
