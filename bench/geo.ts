import { register } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { geoDatasetFromLong, type LongTable } from '../src/core/model/geo-dataset.ts';
import { prepareGeoModelData } from '../src/core/model/geo-model-data.ts';
import { DEFAULT_GEO_MODEL_SPEC, type GeoModelSpec } from '../src/core/spec/geo-spec.ts';
import { createFusedGeoKernel } from '../src/core/kernels/fused-geo.ts';
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import { geoSlice } from '../src/core/model/geo-model-data.ts';
import { runFitJob, type TableBlock } from '../src/core/inference/fit-worker-impl.ts';
import { assembleFit, meetsRule } from '../src/core/inference/fit-result.ts';
import { type FitSettings } from '../src/core/inference/fit-job.ts';
import { DEFAULT_FIT_SETTINGS } from '../src/core/inference/fit-settings.ts';
import { Rng } from '../src/core/inference/rng.ts';
import { measureKernel } from './kernel-measure.ts';

// Geo model benchmark on Meridian's geo demo (public/demo/meridian_geo_media.csv: 20 geos x 156
// weeks x 4 channels, 2 controls, population per geo), fed through geoDatasetFromLong (the pure
// long-table builder that DuckDB's output will feed):
//   1. gradient evaluations/s of the fused geo kernel vs the tfjs geo kernel (cpu, wasm; batch 1 and 4)
//   2. a NUTS fit with the app's settings (DEFAULT_FIT_SETTINGS: 4 chains, gradient-dense warmup 400,
//      run until R-hat <= 1.01 and bulk/tail ESS >= 400 on every column, checked every 100 draws),
//      all chains on this one thread; time_to_converged_s and where the time went.
//   npm run bench:geo -- [--no-fit] [--no-tfjs] [--seed 1] [--parametrization centred|nonCentred]
//                        [--noise shared|perGeo] [--intercept level|direct] [--out bench/results/geo.json]
//                        [--peer [--peer-draws 1000] [--peer-dir DIR]]
//   --peer: the Stan peer (bench/stan-geo-peer.ts): rstan samples Carryover's exported geo program on the
//   same data and spec, 4 chains, the fit's warmup and draws (the draws the fit kept, else --peer-draws),
//   and prints its wall time, worst R-hat and smallest ESS beside ours.
register('./tfjs-resolve-hook.mjs', import.meta.url);
const { createTfjsGeoKernel } = await import('../src/core/kernels/tfjs-geo.ts');

const argv = process.argv.slice(2);
const arg = (name: string, fallback: string) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : fallback);
const withFit = !argv.includes('--no-fit');
const withTfjs = !argv.includes('--no-tfjs');
const seed = Number(arg('seed', '1'));
const out = arg('out', 'bench/results/geo.json');

// the demo CSV is plain (no quotes, no empty cells): a split is enough here; the app reads it with DuckDB
const text = readFileSync(new URL('../public/demo/meridian_geo_media.csv', import.meta.url), 'utf8').trim().split('\n');
const header = text[0].split(',');
const table: LongTable = Object.fromEntries(header.map((h) => [h, [] as (string | number)[]]));
for (const line of text.slice(1)) line.split(',').forEach((v, i) => (table[header[i]] as (string | number)[]).push(v));
const channels = [0, 1, 2, 3].map((c) => `Channel${c}_spend`);
const ds = geoDatasetFromLong(table, {
  date: 'time', geo: 'geo', population: 'population', target: 'conversions', channels,
  controls: ['competitor_activity_score_control', 'sentiment_score_control'], factorControls: {},
});
const spec: GeoModelSpec = {
  ...DEFAULT_GEO_MODEL_SPEC,
  geo: {
    ...DEFAULT_GEO_MODEL_SPEC.geo,
    parametrization: arg('parametrization', DEFAULT_GEO_MODEL_SPEC.geo.parametrization) as GeoModelSpec['geo']['parametrization'],
    noise: arg('noise', DEFAULT_GEO_MODEL_SPEC.geo.noise) as GeoModelSpec['geo']['noise'],
    intercept: arg('intercept', DEFAULT_GEO_MODEL_SPEC.geo.intercept ?? 'direct') as GeoModelSpec['geo']['intercept'],
  },
};
const data = prepareGeoModelData(ds, spec);
const fused = createFusedGeoKernel(spec, data);
const dim = fused.dim;
console.log(`Meridian geo demo: G=${data.G} N=${data.N} C=${data.C} K=${data.K}, dim=${dim}; ${cpus().length} cores; geo ${JSON.stringify(spec.geo)}`);

