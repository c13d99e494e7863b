// Micro-benchmark of the fused kernel: value + gradient evaluations per second, single thread,
// on the Robyn data (N=208, C=5, K=3). Run: npx tsx bench/fused-micro.ts [seconds-per-round] [rounds]
// Prints the best and median rounds (timings on shared machines are bimodal: take the best).
import { performance } from 'node:perf_hooks';
import { loadRobynBench } from './bench-data.ts';
import { prepareModelData } from '../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../src/core/spec/model-spec.ts';
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import { Rng } from '../src/core/inference/rng.ts';

const seconds = Number(process.argv[2] ?? 1);
const rounds = Number(process.argv[3] ?? 7);
const data = prepareModelData(await loadRobynBench(), DEFAULT_MODEL_SPEC);
const kernel = createFusedKernel(DEFAULT_MODEL_SPEC, data);
const rng = new Rng(1);
// a pool of plausible points, as a sampler would visit them
const P = 64;
const pool = new Float64Array(P * kernel.dim);
for (let i = 0; i < pool.length; i++) pool[i] = rng.uniformIn(-1.5, 1.5);
const theta = new Float64Array(kernel.dim);
const grad = new Float64Array(kernel.dim);
const lp = new Float64Array(1);
let sink = 0;

function round(): number {
  let n = 0;
  const t0 = performance.now();
  let t1 = t0;
  while (t1 - t0 < seconds * 1000) {
    for (let j = 0; j < 200; j++) {
      theta.set(pool.subarray((n % P) * kernel.dim, (n % P + 1) * kernel.dim));
      kernel.evaluateSync!(theta, 1, lp, grad);
      sink += lp[0] + grad[0];
      n++;
    }
    t1 = performance.now();
  }
  return n / ((t1 - t0) / 1000);
}

round(); // warm up the JIT
const rates = Array.from({ length: rounds }, round).sort((a, b) => b - a);
const fmt = (r: number) => `${Math.round(r).toLocaleString('en-US')} evals/s (${(1e6 / r).toFixed(1)} us/eval)`;
console.log(`fused kernel, Robyn N=${data.N} C=${data.C} K=${data.K} L=${data.L} dim=${kernel.dim}`);
console.log(`best   ${fmt(rates[0])}`);
console.log(`median ${fmt(rates[rounds >> 1])}`);
if (!Number.isFinite(sink)) console.log('non-finite log density seen');
