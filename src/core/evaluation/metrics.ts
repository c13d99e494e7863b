import { quantileSorted } from '../diagnostics/quantile.ts';
import { columnMeans, sortedColumn, type PredictiveDraws } from './predictive.ts';

/**
 * Mean absolute percentage error, sum |y - yhat| / |y| over weeks with y != 0, as a fraction
 * (0.1 = 10%). Weeks with y = 0 have no percentage error and are left out; NaN when none is left.
 * @param actual [N]; @param predicted [N], same units
 */
export function mape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  sameLength(actual, predicted);
  let s = 0;
  let n = 0;
  for (let t = 0; t < actual.length; t++) {
    if (actual[t] === 0) continue;
    s += Math.abs(actual[t] - predicted[t]) / Math.abs(actual[t]);
    n++;
  }
  return n > 0 ? s / n : NaN;
}

/**
 * Coefficient of determination 1 - SS_res / SS_tot around the mean of `actual` (can be negative
 * out of sample: worse than predicting the mean). NaN for constant `actual`.
 */
export function rSquared(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  sameLength(actual, predicted);
  const n = actual.length;
  let m = 0;
  for (let t = 0; t < n; t++) m += actual[t];
  m /= n;
  let res = 0;
  let tot = 0;
  for (let t = 0; t < n; t++) {
    res += (actual[t] - predicted[t]) ** 2;
    tot += (actual[t] - m) ** 2;
  }
  return tot > 0 ? 1 - res / tot : NaN;
}

/**
 * Root mean squared error normalised by the range of `actual` (max - min), Robyn's NRMSE.
 * NaN for constant `actual`.
 */
export function nrmse(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  sameLength(actual, predicted);
  const n = actual.length;
  let sq = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < n; t++) {
    sq += (actual[t] - predicted[t]) ** 2;
    lo = Math.min(lo, actual[t]);
    hi = Math.max(hi, actual[t]);
  }
  return hi > lo ? Math.sqrt(sq / n) / (hi - lo) : NaN;
}

/** The interval levels whose coverage is reported. */
export const COVERAGE_LEVELS = [0.5, 0.8, 0.9] as const;

/**
 * Share of weeks whose actual value lies inside the central `level` interval of the predictive
 * draws (quantiles (1 - level)/2 and (1 + level)/2, R type 7, ends included).
 * @param yrep row-major [S * N] predictive draws; @param actual [N]
 * @returns fraction in [0, 1]
 */
export function intervalCoverage(actual: ArrayLike<number>, yrep: Float64Array, S: number, level: number): number {
  const N = actual.length;
  if (yrep.length !== S * N) throw new Error(`intervalCoverage: ${yrep.length} draws for ${S} x ${N}.`);
  let hit = 0;
  for (let t = 0; t < N; t++) {
    const col = sortedColumn(yrep, S, N, t);
    const lo = quantileSorted(col, (1 - level) / 2);
    const hi = quantileSorted(col, (1 + level) / 2);
    if (actual[t] >= lo && actual[t] <= hi) hit++;
  }
  return hit / N;
}

/** Accuracy of a fit or a forecast against actual weeks, KPI units. */
export interface FitMetrics {
  /** weeks compared */ weeks: number;
  /** fraction, of the posterior-mean prediction */ mape: number;
  r2: number;
  nrmse: number;
  /** share of weeks inside the 50% / 80% / 90% prediction intervals */ coverage: { level: number; share: number }[];
}

/**
 * MAPE, R^2 and NRMSE of the posterior mean of the fitted mean, and 50/80/90% prediction-interval
 * coverage, over weeks [from, to) of the predictive draws.
 * @param actual [N] KPI in original units (same weeks as pd)
 * @param levels interval levels in (0, 1) whose coverage is reported (default 0.5, 0.8, 0.9)
 */
export function fitMetrics(
  actual: ArrayLike<number>,
  pd: PredictiveDraws,
  from = 0,
  to = pd.nWeeks,
  levels: readonly number[] = COVERAGE_LEVELS,
): FitMetrics {
  const { nDraws: S, nWeeks: N } = pd;
  if (actual.length !== N) throw new Error(`fitMetrics: ${actual.length} actual values for ${N} weeks.`);
  if (!(from >= 0 && to <= N && to > from)) throw new Error(`fitMetrics: weeks ${from}..${to} outside 0..${N}.`);
  const n = to - from;
  const a = Float64Array.from({ length: n }, (_, i) => actual[from + i]);
  const mu = columnMeans(pd.mean, S, N).subarray(from, to);
  const yrep = new Float64Array(S * n);
  for (let s = 0; s < S; s++) yrep.set(pd.yrep.subarray(s * N + from, s * N + to), s * n);
  return {
    weeks: n,
    mape: mape(a, mu),
    r2: rSquared(a, mu),
    nrmse: nrmse(a, mu),
    coverage: levels.map((level) => ({ level, share: intervalCoverage(a, yrep, S, level) })),
  };
}

function sameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`Metric inputs differ in length: ${a.length} vs ${b.length}.`);
  if (a.length === 0) throw new Error('Metric inputs are empty.');
}
