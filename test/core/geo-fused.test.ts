import { describe, expect, it } from 'vitest';
import { fdGradient, kernelValue, relErr } from '../helpers/grad.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSyntheticGeo } from '../../src/core/synthetic/geo-generator.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { prepareGeoModelData, type GeoModelData } from '../../src/core/model/geo-model-data.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_GEO_MODEL_SPEC, type GeoModelSpec } from '../../src/core/spec/geo-spec.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { createFusedGeoKernel } from '../../src/core/kernels/fused-geo.ts';
import { createFusedKernel } from '../../src/core/kernels/fused.ts';
import { constrainGeo, fromGeoParams, geoLogPosterior, toGeoParams, unconstrainGeo } from '../../src/core/model/geo-posterior.ts';
import { buildGeoLayout } from '../../src/core/model/geo-layout.ts';
import { toGeoDrawTable } from '../../src/core/model/geo-derived.ts';
import { unconstrainedPrior } from '../../src/core/model/bijectors.ts';
import type { Prior } from '../../src/core/spec/prior.ts';

// Same finite-difference scheme as fused.test.ts (test/helpers/grad.ts): 5-point central difference, h = 1e-3.
const value = kernelValue;

const perGeoSpec: GeoModelSpec = { ...DEFAULT_GEO_MODEL_SPEC, geo: { ...DEFAULT_GEO_MODEL_SPEC.geo, noise: 'perGeo' } };
const centredSpec: GeoModelSpec = { ...DEFAULT_GEO_MODEL_SPEC, geo: { ...DEFAULT_GEO_MODEL_SPEC.geo, parametrization: 'centred' } };
const directSpec: GeoModelSpec = { ...DEFAULT_GEO_MODEL_SPEC, geo: { ...DEFAULT_GEO_MODEL_SPEC.geo, intercept: 'direct' } };
const cases = ([['shared noise', DEFAULT_GEO_MODEL_SPEC], ['per-geo noise', perGeoSpec], ['centred beta', centredSpec], ['direct intercepts', directSpec]] as const).map(([name, spec]) => {
  const syn = generateSyntheticGeo(new Rng(11), { geos: 5, weeks: 60, spec });
  const data = prepareGeoModelData(syn.dataset, spec);
  const layout = buildGeoLayout(spec, data);
  const truthU = unconstrainGeo(layout, fromGeoParams(layout, syn.truth.params, { spec, data }));
  const rng = new Rng(3);
  // 6 points around the truth (where the sampler lives) and 4 uniform in [-1.5, 1.5] (Stan's init region)
  const pts = Array.from({ length: 10 }, (_, j) =>
    Float64Array.from(truthU, (u) => (j < 6 ? u + 0.5 * rng.normal() : rng.uniformIn(-1.5, 1.5))),
  );
  return [name, spec, data, pts] as [string, GeoModelSpec, GeoModelData, Float64Array[]];
});

describe.each(cases)('fused geo kernel, %s', (_name, spec, data, pts) => {
  const k = createFusedGeoKernel(spec, data);

  it('lays out intercept[G], pooled beta (mu, tau, z[C x G]), gamma[G x K] and sigma as the spec says', () => {
    const { G, C, K } = data;
    const sig = spec.geo.noise === 'perGeo' ? G : 1;
    expect(k.layout.blocks[0].name).toBe(spec.geo.intercept === 'level' ? 'level' : 'intercept');
    // a spec written before the option (no geo.intercept) keeps its direct intercepts
    const { intercept: _drop, ...older } = spec.geo;
    expect(buildGeoLayout({ ...spec, geo: older }, data).blocks[0].name).toBe('intercept');
    expect(k.dim).toBe(G + 1 + data.nF + 2 * C + C * G + 3 * C + G * K + sig);
    expect(k.layout.names).toContain(spec.geo.parametrization === 'centred' ? 'beta_log[tv,geo03]' : 'beta_z[tv,geo03]');
    expect(k.layout.names).toContain('gamma[geo04,price_index]');
  });

  it('gradient matches finite differences at 10 points (rel < 1e-6)', () => {
    const g = new Float64Array(k.dim), lp = new Float64Array(1);
    for (const x of pts) {
      k.evaluateSync!(x, 1, lp, g);
      expect(Number.isFinite(lp[0])).toBe(true);
      const fd = fdGradient((y) => value(k, y), x);
      for (let i = 0; i < k.dim; i++) expect(relErr(fd[i], g[i]), k.layout.names[i]).toBeLessThan(1e-6);
    }
  });

  it('value equals the plain geo posterior (national reference code per geo) to 1e-11', () => {
    const g = new Float64Array(k.dim), lp = new Float64Array(1);
    for (const x of pts) {
      k.evaluateSync!(x, 1, lp, g);
      expect(relErr(lp[0], geoLogPosterior(spec, data, k.layout, x))).toBeLessThan(1e-11);
    }
  });

  it('evaluates a batch of points row by row (same numbers as one at a time)', () => {
    const n = 3;
    const theta = new Float64Array(n * k.dim);
    pts.slice(0, n).forEach((p, i) => theta.set(p, i * k.dim));
    const lp = new Float64Array(n), g = new Float64Array(n * k.dim);
    k.evaluateSync!(theta, n, lp, g);
    const lp1 = new Float64Array(1), g1 = new Float64Array(k.dim);
    for (let i = 0; i < n; i++) {
      k.evaluateSync!(pts[i], 1, lp1, g1);
      expect(lp[i]).toBe(lp1[0]);
      expect(Array.from(g.subarray(i * k.dim, (i + 1) * k.dim))).toEqual(Array.from(g1));
    }
  });
});

