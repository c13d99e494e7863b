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
