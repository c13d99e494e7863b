import { sampleSd, stableMean } from './chains.ts';
import { essBulk, essTail } from './ess.ts';
import { quantileSorted } from './quantile.ts';
import { rhat } from './rhat.ts';

/** One parameter's posterior summary and convergence numbers (one row of the fit table). */
export interface SummaryRow {
  name: string;
  /** Posterior mean over all chains and draws. */
  mean: number;
  /** Posterior standard deviation (n - 1 denominator), all chains pooled. */
  sd: number;
  /** 5%, 50%, 95% quantiles, R type 7, all chains pooled. */
  q05: number;
  q50: number;
  q95: number;
  /** Rank-normalised split R-hat, max of bulk and folded (>= ~1; NaN for non-finite draws). */
  rhat: number;
  /** Bulk effective sample size (draws-equivalent, > 0). */
  essBulk: number;
  /** Tail effective sample size: min of the 5% and 95% quantile ESS. */
  essTail: number;
}

/**
 * Column p of row-major per-chain draws, as one Float64Array per chain.
 * @param draws per chain, [iterations * dim] row-major, all chains equal length
 * @param dim columns per row (>= 1)
 * @param p column index in [0, dim)
 * @returns [chain][iteration]
 */
export function columnChains(draws: readonly Float64Array[], dim: number, p: number): Float64Array[] {
  return draws.map((chain) => {
    const n = chain.length / dim;
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = chain[i * dim + p]!;
    return col;
  });
}

/**
 * Summary of one scalar quantity's draws.
 * @param name label carried into the row
 * @param chains [chain][iteration], equal lengths >= 1
 */
export function summarizeChains(name: string, chains: readonly Float64Array[]): SummaryRow {
  const m = chains.length;
  const n = chains[0]!.length;
  const pooled = new Float64Array(m * n);
  for (let c = 0; c < m; c++) pooled.set(chains[c]!, c * n);
  const sorted = pooled.slice().sort();
  return {
    name,
    mean: stableMean(pooled),
    sd: sampleSd(pooled),
    q05: quantileSorted(sorted, 0.05),
    q50: quantileSorted(sorted, 0.5),
    q95: quantileSorted(sorted, 0.95),
    rhat: rhat(chains),
    essBulk: essBulk(chains),
    essTail: essTail(chains),
  };
}

/**
 * The fit table: one row per parameter, in column order.
 * @param names column names, length dim
 * @param draws per chain, [iterations * dim] row-major (e.g. ChainResult.draws or a DrawTable's
 *   values), post-warmup, all chains the same length
 * @param dim columns per row, = names.length
 * @throws when the shapes disagree (a caller bug, not a convergence finding)
 */
export function summarizeDraws(names: readonly string[], draws: readonly Float64Array[], dim: number): SummaryRow[] {
  if (names.length !== dim) throw new Error(`summarizeDraws: ${names.length} names for dim ${dim}`);
  if (draws.length === 0) throw new Error('summarizeDraws: need at least one chain');
  const len = draws[0]!.length;
  for (const d of draws) {
    if (d.length !== len) throw new Error(`summarizeDraws: chains differ in length (${len} vs ${d.length})`);
  }
  if (len === 0 || len % dim !== 0) throw new Error(`summarizeDraws: chain length ${len} is not a positive multiple of dim ${dim}`);
  return names.map((name, p) => summarizeChains(name, columnChains(draws, dim, p)));
}
