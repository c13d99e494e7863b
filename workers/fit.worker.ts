import { expose, transfer } from 'comlink';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { probeFitKernels, runFitJob } from '../src/core/inference/fit-worker-impl.ts';
import type { FitWorkerApi } from './api.ts';

// Thin: the logic lives in src/core/inference/fit-worker-impl.ts.
const tfjsOptions = {
  wasmPaths: {
    'tfjs-backend-wasm.wasm': wasmUrl,
    'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
  },
};
const now = () => performance.now();

const api: FitWorkerApi = {
  probe: (spec, data, budgetMs) => probeFitKernels(spec, data, budgetMs, now, tfjsOptions),
  async fit(job, onStatus, onBlock) {
    const out = await runFitJob(job, now, onStatus, tfjsOptions, onBlock);
    const buffers = out.flatMap((c) => [c.result.draws.buffer, c.table.values.buffer]);
    return transfer(out, buffers as ArrayBuffer[]);
  },
};
expose(api);
