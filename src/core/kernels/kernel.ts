/** The compute kernels that can evaluate the model's log density. */
export type KernelName = 'fused' | 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-webgpu';

/**
 * Log posterior density (Jacobians included) and its gradient with respect to the
 * unconstrained parameters, for a batch of points (one per chain).
 * Layouts are row-major: theta and grad are [n * dim], logp is [n].
 * Callers only ever see typed arrays; tensors never leave src/core/kernels.
 */
export interface DensityKernel {
  readonly name: KernelName;
  /** Number of unconstrained parameters. */
  readonly dim: number;
  /** Evaluates n points; resolves when logp and grad are filled. */
  evaluate(theta: Float64Array, n: number, logp: Float64Array, grad: Float64Array): Promise<void>;
  /** Synchronous form where the backend allows it (fused, tfjs cpu/wasm); absent on webgpu. */
  evaluateSync?(theta: Float64Array, n: number, logp: Float64Array, grad: Float64Array): void;
  /** Frees backend memory; the kernel is unusable afterwards. */
  dispose(): void;
}

/** A single-point log density with gradient: what the sampler's hot loop calls. */
export interface LogDensity {
  readonly dim: number;
  /** Writes d logp / d q into grad ([dim]) and returns logp at q ([dim]). */
  logDensityGrad(q: Float64Array, grad: Float64Array): number;
}

/** Adapts a kernel with a synchronous path to the sampler's single-point interface. */
export function asLogDensity(kernel: DensityKernel): LogDensity {
  const sync = kernel.evaluateSync;
  if (!sync) throw new Error(`Kernel ${kernel.name} has no synchronous path; it cannot drive a single chain.`);
  const lp = new Float64Array(1);
  return {
    dim: kernel.dim,
    logDensityGrad(q, grad) {
      sync.call(kernel, q, 1, lp, grad);
      return lp[0];
    },
  };
}

/**
 * The fused kernels' shell around their per-point density: evaluates n points in turn, and
 * `evaluate` is the synchronous path resolved (nothing to free).
 * @param point writes the gradient at grad[gradOffset .. + dim) for theta[thetaOffset .. + dim) and returns logp
 */
export function fusedKernel<L>(dim: number, layout: L, point: (theta: Float64Array, thetaOffset: number, grad: Float64Array, gradOffset: number) => number): DensityKernel & { readonly layout: L } {
  function evaluateSync(theta: Float64Array, n: number, logp: Float64Array, grad: Float64Array): void {
    for (let i = 0; i < n; i++) logp[i] = point(theta, i * dim, grad, i * dim);
  }
  return {
    name: 'fused',
    dim,
    layout,
    evaluateSync,
    evaluate(theta, n, logp, grad) {
      evaluateSync(theta, n, logp, grad);
      return Promise.resolve();
    },
    dispose() {},
  };
}