const rng = new Rng(20240501);
const theta4 = Float64Array.from({ length: 4 * dim }, () => rng.uniformIn(-1, 1));
const kernels: Record<string, { gradPerS: number; usPerCall: number; n: number }> = {};
const f1 = await measureKernel(fused, theta4, 1, { budgetMs: 500, runs: 4 });
kernels['fused n=1'] = f1;
console.log(`fused          n=1: ${f1.gradPerS.toFixed(0)} grad/s (${f1.usPerCall.toFixed(0)} us/grad)`);
// peer in the same run: the national fused kernel on one geo's slice (N weeks x C channels); the
// geo kernel does G times its channel-weeks, so equal ns per channel-week = no geo overhead
const nat = createFusedKernel(spec, geoSlice(data, 0));
const natTheta = Float64Array.from({ length: 4 * nat.dim }, () => rng.uniformIn(-1, 1));
const fn = await measureKernel(nat, natTheta, 1, { budgetMs: 500, runs: 4 });
kernels['national fused, one geo'] = fn;
const nsPerCw = (r: { usPerCall: number }, cw: number) => (1000 * r.usPerCall) / cw;
const geoNs = nsPerCw(f1, data.G * data.N * data.C), natNs = nsPerCw(fn, data.N * data.C);
console.log(`national fused on one geo: ${fn.usPerCall.toFixed(1)} us/grad; ns per channel-week: geo ${geoNs.toFixed(1)}, national ${natNs.toFixed(1)} (geo / national = ${(geoNs / natNs).toFixed(2)})`);
if (withTfjs) {
  for (const backend of ['cpu', 'wasm'] as const) {
    const k = await createTfjsGeoKernel(spec, data, backend);
    for (const n of [1, 4]) {
      const r = await measureKernel(k, theta4, n, { budgetMs: 800, runs: 3 });
      kernels[`tfjs-${backend} n=${n}`] = r;
      console.log(`tfjs-${backend.padEnd(5)} n=${n}: ${r.gradPerS.toFixed(0)} grad/s (${r.usPerCall.toFixed(0)} us/call); fused / this = ${(f1.gradPerS / r.gradPerS).toFixed(1)}x`);
    }
    k.dispose();
  }
}

