import type { DensityKernel } from '../src/core/kernels/kernel.ts';
import { Rng } from '../src/core/inference/rng.ts';

// Timing and accuracy helpers shared by the node and the browser kernel benchmarks (pure TS).

/** Best-of-runs speed of one kernel at one batch size. */
export interface KernelRate {
  /** gradient evaluations per second, counted per point (a batch of n counts n) */
  gradPerS: number;
  /** microseconds per call (one call evaluates n points) */
  usPerCall: number;
  /** points per call */
  n: number;
  /** gradPerS of every run, in order */
  runs: number[];
}

/**
 * Times `kernel` on n points: `runs` runs of about `budgetMs` each after a warm-up; reports the
 * best run (timings on shared machines are bimodal, see design/toolchain.md).
 * Uses evaluateSync where the kernel has it (what a sampler's hot loop calls), else evaluate.
 */
export async function measureKernel(
  kernel: DensityKernel,
  theta: Float64Array,
  n: number,
  opts: { budgetMs: number; runs: number },
): Promise<KernelRate> {
  const lp = new Float64Array(n);
  const grad = new Float64Array(n * kernel.dim);
  const sync = kernel.evaluateSync?.bind(kernel);
  // A synchronous kernel is timed in a synchronous loop, as the sampler calls it: awaiting a
  // resolved promise per call would add a microtask turn (~1 us) to a ~30 us evaluation.
  const timeRun = sync
    ? async (ms: number) => {
        let calls = 0;
        let batch = 1; // calls between clock reads: doubles while a batch takes under 2 ms
        const t0 = performance.now();
        let t = t0;
        while (t - t0 < ms) {
          for (let j = 0; j < batch; j++) sync(theta, n, lp, grad);
          calls += batch;
          const tb = t;
          t = performance.now();
          if (t - tb < 2) batch *= 2;
        }
        return (calls * n * 1000) / (t - t0);
      }
    : async (ms: number) => {
        let calls = 0;
        const t0 = performance.now();
        let t = t0;
        while (t - t0 < ms) {
          await kernel.evaluate(theta, n, lp, grad);
          calls++;
          t = performance.now();
        }
        return (calls * n * 1000) / (t - t0);
      };
  await timeRun(Math.min(200, opts.budgetMs)); // warm-up: lets the JIT reach its optimising tier
  const runs: number[] = [];
  for (let r = 0; r < opts.runs; r++) runs.push(await timeRun(opts.budgetMs));
  const gradPerS = Math.max(...runs);
  return { gradPerS, usPerCall: (1e6 * n) / gradPerS, n, runs };
}

/** The definition written next to max_rel_grad_diff in kernel.json. */
export const REL_GRAD_DIFF_DEFINITION =
  'per point: max_j |g_tfjs_j - g_fused_j| / max_j |g_fused_j| (tfjs float32 vs fused float64, ' +
  'the same unconstrained point); the reported number is the max over the points and backends';

/** max over points of max_j |g_j - ref_j| / max_j |ref_j|; g and ref are [n * dim]. */
export function maxRelGradDiff(g: ArrayLike<number>, ref: ArrayLike<number>, n: number, dim: number): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let err = 0;
    let scale = 0;
    for (let j = i * dim; j < (i + 1) * dim; j++) {
      err = Math.max(err, Math.abs(g[j] - ref[j]));
      scale = Math.max(scale, Math.abs(ref[j]));
    }
    worst = Math.max(worst, err / scale);
  }
  return worst;
}

/** n seeded points uniform in (-1.5, 1.5)^dim, the range of the Stan fixture's points. [n * dim] */
export function randomTheta(seed: number, n: number, dim: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n * dim }, () => rng.uniformIn(-1.5, 1.5));
}

/** Gradient agreement of a kernel with a reference kernel on the given points (one batch each). */
export async function gradAgreement(k: DensityKernel, ref: DensityKernel, theta: Float64Array, n: number): Promise<number> {
  const run = async (kk: DensityKernel) => {
    const lp = new Float64Array(n);
    const g = new Float64Array(n * kk.dim);
    await kk.evaluate(theta, n, lp, g);
    return g;
  };
  return maxRelGradDiff(await run(k), await run(ref), n, k.dim);
}

/** Per-backend result of a suite run. */
export type TfjsResult =
  | {
      /** single point, gradient evaluations per second */ grad_per_s: number;
      /** 4 chains per call, gradient evaluations per second counted per point */ batch4_grad_per_s: number;
      /** this backend's max_rel_grad_diff against fused over the agreement points */ max_rel_grad_diff: number;
      single: KernelRate;
      batch4: KernelRate;
    }
  | { error: string };

/** What one environment (node or Chromium) measured. */
export interface SuiteResult {
  fused_grad_per_s: number;
  fused: KernelRate;
  tfjs: Partial<Record<string, TfjsResult>>;
  /** max over backends that ran; null when none did */
  max_rel_grad_diff: number | null;
}

/** Settings of a suite run. */
export interface SuiteOptions {
  /** backend name -> timing budget; a backend's failure to start is recorded, not thrown */
  backends: Record<string, { budgetMs: number; runs: number }>;
  fused: { budgetMs: number; runs: number };
  /** points for the gradient agreement check */
  agreementPoints: number;
  seed: number;
}

/**
 * Measures the fused kernel (single point) and each tfjs backend (single point and a batch of 4)
 * on the same data, and the tfjs gradients' agreement with fused at seeded random points.
 */
export async function runKernelSuite(
  fused: DensityKernel,
  makeTfjs: (backend: string) => Promise<DensityKernel>,
  opts: SuiteOptions,
  log: (line: string) => void = () => {},
): Promise<SuiteResult> {
  const dim = fused.dim;
  const one = randomTheta(opts.seed, 1, dim);
  const four = randomTheta(opts.seed + 1, 4, dim);
  const agree = randomTheta(opts.seed + 2, opts.agreementPoints, dim);
  const fusedRate = await measureKernel(fused, one, 1, opts.fused);
  log(`fused: ${fusedRate.gradPerS.toFixed(0)} grad/s`);
  const tfjs: SuiteResult['tfjs'] = {};
  let worst: number | null = null;
  for (const [backend, budget] of Object.entries(opts.backends)) {
    let k: DensityKernel | undefined;
    try {
      k = await makeTfjs(backend);
      const diff = await gradAgreement(k, fused, agree, opts.agreementPoints);
      const single = await measureKernel(k, one, 1, budget);
      const batch4 = await measureKernel(k, four, 4, budget);
      tfjs[backend] = { grad_per_s: single.gradPerS, batch4_grad_per_s: batch4.gradPerS, max_rel_grad_diff: diff, single, batch4 };
      worst = Math.max(worst ?? 0, diff);
      log(`tfjs-${backend}: ${single.gradPerS.toFixed(0)} grad/s single, ${batch4.gradPerS.toFixed(0)} per point in 4-batches, rel diff ${diff.toExponential(2)}`);
    } catch (e) {
      tfjs[backend] = { error: e instanceof Error ? e.message : String(e) };
      log(`tfjs-${backend}: ${String(e)}`);
    } finally {
      k?.dispose();
    }
  }
  return { fused_grad_per_s: fusedRate.gradPerS, fused: fusedRate, tfjs, max_rel_grad_diff: worst };
}
