import { normalQuantile } from './normal.ts';

/**
 * Ranks 1..n with ties given their average rank (R's `rank(ties.method = 'average')`):
 * average ties keep a discrete quantity's distinct values distinct after normalisation.
 * @param values length n, any order; NaN sorts last (callers reject non-finite draws first)
 * @returns Float64Array of length n, ranks in [1, n]
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((i, j) => values[i]! - values[j]! || i - j);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]!]! === values[order[start]!]!) end++;
    // positions start..end-1 hold equal values: ranks start+1..end, average (start + 1 + end) / 2
    const r = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]!] = r;
    start = end;
  }
  return ranks;
}

/**
 * Rank-normalised draws of several chains: ranks over all chains pooled, mapped to normal scores
 * z = qnorm((r - 1/2) / S) with S the total count: rstan 2.21's `z_scale`, which the rstan
 * fixture confirms (Blom's (r - 3/8) / (S + 1/4), used by later versions of the posterior
 * package, moves bulk R-hat by ~1e-5 and would miss it).
 * @param chains [chain][iteration], equal lengths
 * @returns same shape, normal scores
 */
export function rankNormalize(chains: readonly Float64Array[]): Float64Array[] {
  const m = chains.length;
  const n = m > 0 ? chains[0]!.length : 0;
  const pooled = new Float64Array(m * n);
  for (let c = 0; c < m; c++) pooled.set(chains[c]!, c * n);
  const ranks = averageRanks(pooled);
  const S = m * n;
  const out: Float64Array[] = [];
  for (let c = 0; c < m; c++) {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = normalQuantile((ranks[c * n + i]! - 0.5) / S);
    out.push(z);
  }
  return out;
}
