// NUTS chains on the Robyn reference model with the fused kernel, sequentially in one node thread.
// Run: npx tsx bench/chain-node.ts [--chains 4] [--warmup 1000] [--draws 1000] [--seed 1]
// Reports per chain: leapfrogs (warmup / sampling), wall seconds, step size, mean tree depth,
// divergences; then min bulk ESS over the unconstrained parameters and lp, and ESS per chain-second.
// Stan's reference numbers are in bench/README.md. Compare within one machine.
import { performance } from 'node:perf_hooks';
import { loadRobynBench } from './bench-data.ts';
import { prepareModelData } from '../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../src/core/spec/model-spec.ts';
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import { asLogDensity } from '../src/core/kernels/kernel.ts';
import { Rng } from '../src/core/inference/rng.ts';
import { createChain, type ChainConfig, type ChainResult } from '../src/core/inference/chain.ts';
import { essBulk } from '../src/core/diagnostics/ess.ts';
import { rhatBulk } from '../src/core/diagnostics/rhat.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const chains = Number(arg('chains', '4'));
const warmup = Number(arg('warmup', '1000'));
const draws = Number(arg('draws', '1000'));
const seed = Number(arg('seed', '1'));
const extra = JSON.parse(arg('options', '{}')) as Partial<ChainConfig>;

const data = prepareModelData(await loadRobynBench(), DEFAULT_MODEL_SPEC);
const kernel = createFusedKernel(DEFAULT_MODEL_SPEC, data);
const target = asLogDensity(kernel);
const dim = target.dim;
console.log(`Robyn N=${data.N} C=${data.C} dim=${dim}; ${chains} x (${warmup} + ${draws}), seed ${seed}, options ${JSON.stringify(extra)}`);

const results: ChainResult[] = [];
let totalSeconds = 0;
for (let c = 0; c < chains; c++) {
  const t0 = performance.now();
  const chain = createChain({ target, rng: Rng.forChain(seed, c), warmup, draws, ...extra });
  let tWarm = NaN;
  while (!chain.step(100).done) {
    if (Number.isNaN(tWarm) && chain.progress().phase === 'sampling') tWarm = performance.now();
  }
  const t1 = performance.now();
  if (Number.isNaN(tWarm)) tWarm = t1;
  const r = chain.result();
  results.push(r);
  totalSeconds += (t1 - t0) / 1000;
  const td = r.stats.treeDepth.reduce((a, b) => a + b, 0) / Math.max(1, draws);
  const div = r.stats.divergent.reduce((a, b) => a + b, 0);
  console.log(
    `chain ${c}: ${((t1 - t0) / 1000).toFixed(2)} s (warmup ${((tWarm - t0) / 1000).toFixed(2)} s), ` +
      `leapfrogs ${r.nLeapfrogWarmup} + ${r.nLeapfrogTotal - r.nLeapfrogWarmup}, ` +
      `step ${r.stepSize.toPrecision(3)}, mean treedepth ${td.toFixed(2)}, divergences ${div}, ` +
      `us/leapfrog ${((1e6 * (t1 - t0)) / 1000 / r.nLeapfrogTotal).toFixed(1)}`,
  );
}

const perParam = (j: number) => results.map((r) => Float64Array.from({ length: draws }, (_, d) => r.draws[d * dim + j]));
let minEss = Infinity;
let maxRhat = 0;
let argMin = -1;
for (let j = 0; j < dim; j++) {
  const x = perParam(j);
  const e = essBulk(x);
  if (e < minEss) {
    minEss = e;
    argMin = j;
  }
  if (chains > 1) maxRhat = Math.max(maxRhat, rhatBulk(x));
}
const lpEss = essBulk(results.map((r) => r.lp));
const leap = results.reduce((a, r) => a + r.nLeapfrogTotal, 0);
const leapWarm = results.reduce((a, r) => a + r.nLeapfrogWarmup, 0);
console.log(`total leapfrogs ${leap} (${((100 * leapWarm) / leap).toFixed(0)}% warmup), chain-seconds ${totalSeconds.toFixed(2)}`);
console.log(`min bulk ESS ${minEss.toFixed(0)} (param ${argMin}), lp bulk ESS ${lpEss.toFixed(0)}, max bulk R-hat ${maxRhat.toFixed(4)}`);
console.log(`ESS per chain-second ${(minEss / totalSeconds).toFixed(1)} (Stan reference 11.4); ESS per 1000 leapfrogs ${((1000 * minEss) / leap).toFixed(2)} (Stan ~1.69)`);