describe('level parametrization of the intercepts (geo.intercept level vs direct)', () => {
  it('is the same density: equal log posterior at corresponding points (the map has Jacobian 1)', () => {
    for (const base of [DEFAULT_GEO_MODEL_SPEC, perGeoSpec, centredSpec]) {
      const lvl = { ...base, geo: { ...base.geo, intercept: 'level' as const } };
      const dir = { ...base, geo: { ...base.geo, intercept: 'direct' as const } };
      const syn = generateSyntheticGeo(new Rng(12), { geos: 4, weeks: 52, spec: dir });
      const data = prepareGeoModelData(syn.dataset, dir);
      const kd = createFusedGeoKernel(dir, data), kl = createFusedGeoKernel(lvl, data);
      const rng = new Rng(8);
      const truthD = unconstrainGeo(kd.layout, fromGeoParams(kd.layout, syn.truth.params));
      for (let rep = 0; rep < 5; rep++) {
        const ud = Float64Array.from(truthD, (u) => u + 0.5 * rng.normal());
        const p = toGeoParams(kd.layout, constrainGeo(kd.layout, ud));
        const ul = unconstrainGeo(kl.layout, fromGeoParams(kl.layout, p, { spec: lvl, data }));
        // the level is the geo's mean fitted value: not the intercept unless the rest averages to 0
        expect(Math.abs(ul[0] - ud[0])).toBeGreaterThan(1e-3);
        expect(relErr(value(kl, ul), value(kd, ud))).toBeLessThan(1e-11);
        expect(relErr(geoLogPosterior(lvl, data, kl.layout, ul), value(kd, ud))).toBeLessThan(1e-11);
        // and back: the intercepts derived from the levels are the ones we started from
        const back = toGeoParams(kl.layout, constrainGeo(kl.layout, ul), { spec: lvl, data });
        for (let g = 0; g < data.G; g++) expect(back.intercept[g]).toBeCloseTo(p.intercept[g], 12);
        // the draw table derives them from the contributions instead: the same numbers
        const table = toGeoDrawTable(lvl, data, kl.layout, ul);
        for (let g = 0; g < data.G; g++) expect(table.values[table.names.indexOf(`intercept[${data.geos[g]}]`)]).toBeCloseTo(p.intercept[g], 12);
      }
    }
  });
});

describe('national model as the limit of the geo model', () => {
  it('one geo of population 1 gives the national data, and equal betas give the national likelihood', () => {
    const syn = generateSynthetic(new Rng(5));
    const nat = prepareModelData(syn.dataset, DEFAULT_MODEL_SPEC);
    const ds = syn.dataset;
    const geoData = prepareGeoModelData(
      { ...ds, geos: ['all'], population: Float64Array.of(1), factors: ds.factors },
      directSpec,
    );
    expect(Array.from(geoData.X)).toEqual(Array.from(nat.X));
    expect(Array.from(geoData.y)).toEqual(Array.from(nat.y));
    expect(Array.from(geoData.Z)).toEqual(Array.from(nat.Z));
    // the same point in both parametrisations: beta = exp(beta_mu) (tau z = 0), everything else equal
    const kn = createFusedKernel(DEFAULT_MODEL_SPEC, nat);
    const kg = createFusedGeoKernel(directSpec, geoData);
    const rng = new Rng(9);
    for (let rep = 0; rep < 5; rep++) {
      const un = Float64Array.from({ length: kn.dim }, () => rng.uniformIn(-1.5, 1.5));
      const ug = new Float64Array(kg.dim);
      const put = (geoName: string, natName: string) => {
        const bg = kg.layout.byName[geoName as keyof typeof kg.layout.byName]!;
        const bn = kn.layout.byName[natName as keyof typeof kn.layout.byName]!;
        for (let i = 0; i < bn.size; i++) ug[bg.offset + i] = un[bn.offset + i];
      };
      for (const b of ['intercept', 'trend', 'fourier', 'alpha', 'K', 'S', 'gamma', 'sigma']) put(b, b);
      put('beta_mu', 'beta'); // national beta is log-transformed: u = log beta = beta_mu
      ug.fill(0, kg.layout.byName.beta_z!.offset, kg.layout.byName.beta_z!.offset + kg.layout.byName.beta_z!.size);
      // likelihoods agree: total minus each model's own prior+Jacobian terms
      const lpN = value(kn, un), lpG = value(kg, ug);
      const priorN = priorsOnly(kn, un), priorG = priorsOnly(kg, ug);
      expect(relErr(lpN - priorN, lpG - priorG)).toBeLessThan(1e-10);
    }
  });
});

/** Prior + Jacobian part of a density at u: each block's prior (the geo layout carries its own; the national
 *  one takes the reference spec's) on the unconstrained line, as both kernels add it. */
function priorsOnly(k: { layout: { blocks: { offset: number; size: number; prior?: Prior; name: string }[] } }, u: Float64Array): number {
  let s = 0;
  const d = new Float64Array(u.length);
  for (const b of k.layout.blocks) {
    const p = b.prior ?? (DEFAULT_MODEL_SPEC.priors as Record<string, Prior>)[b.name];
    for (let i = b.offset; i < b.offset + b.size; i++) s += unconstrainedPrior(p, u[i], d, i);
  }
  return s;
}
