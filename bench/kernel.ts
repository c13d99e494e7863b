import { register } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { DEFAULT_MODEL_SPEC } from '../src/core/spec/model-spec.ts';
import { prepareModelData } from '../src/core/model/model-data.ts';
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import { loadRobynBench } from './bench-data.ts';
import { REL_GRAD_DIFF_DEFINITION, runKernelSuite, type SuiteOptions, type SuiteResult } from './kernel-measure.ts';

// Kernel benchmark: gradient evaluations per second of the fused (float64, hand-written) and
// tfjs (float32, autodiff) density kernels on the Robyn data, in node and in Chromium.
//   npm run bench:kernel                  node + browser, writes bench/results/kernel.json
//   npm run bench:kernel -- --no-browser  node only
// Best of several runs; compare numbers only within one run (shared machines are noisy).

// tfjs-core's gradient registrations are bundler-style ESM; let node resolve them (see hook)
register('./tfjs-resolve-hook.mjs', import.meta.url);
const { createTfjsKernel } = await import('../src/core/kernels/tfjs.ts');
const { runBrowserKernelBench } = await import('./kernel-browser.ts');

const args = new Set(process.argv.slice(2));
const withBrowser = !args.has('--no-browser');
const quick = args.has('--quick');

const spec = DEFAULT_MODEL_SPEC;
const data = prepareModelData(await loadRobynBench(), spec);
const fused = createFusedKernel(spec, data);

const budget = (ms: number, runs: number) => ({ budgetMs: quick ? ms / 4 : ms, runs: quick ? 2 : runs });
const nodeOptions: SuiteOptions = {
  fused: budget(400, 5),
  backends: { cpu: budget(600, 4), wasm: budget(600, 4) },
  agreementPoints: 8,
  seed: 20240501,
};
const browserOptions: SuiteOptions = {
  ...nodeOptions,
  backends: { wasm: budget(600, 4), cpu: budget(600, 4), webgpu: budget(1500, 2) },
};

const t0 = performance.now();
console.log(`Robyn data: N=${data.N} weeks, C=${data.C} channels, K=${data.K} controls, dim=${fused.dim}\n[node]`);
const node = await runKernelSuite(fused, (b) => createTfjsKernel(spec, data, b as 'cpu' | 'wasm'), nodeOptions, (l) =>
  console.log(`  ${l}`),
);

let browser: (SuiteResult & Record<string, unknown>) | { error: string } | { skipped: string };
if (withBrowser) {
  console.log('[chromium]');
  const tb = performance.now();
  try {
    const r = await runBrowserKernelBench(spec, data, { suite: browserOptions, timeoutMs: 180_000 });
    r.log.forEach((l) => console.log(`  ${l}`));
    browser = { ...r, seconds: (performance.now() - tb) / 1000 };
  } catch (e) {
    browser = { error: e instanceof Error ? e.message : String(e) };
    console.log(`  browser run failed: ${browser.error}`);
  }
} else {
  browser = { skipped: '--no-browser' };
}

const tfjsNode = node.tfjs as Record<string, { grad_per_s?: number; batch4_grad_per_s?: number; max_rel_grad_diff?: number; error?: string }>;
const diffs = [node.max_rel_grad_diff, 'max_rel_grad_diff' in browser ? browser.max_rel_grad_diff : null].filter(
  (d): d is number => typeof d === 'number',
);
const result = {
  generated: new Date().toISOString(),
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? '' },
  data: { dataset: 'robyn_simulated_weekly.csv', N: data.N, C: data.C, K: data.K, L: data.L, dim: fused.dim },
  method: 'best of several timed runs after warm-up; single point uses evaluateSync; batch4 = 4 chains per call, counted per point',
  fused_grad_per_s: node.fused_grad_per_s,
  tfjs: node.tfjs,
  max_rel_grad_diff: diffs.length ? Math.max(...diffs) : null,
  max_rel_grad_diff_definition: `${REL_GRAD_DIFF_DEFINITION}; ${nodeOptions.agreementPoints} seeded random points, node and browser`,
  node: { fused: node.fused },
  browser,
  seconds: (performance.now() - t0) / 1000,
};
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/kernel.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);

const row = (env: string, name: string, single?: number, batch?: number, diff?: number | null) =>
  `| ${env.padEnd(8)} | ${name.padEnd(11)} | ${single === undefined ? '-'.padStart(12) : single.toFixed(0).padStart(12)} | ${batch === undefined ? '-'.padStart(17) : batch.toFixed(0).padStart(17)} | ${diff == null ? '-'.padStart(9) : diff.toExponential(2).padStart(9)} |`;
const lines = [
  '| runtime  | kernel      | grad/s (1 pt) | grad/s/pt (4-batch) | rel diff  |',
  '|----------|-------------|--------------:|--------------------:|----------:|',
];
const addSuite = (env: string, s: SuiteResult) => {
  lines.push(row(env, 'fused', s.fused_grad_per_s));
  for (const [b, r] of Object.entries(s.tfjs)) {
    if (!r || 'error' in r) lines.push(`| ${env.padEnd(8)} | tfjs-${b.padEnd(6)} | failed: ${r?.error ?? '?'} |`);
    else lines.push(row(env, `tfjs-${b}`, r.grad_per_s, r.batch4_grad_per_s, r.max_rel_grad_diff));
  }
};
addSuite('node', node);
if ('fused_grad_per_s' in browser) addSuite('chromium', browser);
console.log(`\n${lines.join('\n')}`);
console.log(`\nmax_rel_grad_diff = ${result.max_rel_grad_diff?.toExponential(2)} (${REL_GRAD_DIFF_DEFINITION})`);
console.log(`wrote bench/results/kernel.json in ${result.seconds.toFixed(1)} s`);
if (tfjsNode.cpu?.error || tfjsNode.wasm?.error) process.exitCode = 1;
if (result.max_rel_grad_diff !== null && result.max_rel_grad_diff > 1e-4) {
  console.error('tfjs and fused gradients disagree beyond 1e-4');
  process.exitCode = 1;
}
