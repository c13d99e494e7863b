import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/robyn.ts';
import type { GeoDataset } from '../../src/core/model/geo-dataset.ts';
import { prepareGeoModelData } from '../../src/core/model/geo-model-data.ts';
import { buildGeoLayout } from '../../src/core/model/geo-layout.ts';
import { geoDrawColumnNames } from '../../src/core/model/geo-derived.ts';
import { geoMeanOffsets, splitGeoParams } from '../../src/core/model/geo-posterior.ts';
import { geoModelSpecSchema, type GeoModelSpec } from '../../src/core/spec/geo-spec.ts';
import { importCmdStanRun, type CmdStanFile } from '../../src/core/export/stan-import.ts';
import { CmdStanCsvError } from '../../src/core/export/cmdstan-csv.ts';
import { columnChains } from '../../src/core/diagnostics/summary.ts';
import { rhat } from '../../src/core/diagnostics/rhat.ts';
import { essBulk } from '../../src/core/diagnostics/ess.ts';

// test/fixtures/cmdstan-geo: 2 chains x 6 draws of the exported geo program (centred, per-geo noise)
// on a 3-geo synthetic panel (see its README). Expected numbers were computed by hand from the CSV.
const dir = 'cmdstan-geo';
const spec = geoModelSpecSchema.parse(JSON.parse(readFileSync(fixturePath(`${dir}/spec.json`), 'utf8'))) as GeoModelSpec;
const raw = JSON.parse(readFileSync(fixturePath(`${dir}/panel.json`), 'utf8'));
const panel: GeoDataset = {
  ...raw,
  population: Float64Array.from(raw.population),
  target: { name: raw.target.name, values: Float64Array.from(raw.target.values) },
  channels: raw.channels.map((c: { name: string; spend: number[] }) => ({ name: c.name, spend: Float64Array.from(c.spend) })),
  controls: raw.controls.map((c: { name: string; values: number[] }) => ({ name: c.name, values: Float64Array.from(c.values) })),
};
const data = prepareGeoModelData(panel, spec);
const files: CmdStanFile[] = ['output_1.csv', 'output_2.csv'].map((name) => ({ name, text: readFileSync(fixturePath(`${dir}/${name}`), 'utf8') }));
const run = importCmdStanRun(files, spec, data);
const row = (name: string) => run.summary.find((r) => r.name === name)!;

function importError(f: CmdStanFile[], s: GeoModelSpec = spec, d = data): string {
  try {
    importCmdStanRun(f, s, d);
  } catch (e) {
    expect(e).toBeInstanceOf(CmdStanCsvError);
    return (e as Error).message;
  }
  throw new Error('imported without error');
}

