import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { buildGeoLayout, type GeoParamLayout } from '../model/geo-layout.ts';
import type { DensityKernel } from './kernel.ts';
import { initTfjsBackend, type TfjsBackend, type TfjsBackendOptions } from './tfjs-backend.ts';
import { createGeoDensityConstants, disposeGeoConstants, geoLogDensityOp } from './tfjs-geo-density.ts';
import { wrapTfjsDensity } from './tfjs.ts';

/**
 * The geo model's log density and gradient by tfjs autodiff, float32, batched over chains x
 * geos: theta [n * dim] -> logp [n], grad [n * dim], parameter order buildGeoLayout's.
 * evaluateSync on cpu and wasm only.
 * @throws when the backend cannot be initialised
 */
export async function createTfjsGeoKernel(
  spec: GeoModelSpec,
  data: GeoModelData,
  backend: TfjsBackend,
  options: TfjsBackendOptions = {},
): Promise<DensityKernel & { layout: GeoParamLayout }> {
  await initTfjsBackend(backend, options);
  const layout = buildGeoLayout(spec, data);
  const constants = createGeoDensityConstants(data, layout);
  return wrapTfjsDensity(backend, layout.dim, geoLogDensityOp(spec, data, layout, constants), () => disposeGeoConstants(constants), { layout });
}
