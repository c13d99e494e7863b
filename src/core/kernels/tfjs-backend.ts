import * as tf from '@tensorflow/tfjs-core';
// tfjs-core alone registers no gradients; the kernels need autodiff.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

/** The tfjs backends a density kernel can run on. */
export type TfjsBackend = 'cpu' | 'wasm' | 'webgpu';

/** The three binaries of @tensorflow/tfjs-backend-wasm, by file name. */
export type WasmFileName = 'tfjs-backend-wasm.wasm' | 'tfjs-backend-wasm-simd.wasm' | 'tfjs-backend-wasm-threaded-simd.wasm';

/** How to set up a backend the first time it is used in this realm (tfjs state is global). */
export interface TfjsBackendOptions {
  /**
   * Where the wasm backend fetches its binaries: a URL/path prefix ending in `/`, or each file's
   * URL (in a Vite bundle: the three files imported with `?url`). Not needed in node, where
   * the package finds its own files. Only the first initialisation of the wasm backend uses it.
   */
  wasmPaths?: string | Partial<Record<WasmFileName, string>>;
}

const LOADERS = {
  cpu: async () => {
    await import('@tensorflow/tfjs-backend-cpu');
  },
  wasm: async (o) => {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (o.wasmPaths !== undefined) wasm.setWasmPaths(o.wasmPaths as string | Record<string, string>);
  },
  webgpu: async () => {
    // probe the adapter first: tfjs only logs a warning when its own request comes back empty
    const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
    if (!gpu) throw new Error('WebGPU is not available here (navigator.gpu is undefined).');
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('WebGPU is exposed but navigator.gpu.requestAdapter() returned null (no adapter).');
    await import('@tensorflow/tfjs-backend-webgpu');
  },
} satisfies Record<TfjsBackend, (o: TfjsBackendOptions) => Promise<void>>;

const ready: Partial<Record<TfjsBackend, Promise<void>>> = {};
const initialised = new Set<TfjsBackend>();

/**
 * Loads and initialises a tfjs backend once per realm; a failed attempt can be retried.
 * Leaves `backend` active. Throws with the reason when the backend cannot start.
 */
export function initTfjsBackend(backend: TfjsBackend, options: TfjsBackendOptions = {}): Promise<void> {
  ready[backend] ??= (async () => {
    await LOADERS[backend](options);
    if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" failed to initialise.`);
    initialised.add(backend);
  })().catch((e: unknown) => {
    delete ready[backend];
    throw e;
  });
  return ready[backend].then(() => activateTfjsBackend(backend));
}

/**
 * Makes an initialised backend the active one, synchronously. tfjs keeps one active backend
 * per realm; each kernel switches to its own before it runs, so its constant tensors never
 * migrate between backends.
 */
export function activateTfjsBackend(backend: TfjsBackend): void {
  if (tf.getBackend() === backend) return;
  if (!initialised.has(backend)) throw new Error(`tfjs backend "${backend}" is not initialised.`);
  // setBackend is async, but for a backend already initialised it completes the switch
  // before returning its promise (tfjs-core 4.22 engine.setBackend: no await on that path)
  void tf.setBackend(backend);
}
