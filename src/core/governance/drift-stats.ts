import { normalQuantile } from '../diagnostics/normal.ts';

/*
 * Two-sample distribution shift statistics for the data drift report: the population stability
 * index (PSI, binned on the reference sample's quantiles) and the Kolmogorov-Smirnov statistic
 * with its asymptotic p-value. Missing values (NaN) are left out of both samples.
 */

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) out.push(x);
  }
  return Float64Array.from(out).sort();
}

/** Options of the PSI. */
export interface PsiOptions {
  /** Number of quantile bins of the reference sample (default 10, deciles); ties merge bins. */
  bins?: number;
  /** Explicit inner bin edges, ascending (a value v falls in the first bin with v <= edge). Overrides `bins`. */
  edges?: readonly number[];
  /** Floor on a bin's proportion so an empty bin does not make the PSI infinite (default 1e-4). */
  floor?: number;
}

/** PSI and what it was computed from. */
export interface PsiResult {
  psi: number;
  /** Inner edges used (bins = edges.length + 1). */
  edges: number[];
  /** Reference and comparison proportions per bin (before the floor). */
  expected: number[];
  actual: number[];
}

/** Inner edges at the reference sample's quantiles (type 7), duplicates merged. */
function quantileEdges(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  const n = sorted.length;
  for (let k = 1; k < bins; k++) {
    const h = ((n - 1) * k) / bins;
    const lo = Math.floor(h);
    const e = sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, n - 1)]! - sorted[lo]!));
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  // the top edge equal to the maximum would leave the last bin empty by construction
  while (edges.length > 0 && edges[edges.length - 1]! >= sorted[n - 1]!) edges.pop();
  return edges;
}

function proportions(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let b = 0;
  for (const x of sorted) {
    while (b < edges.length && x > edges[b]!) b++;
    counts[b]!++;
  }
  return counts.map((c) => c / sorted.length);
}

/**
 * Population stability index of `actual` against the reference `expected`:
 * sum over bins of (a - e) ln(a / e), proportions floored at `floor`. Reads < 0.1 as stable,
 * 0.1-0.25 as a moderate shift, > 0.25 as a major one.
 * @returns psi NaN when either sample has no finite value
 */
export function populationStabilityIndex(expected: ArrayLike<number>, actual: ArrayLike<number>, options: PsiOptions = {}): PsiResult {
  const e = finiteSorted(expected);
  const a = finiteSorted(actual);
  if (e.length === 0 || a.length === 0) return { psi: NaN, edges: [], expected: [], actual: [] };
  const edges = options.edges ? [...options.edges] : quantileEdges(e, options.bins ?? 10);
  const floor = options.floor ?? 1e-4;
  const pe = proportions(e, edges);
  const pa = proportions(a, edges);
  let psi = 0;
  for (let i = 0; i < pe.length; i++) {
    const x = Math.max(pe[i]!, floor);
    const y = Math.max(pa[i]!, floor);
    psi += (y - x) * Math.log(y / x);
  }
  return { psi, edges, expected: pe, actual: pa };
}

/** Two-sample Kolmogorov-Smirnov result. */
export interface KsResult {
  /** sup |F1(x) - F2(x)| over the pooled sample, in [0, 1]. */
  d: number;
  /** Asymptotic p-value (Stephens' small-sample correction), in [0, 1]; NaN for an empty sample. */
  pValue: number;
  n1: number;
  n2: number;
}

/** Kolmogorov distribution tail Q(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2). */
export function kolmogorovTail(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-12) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * Two-sample KS test of `a` against `b` (NaN left out).
 * p-value: Q((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D), ne = n1 n2 / (n1 + n2) (Numerical Recipes).
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = finiteSorted(a);
  const y = finiteSorted(b);
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { d: NaN, pValue: NaN, n1, n2 };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < n1 && x[i]! <= v) i++;
    while (j < n2 && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / n1 - j / n2));
  }
  const ne = (n1 * n2) / (n1 + n2);
  const sq = Math.sqrt(ne);
  return { d, pValue: kolmogorovTail((sq + 0.12 + 0.11 / sq) * d), n1, n2 };
}

/**
 * The PSI that sampling noise alone exceeds with probability 1 - p: with bins B and sample sizes
 * n1, n2, ne PSI is approximately chi-square with B - 1 degrees of freedom under no shift
 * (ne = n1 n2 / (n1 + n2)), so the level is chi2_p(B - 1) / ne (Wilson-Hilferty quantile).
 * A fixed PSI threshold (0.1, 0.25) reads noise as shift for a few new weeks; this does much
 * less (simulated: 2-3% of no-shift pairs exceed it at 180 vs 28 values with a half-count floor).
 * @param bins B >= 2; n1, n2 >= 1; p in (0, 1), e.g. 0.99
 */
export function psiNoiseLevel(bins: number, n1: number, n2: number, p = 0.99): number {
  const k = bins - 1;
  const z = normalQuantile(p);
  const chi2 = k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
  return chi2 / ((n1 * n2) / (n1 + n2));
}

/** Bins for a PSI between samples of n1 and n2 values: about 5 values per bin of the smaller, 2 to 10 bins. */
export function psiBins(n1: number, n2: number): number {
  return Math.min(10, Math.max(2, Math.floor(Math.min(n1, n2) / 5)));
}
