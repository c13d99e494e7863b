import { allFinite, isConstant, mapChains, mean, poolChains, sampleVariance, splitChains, type ChainDraws } from './chains.ts';
import { rankNormalize } from './rank.ts';

/**
 * Classic potential scale reduction of chains taken as given (no splitting, no ranks):
 * sqrt(((n - 1)/n W + B/n) / W) with W the mean within-chain variance and B/n the variance
 * of chain means (both with n - 1 denominators, as R's `var`).
 * @param chains [chain][iteration], equal lengths n >= 2
 * @returns R-hat >= ~1; 1 for constant draws; NaN if any draw is non-finite
 */
export function basicRhat(chains: ChainDraws): number {
  if (!allFinite(chains)) return NaN;
  if (isConstant(chains)) return 1;
  const n = chains[0]!.length;
  const means = chains.map(mean);
  const varBetween = chains.length > 1 ? n * sampleVariance(means) : 0;
  const varWithin = mean(chains.map(sampleVariance));
  return Math.sqrt((varBetween / varWithin + n - 1) / n);
}

/**
 * Bulk R-hat: split chains, rank-normalise the pooled draws, then `basicRhat`
 * (Vehtari et al. 2021). Sensitive to chains disagreeing in location.
 * @param chains [chain][iteration]
 */
export function rhatBulk(chains: ChainDraws): number {
  if (!allFinite(chains)) return NaN;
  return basicRhat(rankNormalize(splitChains(chains)));
}

/**
 * |x - median| for every draw, with the median over all chains and draws. For an even count
 * the two central draws a <= b are equidistant from the median (a + b)/2 by definition, but
 * |a - m| and |b - m| in floating point tie or not depending on the last bit of m, and that
 * decides the two smallest ranks. Computing |(x - a) + (x - b)| / 2 makes them tie exactly
 * (rstan's result when its median happens to be exact, e.g. the fixture's ar1_rho_neg0.3);
 * for an odd count a = b and it is |x - m| bit for bit.
 * @param chains [chain][iteration]
 * @returns same shape, >= 0
 */
export function foldAroundMedian(chains: ChainDraws): Float64Array[] {
  const sorted = poolChains(chains).sort();
  const total = sorted.length;
  const a = sorted[Math.floor((total - 1) / 2)]!;
  const b = sorted[Math.ceil((total - 1) / 2)]!;
  return mapChains(chains, (v) => Math.abs(v - a + (v - b)) / 2);
}

/**
 * Folded (tail) R-hat: bulk R-hat of |x - median(x)| (see `foldAroundMedian`).
 * Sensitive to chains disagreeing in scale.
 * @param chains [chain][iteration]
 */
export function rhatFolded(chains: ChainDraws): number {
  if (!allFinite(chains)) return NaN;
  return rhatBulk(foldAroundMedian(chains));
}

/**
 * Rank-normalised split R-hat: max of bulk and folded R-hat, rstan 2.21's `Rhat`.
 * @param chains [chain][iteration], iterations >= 2 (>= 4 to be meaningful)
 * @returns >= ~1 (1.00 means no sign of non-convergence); NaN with non-finite draws
 */
export function rhat(chains: ChainDraws): number {
  if (!allFinite(chains)) return NaN;
  return Math.max(rhatBulk(chains), rhatFolded(chains));
}
