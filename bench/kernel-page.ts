// Browser side of bench/kernel-browser.ts: exposes window.runKernelBench, which measures the
// fused and tfjs kernels on the ModelData it is handed (prepared in node from the Robyn CSV).
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { ModelSpec } from '../src/core/spec/model-spec.ts';
import type { ModelData } from '../src/core/model/model-data.ts';
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import { createTfjsKernel, type TfjsBackend } from '../src/core/kernels/tfjs.ts';
import { runKernelSuite, type SuiteOptions, type SuiteResult } from './kernel-measure.ts';

/** ModelData with its typed arrays as plain number arrays (what page.evaluate can carry). */
export type PlainModelData = { [K in keyof ModelData]: ModelData[K] extends Float64Array ? number[] : ModelData[K] };

/** What the driver passes in. */
export interface PagePayload {
  spec: ModelSpec;
  data: PlainModelData;
  options: SuiteOptions;
}

/** What the page hands back: the suite plus what the browser offered. */
export interface PageResult extends SuiteResult {
  userAgent: string;
  crossOriginIsolated: boolean;
  webgpuAdapter: string;
  log: string[];
}

async function adapterInfo(): Promise<string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'navigator.gpu undefined';
  const a = await gpu.requestAdapter();
  return a ? `${a.info?.vendor ?? '?'} / ${a.info?.architecture ?? '?'} / ${a.info?.description ?? ''}`.trim() : 'no adapter';
}

async function runKernelBench(payload: PagePayload): Promise<PageResult> {
  const d = payload.data;
  const f64 = (a: number[]) => Float64Array.from(a);
  const data: ModelData = {
    ...d,
    X: f64(d.X), Z: f64(d.Z), y: f64(d.y), spendTotal: f64(d.spendTotal),
    spendMean: f64(d.spendMean), t01: f64(d.t01), F: f64(d.F),
  };
  const log: string[] = [];
  const fused = createFusedKernel(payload.spec, data);
  const wasmPaths = {
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  };
  const suite = await runKernelSuite(
    fused,
    (b) => createTfjsKernel(payload.spec, data, b as TfjsBackend, { wasmPaths }),
    payload.options,
    (l) => log.push(l),
  );
  return {
    ...suite,
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    webgpuAdapter: await adapterInfo(),
    log,
  };
}

(window as unknown as { runKernelBench: typeof runKernelBench }).runKernelBench = runKernelBench;
