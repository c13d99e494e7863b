/**
 * `npm run verify:stan`: compiles the exported Stan programs with rstan and checks that their log
 * density and gradient match our fused kernel at 8 random points, to 1e-8 relative (log-density
 * differences between points, gradients directly; Stan drops the same constants as we do, so the
 * levels are printed too). Outside `npm test`: it needs R with rstan.
 *
 *   npm run verify:stan -- [--csv public/demo/robyn_simulated_weekly.csv] [--config cfg.yaml]
 *                          [--sample [--chains 4 --warmup 300 --draws 300]] [--out FILE.json]
 *                          [--models spec,variant,geo,geo-variant] [--jobs 1] [--no-geo]
 *
 * The data go through the app's own pipeline (ingest, mapping, checks, cleaning in DuckDB), as in
 * the app. Models checked: the spec of the config (default: the reference model) and a variant
 * that changes every option the program depends on (no trend, 3 Fourier pairs, L = 4, other prior
 * families); then the geo model on Meridian's geo demo (bench/geo-demo.ts: 20 geos x 156 weeks x
 * 4 channels) against the fused geo kernel, with DEFAULT_GEO_MODEL_SPEC and a geo variant that
 * flips the parametrization and the noise and every other option (--no-geo skips them).
 * --models picks some of them (the random points stay the same), --jobs compiles that many at once
 * (each rstan compile takes ~2 GB and minutes of one core). With --sample it also samples the reference export with NUTS, reads the chains' CSVs
 * back with the importer, and prints the imported run's summary beside Stan's own ROI means.
 * Exit code: 0 all match, 1 a mismatch, 2 rstan missing or the data blocked.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openNodeDb } from '../src/data/duckdb-node.ts';
import { runPipeline } from '../src/data/pipeline.ts';
import { configFromYaml } from '../src/core/spec/config-yaml.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../src/core/spec/model-spec.ts';
import { prepareModelData } from '../src/core/model/model-data.ts';
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import { Rng } from '../src/core/inference/rng.ts';
import { buildStanExport } from '../src/core/export/stan-bundle.ts';
import { importCmdStanRun } from '../src/core/export/stan-import.ts';
import type { Dataset } from '../src/core/model/dataset.ts';
import { DEFAULT_GEO_MODEL_SPEC, type GeoModelSpec } from '../src/core/spec/geo-spec.ts';
import { prepareGeoModelData } from '../src/core/model/geo-model-data.ts';
import { createFusedGeoKernel } from '../src/core/kernels/fused-geo.ts';
import type { DensityKernel } from '../src/core/kernels/kernel.ts';
import { loadMeridianGeoDemo, MERIDIAN_GEO_CSV } from '../bench/geo-demo.ts';

const INSTALL = 'apt-get install -y r-cran-rstan r-cran-jsonlite libboost-dev   (Debian 12: rstan 2.21, a few minutes)';
const TOLERANCE = 1e-8;
const N_POINTS = 8;
const R_HELPER = resolve('scripts/verify-stan.R');

const { values: a } = parseArgs({
  options: {
    csv: { type: 'string', default: 'public/demo/robyn_simulated_weekly.csv' },
    config: { type: 'string' },
    sample: { type: 'boolean', default: false },
    chains: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '300' },
    draws: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    'no-geo': { type: 'boolean', default: false },
    models: { type: 'string', default: 'spec,variant,geo,geo-variant' },
    jobs: { type: 'string', default: '1' },
  },
});

/** The variant that flips every option the program depends on. */
function variantOf(spec: ModelSpec): ModelSpec {
  return {
    ...spec,
    adstock: { kind: 'geometric', lags: 4 },
    trend: { kind: spec.trend.kind === 'none' ? 'linear' : 'none' },
    seasonality: { kind: 'fourier', order: 3, period: 52 },
    priors: {
      ...spec.priors,
      intercept: { kind: 'halfNormal', sigma: 1.5 },
      beta: { kind: 'logNormal', mu: -1.2, sigma: 0.7 },
      K: { kind: 'halfNormal', sigma: 2 },
      S: { kind: 'halfNormal', sigma: 2 },
      sigma: { kind: 'logNormal', mu: -3, sigma: 1 },
    },
  };
}

