import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';
import { prepareModelData, type ModelData } from '../../src/core/model/model-data.ts';
import { createTfjsKernel, tfjsTensorCount } from '../../src/core/kernels/tfjs.ts';
import { createFusedKernel } from '../../src/core/kernels/fused.ts';
import type { DensityKernel } from '../../src/core/kernels/kernel.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { loadRobyn, fixturePath } from '../helpers/robyn.ts';
import { relGradDiff } from '../helpers/grad.ts';

// Tolerances for float32 (tfjs) against float64 (Stan, fused). Unit roundoff is 2^-24 ~ 6e-8.
// Each gradient component sums ~N = 208 weekly terms, so rounding grows to ~sqrt(N) * u * (largest
// term) ~ 1e-6 of the gradient's max-norm; 1e-5 keeps a 10x margin yet any modelling slip (a
// missing Jacobian, a wrong lag) is an O(1e-2..1) relative error. Log densities in float32 carry
// ~|lp| * 1e-7 each, so a difference of two is held to 1e-6 * (|lp_i| + |lp_j|) (~8 ulps).
const GRAD_TOL = 1e-5;
const LP_TOL = 1e-6;

interface FixturePoint {
  unconstrained: number[];
  lp: number;
  grad: number[];
}
const fixture = JSON.parse(
  readFileSync(fixturePath('reference/robyn_logprob_fixture.json'), 'utf8'),
) as { points: FixturePoint[] };


function randomPoints(rng: Rng, n: number, dim: number): Float64Array {
  return Float64Array.from({ length: n * dim }, () => rng.uniformIn(-1.5, 1.5));
}

async function evalBatch(k: DensityKernel, theta: Float64Array, n: number) {
  const logp = new Float64Array(n);
  const grad = new Float64Array(n * k.dim);
  await k.evaluate(theta, n, logp, grad);
  return { logp, grad };
}

const data = prepareModelData(loadRobyn(), DEFAULT_MODEL_SPEC);

