/**
 * Sample quantiles as R's default `quantile(type = 7)`: linear interpolation between order
 * statistics at h = (n - 1) p. rstan's tail-ESS thresholds use this definition, so the summary
 * table uses it too (one definition, one set of numbers).
 */

/**
 * Type-7 quantile of values that are already sorted ascending.
 * @param sorted ascending, length n >= 1, finite
 * @param p probability in [0, 1]
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0 || !(p >= 0 && p <= 1)) return NaN;
  // R's own arithmetic, 1-based index and (1 - h) a + h b, so a draw equal to an order
  // statistic compares `<=` the quantile exactly as in R (tail-ESS indicators depend on it)
  const index = 1 + (n - 1) * p;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  const a = sorted[lo - 1]!;
  const b = sorted[hi - 1]!;
  if (!(index > lo) || b === a) return a;
  const h = index - lo;
  return (1 - h) * a + h * b;
}

/**
 * Type-7 quantiles of unsorted values (copies and sorts once).
 * @param values length n >= 1
 * @param probs probabilities in [0, 1]
 * @returns one quantile per prob, in the order given
 */
export function quantiles(values: ArrayLike<number>, probs: readonly number[]): number[] {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  return probs.map((p) => quantileSorted(sorted, p));
}

/** Median (type 7, i.e. the usual midpoint for even n) of unsorted values. */
export function median(values: ArrayLike<number>): number {
  return quantiles(values, [0.5])[0]!;
}
