import { describe, expect, it } from 'vitest';
import { fdGradient, kernelValue, relErr } from '../helpers/grad.ts';
import { loadRobyn } from '../helpers/robyn.ts';
import { prepareModelData, type ModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';
import { createFusedKernel } from '../../src/core/kernels/fused.ts';
import { logPosterior } from '../../src/core/model/posterior.ts';
import { fromParams, unconstrain } from '../../src/core/model/constrain.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { fastExp, fastLog } from '../../src/core/kernels/fastmath.ts';
import { Rng } from '../../src/core/inference/rng.ts';

// Gradients are checked against a 5-point central difference,
//   f'(x) ~ (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / (12 h),  h = 1e-3,
// whose truncation error is O(h^4) and whose rounding error is ~eps |f| / h (~1e-9 here),
// with the relative measure |fd - g| / max(1, |g|).
const value = kernelValue;

const robyn = prepareModelData(loadRobyn(), DEFAULT_MODEL_SPEC);
const syn = generateSynthetic(new Rng(5));
const synData = prepareModelData(syn.dataset, syn.truth.spec);

/** 20 points: Robyn uniform in [-1.5, 1.5] (like Stan's fixture), synthetic around the truth. */
function points(spec: ModelSpec, data: ModelData, seed: number, around?: Float64Array): Float64Array[] {
  const k = createFusedKernel(spec, data);
  const rng = new Rng(seed);
  return Array.from({ length: 20 }, () =>
    Float64Array.from({ length: k.dim }, (_, i) => (around ? around[i] + 0.5 * rng.normal() : rng.uniformIn(-1.5, 1.5))),
  );
}
const synTruthU = (() => {
  const layout = createFusedKernel(syn.truth.spec, synData).layout;
  return unconstrain(layout, fromParams(layout, syn.truth.params));
})();

const cases: [string, ModelSpec, ModelData, Float64Array[]][] = [
  ['Robyn', DEFAULT_MODEL_SPEC, robyn, points(DEFAULT_MODEL_SPEC, robyn, 1)],
  ['synthetic', syn.truth.spec, synData, points(syn.truth.spec, synData, 2, synTruthU)],
];

describe.each(cases)('fused kernel on %s data', (_name, spec, data, pts) => {
  const k = createFusedKernel(spec, data);

  it('gradient matches finite differences at 20 random points (rel < 1e-6)', () => {
    const g = new Float64Array(k.dim), lp = new Float64Array(1);
    for (const x of pts) {
      k.evaluateSync!(x, 1, lp, g);
      const fd = fdGradient((y) => value(k, y), x);
      for (let i = 0; i < k.dim; i++) expect(relErr(fd[i], g[i]), `${k.layout.names[i]}`).toBeLessThan(1e-6);
    }
  });

  it('value equals the plain reference posterior.ts, and its gradient the reference\'s finite differences', () => {
    const g = new Float64Array(k.dim), lp = new Float64Array(1);
    pts.forEach((x, j) => {
      k.evaluateSync!(x, 1, lp, g);
      expect(relErr(lp[0], logPosterior(spec, data, k.layout, x))).toBeLessThan(1e-11);
      if (j < 3) {
        const fd = fdGradient((y) => logPosterior(spec, data, k.layout, y), x);
        for (let i = 0; i < k.dim; i++) expect(relErr(fd[i], g[i])).toBeLessThan(1e-6);
      }
    });
  });

  it('evaluates a batch row by row, identical to single calls, sync and async', async () => {
    const n = 4;
    const theta = new Float64Array(n * k.dim);
    pts.slice(0, n).forEach((x, j) => theta.set(x, j * k.dim));
    const lp = new Float64Array(n), grad = new Float64Array(n * k.dim);
    await k.evaluate(theta, n, lp, grad);
    const lp1 = new Float64Array(1), g1 = new Float64Array(k.dim);
    for (let j = 0; j < n; j++) {
      k.evaluateSync!(pts[j], 1, lp1, g1);
      expect(lp[j]).toBe(lp1[0]);
      expect(Array.from(grad.subarray(j * k.dim, (j + 1) * k.dim))).toEqual(Array.from(g1));
    }
  });
});

describe('fused kernel in hard corners', () => {
  it('agrees with the direct convolution when alpha is near 0 or 1 and saturation is extreme', () => {
    // alpha near 1 keeps a long memory, so removed spend cancels in the recursion; the kernel
    // must fall back to re-summing the window and still match the O(N L) reference
    const k = createFusedKernel(syn.truth.spec, synData);
    const C = synData.C;
    const b = k.layout.byName;
    const rng = new Rng(8);
    for (let rep = 0; rep < 10; rep++) {
      const x = Float64Array.from(synTruthU);
      for (let c = 0; c < C; c++) {
        x[b.alpha!.offset + c] = rep % 2 === 0 ? 6 + 4 * rng.uniform() : -6 - 4 * rng.uniform();
        x[b.K!.offset + c] = rng.uniformIn(-4, 4);
        x[b.S!.offset + c] = rng.uniformIn(-2, 2.5);
      }
      const g = new Float64Array(k.dim), lp = new Float64Array(1);
      k.evaluateSync!(x, 1, lp, g);
      expect(Number.isFinite(lp[0])).toBe(true);
      expect(relErr(lp[0], logPosterior(syn.truth.spec, synData, k.layout, x))).toBeLessThan(1e-11);
      const fd = fdGradient((y) => value(k, y), x);
      for (let i = 0; i < k.dim; i++) expect(relErr(fd[i], g[i]), k.layout.names[i]).toBeLessThan(1e-6);
    }
  });

  it('re-sums the adstock window when spend falls by orders of magnitude (recursion would cancel)', () => {
    // a spike of 1e8 followed by weeks of 1e-3: once the spike leaves the window the recursion
    // subtracts ~1e8 to leave ~1e-3, so only the direct re-sum keeps log(adstock) accurate
    const N = 60;
    const spike = Float64Array.from({ length: N }, (_, t) => (t < 5 ? 1e8 : t % 7 === 3 ? 0 : 1e-3 * (1 + (t % 3))));
    const ds = { ...syn.dataset, dates: syn.dataset.dates.slice(0, N), target: { name: 'y', values: syn.dataset.target.values.slice(0, N) } };
    ds.channels = [{ name: 'spiky', spend: spike }, { name: 'tv', spend: syn.dataset.channels[0].spend.slice(0, N) }];
    ds.controls = [{ name: 'price', values: syn.dataset.controls[0].values.slice(0, N) }];
    ds.factors = [];
    const data = prepareModelData(ds, DEFAULT_MODEL_SPEC);
    const k = createFusedKernel(DEFAULT_MODEL_SPEC, data);
    const b = k.layout.byName;
    const rng = new Rng(21);
    for (const ua of [-1, 0, 1.5, 3, 6]) {
      const x = Float64Array.from({ length: k.dim }, () => rng.uniformIn(-0.5, 0.5));
      x[b.alpha!.offset] = ua;
      x[b.K!.offset] = -12; // half-saturation far below the tail, so the tail's h is far from 0 and 1
      x[b.S!.offset] = -1;
      const g = new Float64Array(k.dim), lp = new Float64Array(1);
      k.evaluateSync!(x, 1, lp, g);
      expect(relErr(lp[0], logPosterior(DEFAULT_MODEL_SPEC, data, k.layout, x))).toBeLessThan(1e-11);
      const fd = fdGradient((y) => value(k, y), x);
      for (let i = 0; i < k.dim; i++) expect(relErr(fd[i], g[i]), k.layout.names[i]).toBeLessThan(1e-6);
    }
  });

  it('handles other specs: no trend, no seasonality, other lags and prior families', () => {
    const specs: ModelSpec[] = [
      { ...DEFAULT_MODEL_SPEC, trend: { kind: 'none' }, seasonality: { kind: 'none' }, adstock: { kind: 'geometric', lags: 1 } },
      {
        ...DEFAULT_MODEL_SPEC,
        adstock: { kind: 'geometric', lags: 13 },
        seasonality: { kind: 'fourier', order: 3, period: 52 },
        priors: {
          ...DEFAULT_MODEL_SPEC.priors,
          intercept: { kind: 'halfNormal', sigma: 1 },
          beta: { kind: 'logNormal', mu: -1, sigma: 1 },
          gamma: { kind: 'beta', a: 2, b: 3 },
          K: { kind: 'halfNormal', sigma: 2 },
          S: { kind: 'logNormal', mu: 0, sigma: 1 },
          sigma: { kind: 'logNormal', mu: -2, sigma: 1 },
        },
      },
    ];
    for (const spec of specs) {
      const data = prepareModelData(syn.dataset, spec);
      const k = createFusedKernel(spec, data);
      for (const x of points(spec, data, 3).slice(0, 5)) {
        const g = new Float64Array(k.dim), lp = new Float64Array(1);
        k.evaluateSync!(x, 1, lp, g);
        expect(relErr(lp[0], logPosterior(spec, data, k.layout, x))).toBeLessThan(1e-11);
        const fd = fdGradient((y) => value(k, y), x);
        for (let i = 0; i < k.dim; i++) expect(relErr(fd[i], g[i]), k.layout.names[i]).toBeLessThan(1e-6);
      }
    }
  });

  it('refuses specs whose bijectors it does not differentiate', () => {
    const spec: ModelSpec = { ...DEFAULT_MODEL_SPEC, priors: { ...DEFAULT_MODEL_SPEC.priors, alpha: { kind: 'normal', mu: 0.5, sigma: 0.2 } } };
    expect(() => createFusedKernel(spec, prepareModelData(syn.dataset, spec))).toThrow(/alpha/);
  });
});

describe('table-driven exp and log', () => {
  it('match Math.exp / Math.log to ~1 ulp and keep their special values', () => {
    const rng = new Rng(4);
    for (let i = 0; i < 20000; i++) {
      const x = rng.uniformIn(-720, 720);
      const e = Math.exp(x);
      if (e > 0 && Number.isFinite(e)) expect(Math.abs(fastExp(x) - e) / e).toBeLessThan(5e-16);
      const y = Math.exp(rng.uniformIn(-700, 700));
      expect(Math.abs(fastLog(y) - Math.log(y))).toBeLessThan(3e-16 * Math.max(1, Math.abs(Math.log(y))));
    }
    expect(fastLog(1)).toBe(0);
    expect(fastLog(0)).toBe(-Infinity);
    expect(fastLog(-1)).toBeNaN();
    expect(fastLog(Infinity)).toBe(Infinity);
    expect(fastLog(5e-324)).toBe(Math.log(5e-324));
    expect(fastExp(0)).toBe(1);
    expect(fastExp(-Infinity)).toBe(0);
    expect(fastExp(NaN)).toBeNaN();
    expect(fastExp(710)).toBe(Infinity);
  });
});
