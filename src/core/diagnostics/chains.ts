/**
 * The draws of one scalar quantity across chains, and the reshaping every diagnostic shares.
 * Layout: `chains[c][i]` is iteration i of chain c (post-warmup only), all chains equal length.
 */

/** Draws of one scalar: [chain][iteration], every chain the same length, warmup excluded. */
export type ChainDraws = readonly Float64Array[];

/**
 * Throws unless there is at least one chain and all chains have the same length:
 * a ragged input is a caller bug, not a convergence problem.
 * @returns [chains, iterations]
 */
export function chainShape(chains: ChainDraws): [number, number] {
  if (chains.length === 0) throw new Error('diagnostics: need at least one chain');
  const n = chains[0]!.length;
  for (const c of chains) if (c.length !== n) throw new Error(`diagnostics: chains differ in length (${n} vs ${c.length})`);
  return [chains.length, n];
}

/**
 * Each chain cut into its first and second half, as rstan's `split_chains`: with an odd
 * length the middle draw is dropped (halves of floor(n/2)); a single draw is left as it is.
 * @returns [2 * chains][floor(n / 2)] (views on the input, not copies)
 */
export function splitChains(chains: ChainDraws): Float64Array[] {
  const [, n] = chainShape(chains);
  if (n === 1) return chains.slice();
  const half = Math.floor(n / 2);
  const out: Float64Array[] = [];
  for (const c of chains) out.push(c.subarray(0, half));
  for (const c of chains) out.push(c.subarray(n - half));
  return out;
}

/** All draws of all chains in one array, chain after chain: length chains * iterations. */
export function poolChains(chains: ChainDraws): Float64Array {
  const [m, n] = chainShape(chains);
  const out = new Float64Array(m * n);
  for (let c = 0; c < m; c++) out.set(chains[c]!, c * n);
  return out;
}

/** True when every draw is a finite number. */
export function allFinite(chains: ChainDraws): boolean {
  for (const c of chains) for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i]!)) return false;
  return true;
}

/** True when max - min < machine epsilon (absolute, as rstan's `is_constant`). */
export function isConstant(chains: ChainDraws): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of chains) {
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return Math.abs(hi - lo) < Number.EPSILON;
}

/** Applies f to every draw, keeping the shape: [chain][iteration]. */
export function mapChains(chains: ChainDraws, f: (v: number) => number): Float64Array[] {
  return chains.map((c) => c.map(f));
}

/** Mean of a vector (length >= 1). */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]!;
  return s / x.length;
}

/**
 * Mean that does not overflow: the plain sum when it is finite, else the sum of x / max|x|
 * rescaled (draws near 1e308 would sum to Infinity). NaN if any x is NaN.
 */
export function stableMean(x: ArrayLike<number>): number {
  const m = mean(x);
  if (Number.isFinite(m) || x.length === 0) return m;
  const scale = maxAbs(x);
  if (!Number.isFinite(scale)) return m;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! / scale;
  return (s / x.length) * scale;
}

/**
 * Sample standard deviation (n - 1 denominator, as R's `sd`) that stays finite for any finite
 * draws: two passes, the deviations divided by their largest magnitude before squaring (d * d
 * overflows from |d| ~ 1.3e154). NaN for length < 2 or a non-finite draw.
 */
export function sampleSd(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mu = stableMean(x);
  if (!Number.isFinite(mu)) return NaN;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(x[i]! - mu));
  // x - mu itself overflows only for draws of both signs near the float limit: halve first.
  if (!Number.isFinite(scale)) {
    scale = 0;
    for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(x[i]! / 2 - mu / 2));
    if (scale === 0 || !Number.isFinite(scale)) return NaN;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = (x[i]! / 2 - mu / 2) / scale;
      s += d * d;
    }
    return 2 * scale * Math.sqrt(s / (n - 1));
  }
  if (scale === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = (x[i]! - mu) / scale;
    s += d * d;
  }
  return scale * Math.sqrt(s / (n - 1));
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

/** Sample variance with the n - 1 denominator, as R's `var` (NaN for length < 2). */
export function sampleVariance(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  const mu = mean(x);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mu;
    s += d * d;
  }
  return s / (n - 1);
}
