import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { DensityKernel, KernelName } from './kernel.ts';
import { createFusedKernel } from './fused.ts';
import type { TfjsBackendOptions } from './tfjs-backend.ts';

/** Backend of each tfjs kernel name. */
const TFJS_BACKEND = { 'tfjs-cpu': 'cpu', 'tfjs-wasm': 'wasm', 'tfjs-webgpu': 'webgpu' } as const;

/**
 * Creates a density kernel by name. tfjs is imported lazily, so a fit pinned to the fused
 * kernel never loads it.
 */
export async function createKernel(
  name: KernelName,
  spec: ModelSpec,
  data: ModelData,
  tfjsOptions: TfjsBackendOptions = {},
): Promise<DensityKernel> {
  if (name === 'fused') return createFusedKernel(spec, data);
  const { createTfjsKernel } = await import('./tfjs.ts');
  return createTfjsKernel(spec, data, TFJS_BACKEND[name], tfjsOptions);
}

/** Kernels worth probing on this device: fused always; tfjs-wasm as the batched alternative. */
export const PROBE_CANDIDATES: readonly KernelName[] = ['fused', 'tfjs-wasm'];