/** The geo variant: the other intercept parametrization, hierarchy parametrization and noise, and every other option flipped as in variantOf. */
function geoVariantOf(spec: GeoModelSpec): GeoModelSpec {
  const level = spec.geo.intercept === 'level';
  return {
    ...spec,
    adstock: { kind: 'geometric', lags: 4 },
    trend: { kind: spec.trend.kind === 'none' ? 'linear' : 'none' },
    seasonality: { kind: 'fourier', order: 3, period: 52 },
    priors: {
      ...spec.priors,
      // level intercepts need a real-line prior (interceptIsLevel); direct ones take the bounded family
      intercept: level ? { kind: 'halfNormal', sigma: 1.5 } : { kind: 'normal', mu: 0.3, sigma: 1.5 },
      K: { kind: 'halfNormal', sigma: 2 },
      S: { kind: 'halfNormal', sigma: 2 },
      gamma: { kind: 'halfNormal', sigma: 0.5 },
      sigma: { kind: 'logNormal', mu: -3, sigma: 1 },
    },
    geo: {
      intercept: level ? 'direct' : 'level',
      parametrization: spec.geo.parametrization === 'centred' ? 'nonCentred' : 'centred',
      noise: spec.geo.noise === 'shared' ? 'perGeo' : 'shared',
      betaMu: { kind: 'normal', mu: -1, sigma: 0.8 },
      betaTau: spec.geo.betaTau.kind === 'logNormal' ? { kind: 'halfNormal', sigma: 0.7 } : { kind: 'logNormal', mu: -1, sigma: 0.5 },
    },
  };
}