describe.each(['cpu', 'wasm'] as const)('tfjs-%s density kernel', (backend) => {
  let kernel: Awaited<ReturnType<typeof createTfjsKernel>>;
  beforeAll(async () => {
    kernel = await createTfjsKernel(DEFAULT_MODEL_SPEC, data, backend);
  });
  afterAll(() => kernel?.dispose());

  it('names itself and uses the reference layout', () => {
    expect(kernel.name).toBe(`tfjs-${backend}`);
    expect(kernel.dim).toBe(30);
    expect(kernel.layout.names.slice(0, 3)).toEqual(['intercept', 'trend', 'fourier[sin1]']);
    expect(typeof kernel.evaluateSync).toBe('function');
  });

  it("matches Stan's log density differences and gradients at the 8 fixture points (one batch)", async () => {
    const P = fixture.points.length;
    const theta = Float64Array.from(fixture.points.flatMap((p) => p.unconstrained));
    const { logp, grad } = await evalBatch(kernel, theta, P);
    fixture.points.forEach((p, i) => {
      const got = logp[i] - logp[0];
      const want = p.lp - fixture.points[0].lp;
      expect(Math.abs(got - want)).toBeLessThanOrEqual(LP_TOL * (Math.abs(p.lp) + Math.abs(fixture.points[0].lp)));
      expect(relGradDiff(grad.subarray(i * 30, (i + 1) * 30), p.grad)).toBeLessThanOrEqual(GRAD_TOL);
    });
  });

  it('agrees with the fused float64 kernel at random points, single and as a batch of 4', async () => {
    const fused = createFusedKernel(DEFAULT_MODEL_SPEC, data);
    const n = 4;
    const theta = randomPoints(new Rng(11), n, kernel.dim);
    const ref = await evalBatch(fused, theta, n);
    const batch = await evalBatch(kernel, theta, n);
    for (let i = 0; i < n; i++) {
      const row = theta.slice(i * kernel.dim, (i + 1) * kernel.dim);
      const single = { logp: new Float64Array(1), grad: new Float64Array(kernel.dim) };
      kernel.evaluateSync!(row, 1, single.logp, single.grad);
      const refG = ref.grad.subarray(i * kernel.dim, (i + 1) * kernel.dim);
      for (const got of [{ lp: batch.logp[i], g: batch.grad.subarray(i * kernel.dim, (i + 1) * kernel.dim) }, { lp: single.logp[0], g: single.grad }]) {
        // fused equals Stan's lp exactly (same dropped constants), so values compare directly
        expect(Math.abs(got.lp - ref.logp[i])).toBeLessThanOrEqual(LP_TOL * 2 * Math.abs(ref.logp[i]));
        expect(relGradDiff(got.g, refG)).toBeLessThanOrEqual(GRAD_TOL);
      }
    }
  });

  it('keeps chains apart in a batch: changing one row leaves the other rows bit-identical', async () => {
    const n = 4;
    const theta = randomPoints(new Rng(12), n, kernel.dim);
    const before = await evalBatch(kernel, theta, n);
    for (let j = 2 * kernel.dim; j < 3 * kernel.dim; j++) theta[j] += 0.3;
    const after = await evalBatch(kernel, theta, n);
    for (const i of [0, 1, 3]) {
      expect(after.logp[i]).toBe(before.logp[i]);
      expect(Array.from(after.grad.subarray(i * kernel.dim, (i + 1) * kernel.dim))).toEqual(
        Array.from(before.grad.subarray(i * kernel.dim, (i + 1) * kernel.dim)),
      );
    }
    expect(after.logp[2]).not.toBe(before.logp[2]);
  });

  it('stays finite and matches fused where a real-line parameter is far out (intercept u = 60)', async () => {
    const fused = createFusedKernel(DEFAULT_MODEL_SPEC, data);
    const theta = randomPoints(new Rng(15), 1, kernel.dim);
    theta[0] = 60; // exp(2u) would overflow float32 here: the halfNormal term must not touch this row
    const ref = await evalBatch(fused, theta, 1);
    const got = await evalBatch(kernel, theta, 1);
    expect(Number.isFinite(got.logp[0])).toBe(true);
    expect(Math.abs(got.logp[0] - ref.logp[0])).toBeLessThanOrEqual(LP_TOL * 2 * Math.abs(ref.logp[0]));
    expect(relGradDiff(got.grad, ref.grad)).toBeLessThanOrEqual(GRAD_TOL);
  });

  it('does not leak tensors over repeated evaluations (async and sync)', async () => {
    const theta = randomPoints(new Rng(13), 4, kernel.dim);
    const lp = new Float64Array(4);
    const g = new Float64Array(4 * kernel.dim);
    await kernel.evaluate(theta, 4, lp, g);
    const count = tfjsTensorCount();
    for (let r = 0; r < 10; r++) {
      await kernel.evaluate(theta, 4, lp, g);
      kernel.evaluateSync!(theta, 1, lp, g);
    }
    expect(tfjsTensorCount()).toBe(count);
  });
});

describe('tfjs kernel beyond the reference spec', () => {
  // trend and seasonality off, a LogNormal on beta, no controls: every optional block path
  const spec: ModelSpec = {
    ...DEFAULT_MODEL_SPEC,
    trend: { kind: 'none' },
    seasonality: { kind: 'none' },
    priors: { ...DEFAULT_MODEL_SPEC.priors, beta: { kind: 'logNormal', mu: -1, sigma: 0.7 } },
  };
  const ds = loadRobyn();
  const variant: ModelData = prepareModelData({ ...ds, controls: [], factors: [] }, spec);

  it('agrees with the fused kernel on wasm and cpu', async () => {
    const fused = createFusedKernel(spec, variant);
    const theta = randomPoints(new Rng(14), 3, fused.dim);
    const ref = await evalBatch(fused, theta, 3);
    for (const backend of ['cpu', 'wasm'] as const) {
      const k = await createTfjsKernel(spec, variant, backend);
      expect(k.dim).toBe(fused.dim);
      const got = await evalBatch(k, theta, 3);
      for (let i = 0; i < 3; i++) {
        expect(Math.abs(got.logp[i] - ref.logp[i])).toBeLessThanOrEqual(LP_TOL * 2 * Math.abs(ref.logp[i]));
        expect(relGradDiff(got.grad.subarray(i * k.dim, (i + 1) * k.dim), ref.grad.subarray(i * k.dim, (i + 1) * k.dim))).toBeLessThanOrEqual(GRAD_TOL);
      }
      k.dispose();
    }
  });

  it('refuses webgpu in node with the reason', async () => {
    await expect(createTfjsKernel(DEFAULT_MODEL_SPEC, data, 'webgpu')).rejects.toThrow(/navigator\.gpu/);
  });
});
