import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { DensityKernel, KernelName } from './kernel.ts';
import { createFusedKernel } from './fused.ts';
import { createFusedGeoKernel } from './fused-geo.ts';
import type { TfjsBackendOptions } from './tfjs-backend.ts';
import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { modelOf, type AnyModel, type ModelKind } from '../model/model-kind.ts';

/** Backend of each tfjs kernel name. */
const TFJS_BACKEND = { 'tfjs-cpu': 'cpu', 'tfjs-wasm': 'wasm', 'tfjs-webgpu': 'webgpu' } as const;

/** Kernel builders per model family: fused (float64, analytic) and tfjs (float32, autodiff) each. */
const BUILDERS = {
  national: async (name, m, o) => {
    if (name === 'fused') return createFusedKernel(m.spec, m.data);
    const { createTfjsKernel } = await import('./tfjs.ts');
    return createTfjsKernel(m.spec, m.data, TFJS_BACKEND[name], o);
  },
  geo: async (name, m, o) => {
    if (name === 'fused') return createFusedGeoKernel(m.spec, m.data);
    const { createTfjsGeoKernel } = await import('./tfjs-geo.ts');
    return createTfjsGeoKernel(m.spec, m.data, TFJS_BACKEND[name], o);
  },
} satisfies {
  [K in ModelKind]: (name: KernelName, m: Extract<AnyModel, { kind: K }>, o: TfjsBackendOptions) => Promise<DensityKernel>;
};

/**
 * Creates a density kernel by name for the national or the geo model (a spec with a `geo`
 * section and GeoModelData). tfjs is imported lazily, so a fit pinned to the fused kernel never
 * loads it.
 * @throws when spec and data belong to different model families
 */
export async function createKernel(
  name: KernelName,
  spec: ModelSpec | GeoModelSpec,
  data: ModelData | GeoModelData,
  tfjsOptions: TfjsBackendOptions = {},
): Promise<DensityKernel> {
  const m = modelOf(spec, data);
  return (BUILDERS[m.kind] as (name: KernelName, m: AnyModel, o: TfjsBackendOptions) => Promise<DensityKernel>)(name, m, tfjsOptions);
}

/** Kernels worth probing on this device: fused always; tfjs-wasm as the batched alternative. */
export const PROBE_CANDIDATES: readonly KernelName[] = ['fused', 'tfjs-wasm'];
