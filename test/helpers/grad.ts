/** max_j |g_j - ref_j| / max_j |ref_j| for one point: float32 kernels are judged against the gradient's max-norm. */
export function relGradDiff(g: ArrayLike<number>, ref: ArrayLike<number>): number {
  let err = 0;
  let scale = 0;
  for (let j = 0; j < ref.length; j++) {
    err = Math.max(err, Math.abs(g[j] - ref[j]));
    scale = Math.max(scale, Math.abs(ref[j]));
  }
  return err / scale;
}

/** Step of the 5-point central difference: truncation O(h^4), rounding ~eps |f| / h (~1e-9 here). */
export const FD_STEP = 1e-3;

/** |a - b| / max(1, |b|): relative where the reference is large, absolute near 0. */
export const relErr = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

/** Log density of a kernel with a synchronous path at one unconstrained point. */
export function kernelValue(k: { dim: number; evaluateSync?: (theta: Float64Array, n: number, logp: Float64Array, grad: Float64Array) => void }, theta: Float64Array): number {
  const lp = new Float64Array(1);
  k.evaluateSync!(theta, 1, lp, new Float64Array(k.dim));
  return lp[0];
}

/** 5-point central-difference gradient of `f` at `x`, step FD_STEP. */
export function fdGradient(f: (x: Float64Array) => number, x: Float64Array): Float64Array {
  const H = FD_STEP;
  const g = new Float64Array(x.length);
  const y = Float64Array.from(x);
  const at = (i: number, d: number) => {
    y[i] = x[i] + d;
    const v = f(y);
    y[i] = x[i];
    return v;
  };
  for (let i = 0; i < x.length; i++) g[i] = (8 * (at(i, H) - at(i, -H)) - (at(i, 2 * H) - at(i, -2 * H))) / (12 * H);
  return g;
}