let fit: Record<string, unknown> | undefined;
if (withFit) {
  const settings: FitSettings = { ...DEFAULT_FIT_SETTINGS, seed, kernel: 'fused' };
  const rule = settings.untilConverged!;
  const t0 = performance.now();
  const kept: Float64Array[][] = [[], [], [], []];
  let order: number[] = [];
  let convergedAt: number | undefined;
  let checkMs = 0;
  const onBlock = (b: TableBlock) => {
    const tc = performance.now();
    b.chains.forEach((c) => kept[c.chain].push(c.values));
    const chains = kept.map((parts) => {
      const all = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
      let o = 0;
      for (const p of parts) (all.set(p, o), (o += p.length));
      return all;
    });
    const width = chains[0].length / b.drawsSoFar;
    if (order.length !== width) order = Array.from({ length: width }, (_, i) => i);
    const met = meetsRule(chains, width, rule, order);
    checkMs += performance.now() - tc;
    console.log(`  block ${b.block}: ${b.drawsSoFar} draws/chain, ${((performance.now() - t0) / 1000).toFixed(1)} s, rule ${met ? 'met' : 'not met'}`);
    if (met) convergedAt = (performance.now() - t0) / 1000;
    return met;
  };
  let lastLog = 0;
  const onStatus = (st: { chain: number; iteration: number; leapfrogs: number; divergences: number }[]) => {
    const now = performance.now();
    if (now - lastLog < 20_000) return;
    lastLog = now;
    console.log(`  ${((now - t0) / 1000).toFixed(0)} s: ${st.map((c) => `chain ${c.chain} it ${c.iteration} lf ${c.leapfrogs}`).join(', ')}`);
  };
  const runs = await runFitJob({ spec, data, chainIds: [0, 1, 2, 3], settings, kernel: 'fused' }, () => performance.now(), onStatus, {}, onBlock);
  const wallS = (performance.now() - t0) / 1000;
  const result = assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS });
  const lf = runs.reduce((s, r) => s + r.result.nLeapfrogTotal, 0);
  const worst = [...result.summary].sort((a, b) => b.rhat - a.rhat).slice(0, 3).map((r) => `${r.name} R-hat ${r.rhat.toFixed(3)} ESS ${r.essBulk.toFixed(0)}/${r.essTail.toFixed(0)}`);
  const warmLf = runs.reduce((s, r) => s + r.result.nLeapfrogWarmup, 0);
  fit = {
    spec_geo: spec.geo,
    time_to_converged_s: convergedAt ?? null,
    converged: convergedAt !== undefined,
    wall_s: wallS,
    draws_per_chain: runs[0].result.draws.length / dim,
    leapfrogs_total: lf,
    leapfrogs_warmup: warmLf,
    leapfrogs_per_iteration: lf / runs.reduce((s, r) => s + r.result.iterations, 0),
    step_sizes: runs.map((r) => r.result.stepSize),
    gradient_s_estimate: lf / f1.gradPerS,
    convergence_checks_s: checkMs / 1000,
    chain_compute_s: runs.map((r) => r.computeS),
    divergences: result.sampler,
    worst_columns: worst,
    max_rhat: Math.max(...result.summary.map((r) => r.rhat)),
    min_ess_bulk: Math.min(...result.summary.map((r) => r.essBulk)),
    min_ess_tail: Math.min(...result.summary.map((r) => r.essTail)),
    roi: channels.map((c) => {
      const r = result.summary.find((x) => x.name === `roi[${c}]`)!;
      return { channel: c, mean: r.mean, q05: r.q05, q95: r.q95 };
    }),
  };
  console.log(JSON.stringify(fit, null, 1));
}
let peer: Record<string, unknown> | undefined;
if (argv.includes('--peer')) {
  const { runExportedGeoStanPeer } = await import('./stan-geo-peer.ts');
  const draws = fit ? (fit.draws_per_chain as number) : Number(arg('peer-draws', String(DEFAULT_FIT_SETTINGS.draws)));
  const o = { chains: 4, warmup: DEFAULT_FIT_SETTINGS.warmup, draws, seed, adaptDelta: DEFAULT_FIT_SETTINGS.adaptDelta };
  const p = await runExportedGeoStanPeer(spec, data, o, argv.includes('--peer-dir') ? arg('peer-dir', '') : undefined);
  peer = { ...p };
  const ours = fit ? ` | ours: ${(fit.wall_s as number).toFixed(1)} s (converged ${fit.converged}); Stan / ours = ${(p.wall_s / (fit.wall_s as number)).toFixed(2)}x` : '';
  console.log(`Stan peer (rstan, ${p.chains} x (${p.warmup} + ${p.draws}), ${p.cores} processes): sampling ${p.wall_s.toFixed(1)} s (compile ${p.compile_s.toFixed(0)} s), worst R-hat ${p.max_rhat.toFixed(3)} (${p.worst_rhat_par}), min ESS bulk ${p.min_bulk_ess.toFixed(0)} / tail ${p.min_tail_ess.toFixed(0)}, divergences ${p.divergences}${ours}`);
  console.log(`  imported by Carryover: ${JSON.stringify(p.imported)}`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(out, JSON.stringify({ data: { G: data.G, N: data.N, C: data.C, K: data.K, dim }, cores: cpus().length, kernels, fit, ...(peer ? { stan_peer: peer } : {}) }, null, 1));
console.log(`wrote ${out}`);
