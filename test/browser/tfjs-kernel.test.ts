import { describe, expect, it } from 'vitest';
// wasm binaries as URLs: the bundler serves them, setWasmPaths points tfjs at them
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import robynCsv from '../../public/demo/robyn_simulated_weekly.csv?raw';
import robynSpec from '../fixtures/reference/robyn_spec.json';
import fixture from '../fixtures/reference/robyn_logprob_fixture.json';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { createTfjsKernel, tfjsTensorCount, type TfjsBackendOptions } from '../../src/core/kernels/tfjs.ts';
import { createFusedKernel } from '../../src/core/kernels/fused.ts';
import type { DensityKernel } from '../../src/core/kernels/kernel.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { relGradDiff } from '../helpers/grad.ts';
import { datasetFromCsv } from '../helpers/csv-dataset.ts';

// The tfjs kernel in real Chromium: wasm (SIMD, no threads: the test page is not
// cross-origin isolated) and WebGPU (SwiftShader here, no GPU). Tolerances as in
// test/core/tfjs-kernel.test.ts: float32 rounding over N = 208 weeks is ~1e-6 of the gradient's
// max-norm; 1e-5 leaves a margin and still catches any modelling error.
const GRAD_TOL = 1e-5;
const LP_TOL = 1e-6;
const OPTIONS: TfjsBackendOptions = {
  wasmPaths: {
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
  },
};

const robynDataset = (): Dataset => datasetFromCsv(robynCsv, robynSpec);


async function evalBatch(k: DensityKernel, theta: Float64Array, n: number) {
  const logp = new Float64Array(n);
  const grad = new Float64Array(n * k.dim);
  await k.evaluate(theta, n, logp, grad);
  return { logp, grad };
}

const data = prepareModelData(robynDataset(), DEFAULT_MODEL_SPEC);

async function webgpuDiagnosis(): Promise<string> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return 'navigator.gpu is undefined: Chromium was started without --enable-unsafe-webgpu?';
  const adapter = await gpu.requestAdapter();
  return adapter ? `adapter ${adapter.info?.vendor ?? '?'} / ${adapter.info?.architecture ?? '?'}` : 'requestAdapter() returned null';
}

describe.each(['wasm', 'webgpu', 'cpu'] as const)('tfjs-%s kernel in Chromium', (backend) => {
  const create = async () => {
    try {
      return await createTfjsKernel(DEFAULT_MODEL_SPEC, data, backend, OPTIONS);
    } catch (e) {
      // fail loudly with what the browser offers: a silent skip would hide a broken WebGPU path
      throw new Error(`tfjs-${backend} did not initialise (${(e as Error).message}); ${await webgpuDiagnosis()}`);
    }
  };

  it("matches Stan's log density differences and gradients at the fixture points", async () => {
    const kernel = await create();
    expect(kernel.name).toBe(`tfjs-${backend}`);
    expect(typeof kernel.evaluateSync).toBe(backend === 'webgpu' ? 'undefined' : 'function');
    const P = fixture.points.length;
    const theta = Float64Array.from(fixture.points.flatMap((p) => p.unconstrained));
    const { logp, grad } = await evalBatch(kernel, theta, P);
    const lp0 = fixture.points[0].lp;
    fixture.points.forEach((p, i) => {
      expect(Math.abs(logp[i] - logp[0] - (p.lp - lp0))).toBeLessThanOrEqual(LP_TOL * (Math.abs(p.lp) + Math.abs(lp0)));
      expect(relGradDiff(grad.subarray(i * kernel.dim, (i + 1) * kernel.dim), p.grad)).toBeLessThanOrEqual(GRAD_TOL);
    });
    kernel.dispose();
  });

  it('agrees with the fused float64 kernel on a batch of 4 random points, without leaking tensors', async () => {
    const kernel = await create();
    const fused = createFusedKernel(DEFAULT_MODEL_SPEC, data);
    const rng = new Rng(21);
    const n = 4;
    const theta = Float64Array.from({ length: n * kernel.dim }, () => rng.uniformIn(-1.5, 1.5));
    const ref = await evalBatch(fused, theta, n);
    const got = await evalBatch(kernel, theta, n);
    const count = tfjsTensorCount();
    for (let r = 0; r < 3; r++) await evalBatch(kernel, theta, n);
    expect(tfjsTensorCount()).toBe(count);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(got.logp[i] - ref.logp[i])).toBeLessThanOrEqual(LP_TOL * 2 * Math.abs(ref.logp[i]));
      const slice = (a: Float64Array) => a.subarray(i * kernel.dim, (i + 1) * kernel.dim);
      expect(relGradDiff(slice(got.grad), slice(ref.grad))).toBeLessThanOrEqual(GRAD_TOL);
    }
    kernel.dispose();
  });
});
