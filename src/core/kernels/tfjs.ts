import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import { buildLayout, type ParamLayout } from '../model/layout.ts';
import type { DensityKernel, KernelName } from './kernel.ts';
import { initTfjsBackend, activateTfjsBackend, type TfjsBackend, type TfjsBackendOptions } from './tfjs-backend.ts';
import { createDensityConstants, disposeConstants, logDensityOp } from './tfjs-density.ts';

export type { TfjsBackend, TfjsBackendOptions, WasmFileName } from './tfjs-backend.ts';

/** Kernel name of each tfjs backend. */
export const TFJS_KERNEL_NAMES = {
  cpu: 'tfjs-cpu',
  wasm: 'tfjs-wasm',
  webgpu: 'tfjs-webgpu',
} as const satisfies Record<TfjsBackend, KernelName>;

/** Live tfjs tensors in this realm, over all backends (for leak checks). */
export function tfjsTensorCount(): number {
  return tf.memory().numTensors;
}

/** Whether a backend can hand results back synchronously (webgpu must not: dataSync breaks later reads). */
const HAS_SYNC_READ = { cpu: true, wasm: true, webgpu: false } as const satisfies Record<TfjsBackend, boolean>;

/**
 * The reference model's log density (Jacobians included, Stan's constants dropped) and its
 * gradient by tfjs autodiff, in float32, batched over chains: theta [n * dim] -> logp [n],
 * grad [n * dim], each row computed from its own theta row only. Parameter order is buildLayout's.
 * evaluateSync exists on cpu and wasm only. Only one tfjs backend is active per realm; the kernel
 * switches to its own before each evaluation.
 * @param backend 'cpu' | 'wasm' | 'webgpu' (webgpu needs a browser with navigator.gpu and an adapter)
 * @param options wasm binary locations for bundled browser builds (see TfjsBackendOptions)
 * @throws when the backend cannot be initialised, with the reason
 */
export async function createTfjsKernel(
  spec: ModelSpec,
  data: ModelData,
  backend: TfjsBackend,
  options: TfjsBackendOptions = {},
): Promise<DensityKernel & { layout: ParamLayout }> {
  await initTfjsBackend(backend, options);
  const layout = buildLayout(spec, data);
  const constants = createDensityConstants(spec, data, layout);
  return wrapTfjsDensity(backend, layout.dim, logDensityOp(spec, data, layout, constants), () => disposeConstants(constants), { layout });
}

/**
 * A DensityKernel around any batched tfjs log density theta [n, dim] -> logp [n] whose rows
 * depend on their own theta row only (gradient by autodiff). The backend must be initialised.
 * @param disposeConstants frees the density's constant tensors (called once, on dispose)
 * @param extra fields added to the kernel (e.g. its layout)
 */
export function wrapTfjsDensity<E extends object>(
  backend: TfjsBackend,
  dim: number,
  op: (theta: tf.Tensor2D) => tf.Tensor1D,
  disposeConstants: () => void,
  extra: E,
): DensityKernel & E {
  const valueAndGrad = tf.valueAndGrad(op);
  let disposed = false;

  // Runs the graph; the caller disposes value and grad after reading them.
  const launch = (theta: Float64Array, n: number) => {
    if (disposed) throw new Error(`Kernel ${TFJS_KERNEL_NAMES[backend]} was disposed.`);
    if (theta.length < n * dim) throw new Error(`theta holds ${theta.length} numbers, need n * dim = ${n * dim}.`);
    activateTfjsBackend(backend);
    return tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(theta.subarray(0, n * dim)), [n, dim]);
      // d(sum_i logp_i)/d theta = per-row gradients, since row i's logp depends on row i only
      return valueAndGrad(x);
    });
  };
  const store = (lpOut: Float64Array, gradOut: Float64Array, lp: ArrayLike<number>, g: ArrayLike<number>, n: number) => {
    for (let i = 0; i < n; i++) lpOut[i] = lp[i];
    for (let i = 0; i < n * dim; i++) gradOut[i] = g[i];
  };

  const kernel: DensityKernel & E = {
    ...extra,
    name: TFJS_KERNEL_NAMES[backend],
    dim,
    async evaluate(theta, n, logp, grad) {
      const { value, grad: g } = launch(theta, n);
      try {
        const [lp, gv] = await Promise.all([value.data(), g.data()]);
        store(logp, grad, lp, gv, n);
      } finally {
        value.dispose();
        g.dispose();
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      activateTfjsBackend(backend);
      disposeConstants();
    },
  };
  if (HAS_SYNC_READ[backend]) {
    kernel.evaluateSync = (theta, n, logp, grad) => {
      const { value, grad: g } = launch(theta, n);
      try {
        store(logp, grad, value.dataSync(), g.dataSync(), n);
      } finally {
        value.dispose();
        g.dispose();
      }
    };
  }
  return kernel;
}
