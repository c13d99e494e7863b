import { readFileSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { DataClient } from '../../src/clients/data-client.ts';
import type { FitHandle } from '../../src/clients/fit-client.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { DatasetState } from '../../src/state/dataset.svelte.ts';
import { FitState, type FitStarter } from '../../src/state/fit.svelte.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { DEFAULT_GEO_HIERARCHY, type GeoModelSpec } from '../../src/core/spec/geo-spec.ts';
import { importCmdStanRun, type CmdStanFile } from '../../src/core/export/stan-import.ts';

// The Fit screen's "Export to Stan" and "Import CmdStan draws" through the app's state in node:
// the Robyn demo through load -> config upload -> checks -> cleaning on the node DuckDB, then
// FitState.stanExport / importCmdStan on test/fixtures/cmdstan (2 chains x 6 draws of the
// exported reference program on that data, see its README).

const FILE = 'robyn_simulated_weekly.csv';
const fixture = (f: string) => readFileSync(`test/fixtures/cmdstan/${f}`, 'utf8');
const files: CmdStanFile[] = ['output_1.csv', 'output_2.csv'].map((name) => ({ name, text: fixture(name) }));
const clients: DataClient[] = [];
afterAll(async () => {
  for (const c of clients) await c.close();
});

/** A FitState whose starter records its calls and never finishes, and whose importer runs in process (no workers in node). */
function recordingFit() {
  let started = 0;
  const start: FitStarter = () => {
    started++;
    return { result: new Promise(() => {}), cancel: () => {}, workers: 1 } satisfies FitHandle;
  };
  return { fit: new FitState(start, async (...args) => importCmdStanRun(...args)), started: () => started };
}

async function robynAsFixture(): Promise<DatasetState> {
  const c = new DataClient(openNodeDb);
  clients.push(c);
  const ds = new DatasetState(c, () => '2019-12-01');
  await ds.loadBytes(FILE, new Uint8Array(readFileSync(`public/demo/${FILE}`)));
  expect(await ds.loadConfigYaml(fixture('robyn.carryover.yaml'), 'robyn.carryover.yaml')).toEqual([]);
  await ds.runChecks();
  expect(ds.checks.report?.blocked).toBe(false);
  return ds;
}

// Hand-computed means of the fixture's CSV columns (the same sums as test/core/export-cmdstan-import.test.ts).
const HAND_MEANS: Record<string, number> = {
  intercept: 9.740966 / 12,
  trend: -0.04928615 / 12,
  'beta[tv]': 3.407435 / 12,
  'alpha[ooh]': 6.812246 / 12,
  'K[print]': 21.875275 / 12,
  'S[facebook]': 18.23603 / 12,
  'gamma[competitor_sales_B]': 3.902117 / 12,
  sigma: 1.425867 / 12,
};
/** means of Stan's own roi.1..5 columns over the 12 rows */
const STAN_ROI_MEANS: Record<string, number> = {
  'roi[tv]': 84.32049 / 12,
  'roi[ooh]': 24.229337 / 12,
  'roi[print]': 85.97925 / 12,
  'roi[facebook]': 239.9094 / 12,
  'roi[search]': 153.606726 / 12,
};

describe('Fit screen: Export to Stan and Import CmdStan draws on the Robyn demo (node DuckDB)', { timeout: 240_000 }, () => {
  it('exports without a fit, imports the fixture as the current fit, and keeps it when a later import fails', async () => {
    const ds = await robynAsFixture();
    // the uploaded config's channel order is the model's (the order the draws were sampled in)
    expect(ds.dataset!.channels.map((c) => c.name)).toEqual(['tv', 'ooh', 'print', 'facebook', 'search']);
    const { fit, started } = recordingFit();

    const dl = fit.stanExport(ds, DEFAULT_MODEL_SPEC);
    if (typeof dl === 'string') throw new Error(dl);
    expect(dl.filename).toBe('carryover-stan-national.zip');
    const zip = unzipSync(dl.bytes);
    expect(Object.keys(zip).sort()).toEqual(['carryover_national_stan/README.md', 'carryover_national_stan/carryover_export.json', 'carryover_national_stan/carryover_national.data.json', 'carryover_national_stan/carryover_national.stan']);
    const json = JSON.parse(strFromU8(zip['carryover_national_stan/carryover_national.data.json']));
    expect([json.N, json.C]).toEqual([208, 5]);
    const manifest = JSON.parse(strFromU8(zip['carryover_national_stan/carryover_export.json']));
    expect(manifest.channels).toEqual(['tv', 'ooh', 'print', 'facebook', 'search']);
    expect(manifest.settings).toMatchObject({ chains: fit.settings.chains, warmup: fit.settings.warmup, draws: fit.settings.draws, seed: fit.settings.seed });
    expect(fit.result).toBeNull();

    expect(await fit.importCmdStan(ds, DEFAULT_MODEL_SPEC, files)).toBeNull();
    expect(started()).toBe(0);
    expect(fit.phase).toBe('done');
    expect(fit.kind).toBe('national');
    expect(fit.data?.channels).toEqual(['tv', 'ooh', 'print', 'facebook', 'search']);
    const run = fit.result!;
    expect(run.kernel).toBe('cmdstan');
    expect(run.imported?.files).toEqual(['output_1.csv', 'output_2.csv']);
    expect(run.tables.map((t) => t.nDraws)).toEqual([6, 6]);
    const row = (n: string) => run.summary.find((r) => r.name === n)!;
    for (const [name, mean] of Object.entries(HAND_MEANS)) expect(row(name).mean).toBeCloseTo(mean, 10);
    // ROI recomputed by our code on the app's cleaned data agrees with Stan's generated ROI (on the
    // raw CSV) within the importer's per-draw tolerance, 1e-3: cleaning moved the data by ~2e-4
    for (const [name, mean] of Object.entries(STAN_ROI_MEANS)) expect(Math.abs(row(name).mean - mean) / mean).toBeLessThan(1e-3);
    expect(run.checks.find((c) => c.id === 'fit.ess_bulk')!.severity).not.toBe('info');

    // a foreign CSV: the importer's message, and the imported run stays the current fit
    const foreign = { name: FILE, text: readFileSync(`public/demo/${FILE}`, 'utf8') };
    expect(await fit.importCmdStan(ds, DEFAULT_MODEL_SPEC, [foreign])).toMatch(/^robyn_simulated_weekly\.csv, line 1: expected CmdStan's header starting with lp__/);
    expect(fit.result).toBe(run);
    expect(fit.phase).toBe('done');
  });

  it('draws sampled in another channel order are refused: the table order of the demo is not the fixture\'s', async () => {
    const c = new DataClient(openNodeDb);
    clients.push(c);
    const ds = new DatasetState(c, () => '2019-12-01');
    await ds.loadBytes(FILE, new Uint8Array(readFileSync(`public/demo/${FILE}`)));
    await ds.runChecks();
    expect(ds.dataset!.channels.map((x) => x.name)).toEqual(['tv', 'ooh', 'print', 'search', 'facebook']);
    const { fit } = recordingFit();
    expect(await fit.importCmdStan(ds, DEFAULT_MODEL_SPEC, files)).toMatch(/^output_1\.csv, line \d+, column roi\.4: Stan's ROI of search is [\d.e+-]+, the data in use give/);
    expect(fit.result).toBeNull();
    expect(fit.phase).toBe('idle');
  });

  it('at geo grain: exports the geo program of the panel, and draws of the national program are refused by name', async () => {
    const c = new DataClient(openNodeDb);
    clients.push(c);
    const ds = new DatasetState(c, () => '2024-02-01');
    await ds.loadBytes('meridian_geo_media.csv', new Uint8Array(readFileSync('public/demo/meridian_geo_media.csv')));
    await ds.runChecks();
    const { fit } = recordingFit();
    expect(fit.grainFor(ds)).toBe('geo');
    // 'direct' intercepts: the geo program's 'level' parametrization comes with branch h-stanlevel
    const spec: GeoModelSpec = { ...DEFAULT_MODEL_SPEC, geo: { ...DEFAULT_GEO_HIERARCHY, intercept: 'direct' } };
    const dl = fit.stanExport(ds, spec);
    if (typeof dl === 'string') throw new Error(dl);
    expect(dl.filename).toBe('carryover-stan-geo.zip');
    const zip = unzipSync(dl.bytes);
    const json = JSON.parse(strFromU8(zip['carryover_geo_stan/carryover_geo.data.json']));
    expect([json.G, json.N, json.C]).toEqual([20, 156, 4]);
    expect(strFromU8(zip['carryover_geo_stan/carryover_geo.stan'])).toContain('model {');
    expect(await fit.importCmdStan(ds, spec, files)).toMatch(/^output_1\.csv: no column /);
    expect(fit.result).toBeNull();
  });
});
