import type { AdstockSpec } from '../spec/model-spec.ts';

/**
 * Normalised geometric adstock weights w_l = alpha^l / sum_{j<L} alpha^j, l = 0..L-1.
 * @param alpha retention in (0, 1) (0 gives [1, 0, ...]; 1 gives uniform weights)
 * @param lags L >= 1, the kernel length (max lag + 1)
 * @returns weights [L], summing to 1
 */
export function geometricWeights(alpha: number, lags: number): Float64Array {
  const w = new Float64Array(lags);
  let p = 1;
  let total = 0;
  for (let l = 0; l < lags; l++) {
    w[l] = p;
    total += p;
    p *= alpha;
  }
  for (let l = 0; l < lags; l++) w[l] /= total;
  return w;
}

/**
 * Geometric adstock by the direct L-lag convolution, zero padding before week 1 (not recursive):
 * a_t = sum_{l<L} w_l x_{t-l}. The obvious O(N L) reference; the fused kernel uses a recursion.
 * @param x input per week [N] (e.g. spend / mean spend, >= 0)
 * @param alpha retention in (0, 1)
 * @param lags L >= 1
 * @returns adstocked series [N]
 */
export function geometricAdstock(x: ArrayLike<number>, alpha: number, lags: number): Float64Array {
  const w = geometricWeights(alpha, lags);
  const n = x.length;
  const a = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let l = 0; l < lags && l <= t; l++) s += w[l] * x[t - l];
    a[t] = s;
  }
  return a;
}

/** An adstock transform: input series [N] and its one shape parameter -> adstocked series [N]. */
export type AdstockFn = (x: ArrayLike<number>, alpha: number, spec: AdstockSpec) => Float64Array;

/** Adstock transforms by spec kind. */
export const ADSTOCKS = {
  geometric: (x, alpha, spec) => geometricAdstock(x, alpha, spec.lags),
} satisfies Record<AdstockSpec['kind'], AdstockFn>;

/** Applies the adstock a spec names. */
export function applyAdstock(spec: AdstockSpec, x: ArrayLike<number>, alpha: number): Float64Array {
  return ADSTOCKS[spec.kind](x, alpha, spec);
}