describe('Import draws: CmdStan CSV fixture of the geo model', () => {
  it('reads both chains as a geo run: the geo layout\'s parameters, national and per-geo ROI and contribution', () => {
    expect([data.G, data.N, data.C, data.K]).toEqual([3, 30, 4, 1]);
    expect(run.kernel).toBe('cmdstan');
    expect(run.tables.map((t) => t.nDraws)).toEqual([6, 6]);
    expect(run.names).toEqual(geoDrawColumnNames(buildGeoLayout(spec, data), data));
    expect(run.names).toContain('beta_log[display,geo02]');
    expect(run.names).toContain('sigma[geo01]');
    expect(run.names).toContain('geo_roi[geo02,search]');
    expect(run.settings).toMatchObject({ chains: 2, warmup: 150, draws: 6, seed: 11, adaptDelta: 0.8, maxTreeDepth: 10, metric: 'diag' });
    // the slower chain: 5.71265 s warmup + 0.14543 s sampling
    expect(run.wallS).toBeCloseTo(5.85808, 6);
  });

  it('summaries: means of the imported columns equal the hand-computed means of the CSV columns', () => {
    for (const [name, mean] of Object.entries(HAND_MEANS)) expect(row(name).mean).toBeCloseTo(mean, 10);
  });

  it('national ROI recomputed by our code agrees with the program\'s generated roi; per-geo contributions sum to the national one', () => {
    for (const [name, mean] of Object.entries(STAN_ROI_MEANS)) expect(Math.abs(row(name).mean - mean) / mean).toBeLessThan(1e-4);
    const width = run.names.length;
    const col = (n: string) => run.names.indexOf(n);
    const spendOf = (g: number, c: number) => panel.channels[c].spend.slice(g * data.N, (g + 1) * data.N).reduce((s, v) => s + v, 0);
    for (const t of run.tables) {
      for (let d = 0; d < t.nDraws; d++) {
        data.channels.forEach((ch, c) => {
          const geo = data.geos.map((g) => t.values[d * width + col(`geo_contribution[${g},${ch}]`)]);
          const national = t.values[d * width + col(`contribution[${ch}]`)];
          expect(Math.abs(geo.reduce((s, v) => s + v, 0) - national) / national).toBeLessThan(1e-12);
          data.geos.forEach((g, gi) => expect(t.values[d * width + col(`geo_roi[${g},${ch}]`)]).toBeCloseTo(geo[gi] / spendOf(gi, c), 8));
        });
      }
    }
  });

  it('diagnostics recomputed by our code from the imported draws', () => {
    const i = run.names.indexOf('sigma[geo02]');
    const chains = columnChains(run.tables.map((t) => t.values), run.names.length, i);
    expect(row('sigma[geo02]').rhat).toBe(rhat(chains));
    expect(row('sigma[geo02]').essBulk).toBe(essBulk(chains));
    expect(run.sampler.divergences).toMatchObject({ count: 0, total: 12, perChain: [0, 0] });
    expect(run.checks.find((c) => c.id === 'fit.ess_bulk')!.severity).not.toBe('info');
  });
});

