import { averageRanks } from './rank.ts';

/** Rank histograms of one quantity: per chain, how its draws rank among all chains' draws. */
export interface RankHistogram {
  /** bin edges in rank units, [bins + 1], from 0 to the pooled draw count */ edges: Float64Array;
  /** draws per bin, per chain: [chain][bin] */ counts: number[][];
  /** the count per bin if every chain sampled the same distribution (draws per chain / bins) */ expected: number;
}

/**
 * ArviZ's rank plot (Vehtari et al. 2021, Figure 2): rank all chains' draws together (ties get
 * their average rank), then histogram each chain's ranks. Chains that mix give flat histograms
 * around `expected`; a chain stuck high or low piles up at one end.
 * @param chains [chain][iteration], equal lengths >= 1
 * @param bins number of bins, >= 1 (ArviZ's default is about sqrt of the draws per chain; capped by the caller)
 */
export function rankHistogram(chains: readonly Float64Array[], bins: number): RankHistogram {
  const m = chains.length;
  if (m === 0) throw new Error('rankHistogram: no chains');
  const n = chains[0].length;
  if (chains.some((c) => c.length !== n) || n === 0) throw new Error('rankHistogram: chains must have the same number (>= 1) of draws');
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`rankHistogram: bins must be a whole number >= 1, got ${bins}`);
  const S = m * n;
  const pooled = new Float64Array(S);
  chains.forEach((c, i) => pooled.set(c, i * n));
  const ranks = averageRanks(pooled);
  const counts = chains.map(() => new Array<number>(bins).fill(0));
  for (let i = 0; i < S; i++) {
    // rank r in [1, S] sits in bin floor((r - 1) * bins / S); average ranks of ties stay in range
    const b = Math.min(bins - 1, Math.floor(((ranks[i] - 1) * bins) / S));
    counts[Math.floor(i / n)][b]++;
  }
  const edges = Float64Array.from({ length: bins + 1 }, (_, k) => (k * S) / bins);
  return { edges, counts, expected: n / bins };
}

/** ArviZ's default bin count for n draws per chain: about sqrt(n), at least 5 and at most 50. */
export function defaultRankBins(n: number): number {
  return Math.max(5, Math.min(50, Math.round(Math.sqrt(n))));
}