function rstanVersion(): string | null {
  try {
    return execFileSync('Rscript', ['-e', 'suppressMessages(library(rstan)); suppressMessages(library(jsonlite)); cat(as.character(packageVersion("rstan")))'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch {
    return null;
  }
}

async function loadDataset(): Promise<{ dataset: Dataset; spec: ModelSpec }> {
  let config: unknown = {};
  if (a.config) {
    const parsed = configFromYaml(readFileSync(a.config, 'utf8'));
    if (!parsed.ok) throw new Error(`invalid config ${a.config}`);
    config = parsed.value;
  }
  const db = await openNodeDb();
  try {
    const r = await runPipeline(db, { name: basename(a.csv!), bytes: new Uint8Array(readFileSync(a.csv!)) }, config, { now: '2100-01-01' });
    if (!r.dataset) {
      const blocks = r.results.filter((x) => x.severity === 'block').map((x) => `${x.id}: ${x.title}`);
      throw Object.assign(new Error(`${a.csv} does not reach the model: ${blocks.join('; ') || 'no national dataset'}`), { exitCode: 2 });
    }
    return { dataset: r.dataset, spec: r.config.model };
  } finally {
    await db.close();
  }
}

const rel = (x: number, y: number) => Math.abs(x - y) / Math.max(1, Math.abs(y));

interface ModelCheck {
  name: string;
  dim: number;
  compile_s: number;
  max_rel_lp_diff: number;
  max_rel_grad: number;
  max_rel_lp_level: number;
  pass: boolean;
  /** gradient evaluations per second, one thread, at the first point: rstan's grad_log_prob and our kernel right after */
  stan_grad_per_s: number | null;
  ours_grad_per_s: number;
}

/** A model to check: its export and the kernel whose density the program must reproduce. */
interface Checked {
  exp: ReturnType<typeof buildStanExport>;
  kernel: DensityKernel;
}

function nationalChecked(spec: ModelSpec, dataset: Dataset): Checked & { data: ReturnType<typeof prepareModelData> } {
  const data = prepareModelData(dataset, spec);
  return { exp: buildStanExport(spec, data), kernel: createFusedKernel(spec, data), data };
}

function geoChecked(spec: GeoModelSpec): Checked {
  const data = prepareGeoModelData(loadMeridianGeoDemo(), spec);
  return { exp: buildStanExport(spec, data), kernel: createFusedGeoKernel(spec, data) };
}

/** A check with its files written and its points drawn, ready for rstan. */
interface Prepared {
  name: string;
  checked: Checked;
  dir: string;
  points: number[][];
  out: string;
  args: string[];
}

function prepareCheck(name: string, checked: Checked, rng: Rng, sample: boolean): Prepared {
  const { exp, kernel } = checked;
  const dir = mkdtempSync(join(tmpdir(), `carryover-verify-${name}-`));
  for (const [f, text] of Object.entries(exp.files)) writeFileSync(join(dir, f), text);
  const points = Array.from({ length: N_POINTS }, () => Array.from({ length: kernel.dim }, () => rng.uniformIn(-2, 2)));
  writeFileSync(join(dir, 'points.json'), JSON.stringify({ points }));
  const out = join(dir, 'rstan.json');
  const sampleArgs = sample ? [dir, a.chains!, a.warmup!, a.draws!, a.seed!] : [];
  return { name, checked, dir, points, out, args: [R_HELPER, join(dir, exp.manifest.program), join(dir, exp.manifest.data), join(dir, 'points.json'), out, ...sampleArgs] };
}

/** Compiles and evaluates one prepared check with rstan (a child process; output passed through). */
function runRstan(p: Prepared): Promise<void> {
  console.log(`\n[${p.name}] ${p.checked.exp.manifest.program}: ${p.checked.kernel.dim} parameters; compiling with rstan in ${p.dir} ...`);
  return new Promise((done, fail) => {
    const child = spawn('Rscript', p.args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? done() : fail(new Error(`[${p.name}] Rscript ${p.args.slice(0, 2).join(' ')} exited with ${code}`))));
  });
}

/** Our kernel at the prepared points against rstan's log_prob / grad_log_prob there. */
function compareCheck({ name, checked: { kernel }, dir, points, out }: Prepared): { check: ModelCheck; dir: string; stan: { sample_s?: number; stan_roi_mean?: number[] } } {
  const stan = JSON.parse(readFileSync(out, 'utf8')) as { dim: number; compile_s: number; lp: number[]; grad: number[][]; grad_per_s?: number; sample_s?: number; stan_roi_mean?: number[] };
  if (stan.dim !== kernel.dim) throw new Error(`[${name}] Stan has ${stan.dim} unconstrained parameters, our layout ${kernel.dim}`);

  const lp = new Float64Array(N_POINTS);
  const grad = new Float64Array(N_POINTS * kernel.dim);
  kernel.evaluateSync!(Float64Array.from(points.flat()), N_POINTS, lp, grad);
  let maxDiff = 0, maxGrad = 0, maxLevel = 0;
  for (let i = 0; i < N_POINTS; i++) {
    for (let j = 0; j < i; j++) maxDiff = Math.max(maxDiff, rel(lp[i] - lp[j], stan.lp[i] - stan.lp[j]));
    for (let d = 0; d < kernel.dim; d++) maxGrad = Math.max(maxGrad, rel(grad[i * kernel.dim + d], stan.grad[i][d]));
    maxLevel = Math.max(maxLevel, rel(lp[i], stan.lp[i]));
  }
  // our kernel's gradients per second at the first point, right after Stan's (same load)
  const one = Float64Array.from(points[0]);
  const lp1 = new Float64Array(1), g1 = new Float64Array(kernel.dim);
  let nOurs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) for (let k = 0; k < 10; k++, nOurs++) kernel.evaluateSync!(one, 1, lp1, g1);
  const oursPerS = nOurs / ((performance.now() - t0) / 1000);
  const pass = maxDiff <= TOLERANCE && maxGrad <= TOLERANCE;
  console.log(
    `[${name}] compile ${stan.compile_s.toFixed(1)} s | max rel. error: log-density differences ${maxDiff.toExponential(2)}, ` +
      `gradient ${maxGrad.toExponential(2)} (tolerance ${TOLERANCE}); log-density level ${maxLevel.toExponential(2)} | ${pass ? 'PASS' : 'FAIL'}`,
  );
  if (stan.grad_per_s !== undefined) console.log(`[${name}] gradients/s, one thread: Stan ${stan.grad_per_s.toFixed(0)}, ours (fused) ${oursPerS.toFixed(0)}, ours / Stan = ${(oursPerS / stan.grad_per_s).toFixed(1)}x`);
  const check = { name, dim: kernel.dim, compile_s: stan.compile_s, max_rel_lp_diff: maxDiff, max_rel_grad: maxGrad, max_rel_lp_level: maxLevel, pass, stan_grad_per_s: stan.grad_per_s ?? null, ours_grad_per_s: oursPerS };
  return { check, dir, stan };
}

/** Reads the sampled chains of a check back with the importer and prints the imported run beside Stan's own ROI means. */
function importSampled(name: string, dir: string, stan: { sample_s?: number; stan_roi_mean?: number[] }, spec: ModelSpec, data: ReturnType<typeof prepareModelData>): unknown {
  const files = readdirSync(dir).filter((f) => /^output_\d+\.csv$/.test(f)).sort();
  const run = importCmdStanRun(files.map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') })), spec, data);
  const rows = run.summary.filter((r) => r.name.startsWith('roi['));
  console.log(`[${name}] sampled ${run.settings.chains} x (${run.settings.warmup} + ${run.settings.draws}) in ${stan.sample_s!.toFixed(1)} s; imported ${files.join(', ')}:`);
  console.log(`  max R-hat ${Math.max(...run.summary.map((r) => r.rhat)).toFixed(4)}, min bulk ESS ${Math.min(...run.summary.map((r) => r.essBulk)).toFixed(0)}, divergences ${run.sampler.divergences.count}, checks ${run.checks.map((c) => `${c.id}=${c.severity}`).join(' ')}`);
  rows.forEach((r, c) => console.log(`  ${r.name.padEnd(20)} mean ${r.mean.toPrecision(5)} [${r.q05.toPrecision(4)}, ${r.q95.toPrecision(4)}]  Stan's own mean ${stan.stan_roi_mean![c].toPrecision(5)}`));
  return { files, roi: rows, stan_roi_mean: stan.stan_roi_mean, max_rhat: Math.max(...run.summary.map((r) => r.rhat)) };
}

async function main(): Promise<number> {
  const version = rstanVersion();
  if (!version) {
    console.error(`verify:stan needs R with rstan and jsonlite, which are not installed here. On Debian/Ubuntu, as root:\n  ${INSTALL}\nthen run npm run verify:stan again.`);
    return 2;
  }
  console.log(`rstan ${version}`);
  const { dataset, spec } = await loadDataset();
  console.log(`data: ${a.csv} through the app's pipeline: ${dataset.dates.length} weeks, channels ${dataset.channels.map((c) => c.name).join(', ')}, controls ${dataset.controls.map((c) => c.name).join(', ') || '-'}`);
  const rng = new Rng(20261129);
  const models = new Set(a.models!.split(',').map((m) => m.trim()));
  if (a['no-geo']) (models.delete('geo'), models.delete('geo-variant'));
  const geoSpec = DEFAULT_GEO_MODEL_SPEC;
  const geoVariant = geoVariantOf(geoSpec);
  // every check draws its points in this order, whichever are run
  const refModel = nationalChecked(spec, dataset);
  const all = [
    prepareCheck('spec', refModel, rng, a.sample! && models.has('spec')),
    prepareCheck('variant', nationalChecked(variantOf(spec), dataset), rng, false),
    prepareCheck('geo', geoChecked(geoSpec), rng, false),
    prepareCheck('geo-variant', geoChecked(geoVariant), rng, false),
  ];
  const unknown = [...models].filter((m) => !all.some((p) => p.name === m));
  if (unknown.length > 0) throw new Error(`--models: unknown ${unknown.join(', ')} (spec, variant, geo, geo-variant)`);
  const chosen = all.filter((p) => models.has(p.name));
  if (models.has('geo') || models.has('geo-variant')) {
    console.log(`geo data: ${MERIDIAN_GEO_CSV} (bench/geo-demo.ts); geo ${JSON.stringify(geoSpec.geo)}, variant ${JSON.stringify({ intercept: geoVariant.geo.intercept, parametrization: geoVariant.geo.parametrization, noise: geoVariant.geo.noise })}`);
  }
  const queue = [...chosen];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) await runRstan(p);
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(a.jobs)) }, worker));
  const results = chosen.map(compareCheck);
  const ref = results.find((r) => r.check.name === 'spec');
  const sampled = a.sample && ref ? importSampled('spec', ref.dir, ref.stan, spec, refModel.data) : null;
  const checks = results.map((r) => r.check);
  const geoRun = chosen.some((p) => p.name.startsWith('geo'));
  if (a.out) writeFileSync(a.out, JSON.stringify({ rstan: version, data: a.csv, geo_data: geoRun ? MERIDIAN_GEO_CSV : null, tolerance: TOLERANCE, points: N_POINTS, checks, sampled }, null, 2));
  const ok = checks.every((c) => c.pass);
  console.log(`\nverify:stan ${ok ? 'PASSED' : 'FAILED'}: ${checks.map((c) => `${c.name} ${c.pass ? 'ok' : 'MISMATCH'}`).join(', ')}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`verify:stan failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit((e as { exitCode?: number }).exitCode ?? 1);
  },
);