describe('Import draws (geo): clear errors for CSVs of another geo spec or other data', () => {
  it('the other parametrization: no beta_z columns', () => {
    const nonCentred: GeoModelSpec = { ...spec, geo: { ...spec.geo, parametrization: 'nonCentred' } };
    expect(importError(files, nonCentred, prepareGeoModelData(panel, nonCentred))).toMatch(/^output_1\.csv: no column beta_z\.1\.1\. The draws were sampled with another program/);
  });

  it('shared noise: the file has one sigma per geo, the model in use one sigma', () => {
    const shared: GeoModelSpec = { ...spec, geo: { ...spec.geo, noise: 'shared' } };
    expect(importError(files, shared)).toMatch(/^output_1\.csv: no column sigma\. /);
  });

  it('fewer controls: a gamma column the model in use does not have', () => {
    expect(importError(files, spec, prepareGeoModelData({ ...panel, controls: [] }, spec))).toMatch(/^output_1\.csv: column gamma\.1\.1 is not a parameter of the model in use/);
  });

  it('other data: Stan\'s ROI disagrees with ours', () => {
    const doubled = prepareGeoModelData({ ...panel, target: { ...panel.target, values: panel.target.values.map((v) => v * 2) } }, spec);
    expect(importError(files, spec, doubled)).toMatch(/^output_1\.csv, line \d+, column roi\.1: Stan's ROI of tv is [\d.e+-]+, the data in use give [\d.e+-]+ for the same draw/);
  });
});

// The same draws as a run of the level program (geo.intercept 'level'): level.g in place of
// intercept.g (level_g = intercept_g + mean_t(mu_g,t - intercept_g), by our code at full
// precision) and the program's generated intercept.g appended, as CmdStan writes them.
const levelSpec: GeoModelSpec = { ...spec, geo: { ...spec.geo, intercept: 'level' } };
const levelData = prepareGeoModelData(panel, levelSpec);
function asLevelRun(f: CmdStanFile, chain: number): CmdStanFile {
  const layout = buildGeoLayout(spec, data);
  const t = run.tables[chain];
  const width = run.names.length;
  let d = -1, at = -1;
  const lines = f.text.split('\n').map((line) => {
    if (line.startsWith('#') || line.trim() === '') return line;
    const cells = line.split(',');
    if (at < 0) {
      at = cells.indexOf('intercept.1');
      return [...cells.map((c) => c.replace(/^intercept\./, 'level.')), ...data.geos.map((_, g) => `intercept.${g + 1}`)].join(',');
    }
    d++;
    const p = splitGeoParams(layout, t.values.subarray(d * width, d * width + layout.dim));
    const off = geoMeanOffsets(spec, data, p);
    data.geos.forEach((_, g) => (cells[at + g] = String(p.intercept[g] + off[g])));
    return [...cells, ...Array.from(p.intercept, String)].join(',');
  });
  return { name: f.name, text: lines.join('\n') };
}

describe('Import draws: a geo run of the level parametrization', () => {
  const levelFiles = files.map(asLevelRun);
  const levelRun = importCmdStanRun(levelFiles, levelSpec, levelData);
  const lrow = (name: string) => levelRun.summary.find((r) => r.name === name)!;

  it('reads level.g as the parameters and derives intercept[geo] back to the direct run\'s values; ROI unchanged', () => {
    expect(levelRun.names).toEqual(geoDrawColumnNames(buildGeoLayout(levelSpec, levelData), levelData));
    expect(levelRun.names.slice(0, 3)).toEqual(['level[geo00]', 'level[geo01]', 'level[geo02]']);
    for (const g of data.geos) {
      expect(levelRun.names).toContain(`intercept[${g}]`);
      expect(lrow(`intercept[${g}]`).mean).toBeCloseTo(row(`intercept[${g}]`).mean, 10);
      // the level is the intercept plus the geo's mean non-intercept response: not the intercept itself
      expect(Math.abs(lrow(`level[${g}]`).mean - row(`intercept[${g}]`).mean)).toBeGreaterThan(1e-3);
    }
    expect(lrow('intercept[geo01]').mean).toBeCloseTo(HAND_MEANS['intercept[geo01]'], 10);
    for (const [name, mean] of Object.entries(STAN_ROI_MEANS)) expect(Math.abs(lrow(name).mean - mean) / mean).toBeLessThan(1e-4);
    for (const name of ['sigma[geo02]', 'beta_log[display,geo02]', 'geo_roi[geo02,search]']) expect(lrow(name).mean).toBeCloseTo(row(name).mean, 10);
  });

  it('refuses a direct run for the level spec and a level run for the direct spec, naming the column', () => {
    expect(importError(files, levelSpec, levelData)).toMatch(/^output_1\.csv: no column level\.1\. The draws were sampled with another program/);
    expect(importError(levelFiles, spec, data)).toMatch(/^output_1\.csv: column level\.1 is not a parameter of the model in use/);
  });
});

// ---- hand-computed from the fixture: sum of the 12 values of each CSV column (chain 1, then 2) / 12
const HAND_MEANS: Record<string, number> = {
  'intercept[geo01]': 0.7122615833333334, // intercept.2
  trend: -0.17786337833333332, // delta
  'beta_log[display,geo02]': -1.8638891666666666, // log_beta.3.2
  'beta_mu[tv]': -1.153832875, // beta_mu.1
  'beta_tau[search]': 0.45563258333333323, // beta_tau.4
  'alpha[social]': 0.44935583333333334, // alpha.3
  'K[display]': 0.68057, // Khalf.2
  'S[tv]': 1.5491773333333334, // S.1
  'gamma[geo02,price_index]': -0.0610337, // gamma.1.3
  'sigma[geo01]': 0.04874062499999999, // sigma.2
};
/** means of the program's own generated roi.1..4 over the 12 draws */
const STAN_ROI_MEANS: Record<string, number> = {
  'roi[tv]': 1223.7280833333336,
  'roi[display]': 3098.160833333333,
  'roi[social]': 2930.0116666666668,
  'roi[search]': 1475.6553333333334,
};
