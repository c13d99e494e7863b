import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSyntheticGeo } from '../../src/core/synthetic/geo-generator.ts';
import { prepareGeoModelData } from '../../src/core/model/geo-model-data.ts';
import { DEFAULT_GEO_MODEL_SPEC, type GeoModelSpec } from '../../src/core/spec/geo-spec.ts';
import { createFusedGeoKernel } from '../../src/core/kernels/fused-geo.ts';
import { createTfjsGeoKernel } from '../../src/core/kernels/tfjs-geo.ts';
import { tfjsTensorCount } from '../../src/core/kernels/tfjs.ts';
import { fromGeoParams, unconstrainGeo } from '../../src/core/model/geo-posterior.ts';
import { relGradDiff } from '../helpers/grad.ts';

// float32 tfjs against float64 fused, tolerances as in tfjs-kernel.test.ts: gradients to 1e-5 of
// their max-norm (each component sums up to G N ~ 300 terms, rounding ~sqrt(300) x 6e-8 of the
// largest term); log density differences to 1e-6 (|lp_i| + |lp_j|).
const GRAD_TOL = 1e-5;
const LP_TOL = 1e-6;

const perGeo: GeoModelSpec = { ...DEFAULT_GEO_MODEL_SPEC, geo: { ...DEFAULT_GEO_MODEL_SPEC.geo, noise: 'perGeo' } };

describe.each([
  ['cpu', 'shared', DEFAULT_GEO_MODEL_SPEC],
  ['wasm', 'perGeo', perGeo],
  ['cpu', 'shared (direct intercepts)', { ...DEFAULT_GEO_MODEL_SPEC, geo: { ...DEFAULT_GEO_MODEL_SPEC.geo, intercept: 'direct' } } as GeoModelSpec],
  ['wasm', 'shared (centred beta)', { ...DEFAULT_GEO_MODEL_SPEC, geo: { ...DEFAULT_GEO_MODEL_SPEC.geo, parametrization: 'centred' } } as GeoModelSpec],
] as const)('tfjs-%s geo kernel (%s noise) against the fused geo kernel', (backend, _noise, spec) => {
  const syn = generateSyntheticGeo(new Rng(21), { geos: 6, weeks: 52, spec });
  const data = prepareGeoModelData(syn.dataset, spec);
  const fused = createFusedGeoKernel(spec, data);
  const truthU = unconstrainGeo(fused.layout, fromGeoParams(fused.layout, syn.truth.params, { spec, data }));
  const rng = new Rng(4);
  const n = 8; // one batch: 8 chains x 6 geos
  const theta = new Float64Array(n * fused.dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < fused.dim; j++) theta[i * fused.dim + j] = i < 5 ? truthU[j] + 0.4 * rng.normal() : rng.uniformIn(-1.5, 1.5);
  let kernel: Awaited<ReturnType<typeof createTfjsGeoKernel>>;
  beforeAll(async () => {
    kernel = await createTfjsGeoKernel(spec, data, backend);
  });
  afterAll(() => kernel?.dispose());

  it('agrees on log density differences and gradients at 8 points in one batch', async () => {
    expect(kernel.dim).toBe(fused.dim);
    const lpT = new Float64Array(n), gT = new Float64Array(n * fused.dim);
    await kernel.evaluate(theta, n, lpT, gT);
    const lpF = new Float64Array(n), gF = new Float64Array(n * fused.dim);
    fused.evaluateSync!(theta, n, lpF, gF);
    for (let i = 0; i < n; i++) {
      const sl = (a: Float64Array) => a.subarray(i * fused.dim, (i + 1) * fused.dim);
      expect(relGradDiff(sl(gT), sl(gF)), `point ${i}`).toBeLessThan(GRAD_TOL);
      for (let j = 0; j < i; j++) {
        expect(Math.abs(lpT[i] - lpT[j] - (lpF[i] - lpF[j]))).toBeLessThan(LP_TOL * (Math.abs(lpF[i]) + Math.abs(lpF[j])));
      }
    }
    // Stan's dropped constants are the same in both: the values agree absolutely too
    for (let i = 0; i < n; i++) expect(Math.abs(lpT[i] - lpF[i])).toBeLessThan(LP_TOL * Math.abs(lpF[i]) + 1e-3);
  });

  it('synchronous path gives the batch result and leaks no tensors', () => {
    const before = tfjsTensorCount();
    const lp = new Float64Array(n), g = new Float64Array(n * fused.dim);
    kernel.evaluateSync!(theta, n, lp, g);
    expect(tfjsTensorCount()).toBe(before);
    expect(lp.every(Number.isFinite)).toBe(true);
  });
});
