/*
 * Pareto smoothed importance sampling (Vehtari, Simpson, Gelman, Yao & Gabry 2024, "Pareto
 * smoothed importance sampling", JMLR 25), written from the paper and from reading stan-dev/loo:
 * the largest M importance ratios are replaced by expected order statistics of a generalized
 * Pareto distribution fitted to them (Zhang & Stephens 2009, with loo's weakly informative prior
 * on the shape), and the shape estimate k-hat says whether the estimate can be trusted.
 */

/** Generalized Pareto fit of exceedances: shape k (k-hat) and scale sigma > 0. */
export interface GpdFit {
  k: number;
  sigma: number;
}

/**
 * Fits a generalized Pareto distribution (location 0) to exceedances by Zhang & Stephens' (2009)
 * empirical Bayes estimate on a grid of m = 30 + floor(sqrt(n)) points, then shrinks k towards 0.5
 * as a Normal prior worth 10 observations would: k = (n k + 5) / (n + 10).
 * @param x exceedances, sorted ascending, all > 0, n >= 5
 */
export function gpdFit(x: ArrayLike<number>): GpdFit {
  const n = x.length;
  const m = 30 + Math.floor(Math.sqrt(n));
  const xMax = x[n - 1];
  const xQuarter = x[Math.floor(n / 4 + 0.5) - 1];
  const b = new Float64Array(m);
  const L = new Float64Array(m);
  // mean log(1 - b x) for a candidate b: the profile estimate of k for that b
  const kOf = (bj: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.log1p(-bj * x[i]);
    return s / n;
  };
  for (let j = 0; j < m; j++) {
    b[j] = 1 / xMax + (1 - Math.sqrt(m / (j + 0.5))) / (3 * xQuarter);
    const kj = kOf(b[j]);
    // profile log-likelihood of the grid point
    L[j] = n * (Math.log(-b[j] / kj) - kj - 1);
  }
  // posterior weights of the grid points: w_j = 1 / sum_i exp(L_i - L_j)
  let bPost = 0;
  let wTotal = 0;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += Math.exp(L[i] - L[j]);
    const w = 1 / s;
    if (!(w >= 10 * Number.EPSILON)) continue;
    bPost += w * b[j];
    wTotal += w;
  }
  bPost /= wTotal;
  const k = kOf(bPost);
  const sigma = -k / bPost;
  return { k: (n * k + 10 * 0.5) / (n + 10), sigma };
}

/** Quantile function of the generalized Pareto distribution (location 0) at p in (0, 1). */
export function gpdQuantile(p: number, k: number, sigma: number): number {
  if (!(sigma > 0)) return NaN;
  return Math.abs(k) < Number.EPSILON ? -sigma * Math.log1p(-p) : (sigma * Math.expm1(-k * Math.log1p(-p))) / k;
}

/** log sum exp of values, stable for large magnitudes (-Infinity for an empty or all -Infinity input). */
export function logSumExp(v: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) max = Math.max(max, v[i]);
  if (!Number.isFinite(max)) return max;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += Math.exp(v[i] - max);
  return max + Math.log(s);
}

/** Smoothed, normalised log weights and the Pareto shape of their tail. */
export interface PsisResult {
  /** log weights [S], logSumExp = 0 */ logWeights: Float64Array;
  /** Pareto k-hat of the tail; Infinity when the tail is too short to fit (fewer than 5 ratios) */ k: number;
  /** ratios in the smoothed tail, M = ceil(min(0.2 S, 3 sqrt(S / rEff))) */ tailLength: number;
}

/**
 * Pareto smoothing of log importance ratios: the M largest ratios are replaced by the expected
 * order statistics of a generalized Pareto fitted to their exceedances over the (M+1)-th largest,
 * capped at the largest raw ratio; then the weights are normalised.
 * @param logRatios [S] log importance ratios (for LOO: minus the point's log-likelihood per draw), S >= 2
 * @param rEff relative efficiency of the draws (1 for independent draws)
 */
export function psisSmooth(logRatios: ArrayLike<number>, rEff = 1): PsisResult {
  const S = logRatios.length;
  if (S < 2) throw new Error(`PSIS needs at least 2 draws, got ${S}.`);
  let max = -Infinity;
  for (let i = 0; i < S; i++) max = Math.max(max, logRatios[i]);
  const lw = Float64Array.from(logRatios, (v) => v - max);
  const M = Math.ceil(Math.min(0.2 * S, 3 * Math.sqrt(S / rEff)));
  const order = Array.from({ length: S }, (_, i) => i).sort((a, b) => lw[a] - lw[b]);
  // stay above the smallest positive double so that exp(cutoff) is not 0
  const cutoff = Math.max(lw[order[S - M - 1]], Math.log(Number.MIN_VALUE));
  const tail = order.filter((i) => lw[i] > cutoff); // ascending
  let k = Infinity;
  if (tail.length >= 5) {
    const base = Math.exp(cutoff);
    const fit = gpdFit(tail.map((i) => Math.exp(lw[i]) - base));
    k = fit.k;
    if (Number.isFinite(k)) {
      const T = tail.length;
      tail.forEach((idx, r) => {
        // raw max is 0 after the shift: no smoothed weight may exceed it
        lw[idx] = Math.min(0, Math.log(gpdQuantile((r + 0.5) / T, fit.k, fit.sigma) + base));
      });
    }
  }
  const z = logSumExp(lw);
  for (let i = 0; i < S; i++) lw[i] -= z;
  return { logWeights: lw, k, tailLength: tail.length };
}
