import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataClient } from '../../src/clients/data-client.ts';
import type { FitHandle } from '../../src/clients/fit-client.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { DatasetState } from '../../src/state/dataset.svelte.ts';
import { MappingState } from '../../src/state/mapping.svelte.ts';
import { toMappingConfig, type RoleProposal } from '../../src/data/mapping.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { FitState, type FitStarter } from '../../src/state/fit.svelte.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { isGeoSpec } from '../../src/core/spec/geo-spec.ts';
import type { GeoModelData } from '../../src/core/model/geo-model-data.ts';
import type { ModelData } from '../../src/core/model/model-data.ts';

// Meridian's geo demo through the app's data flow in node (load -> mapping -> checks -> cleaning
// on the node DuckDB) to FitState.fitDataset at geo grain: the panel the workers would get, cell
// by cell against the CSV, and the national switch. The worker starter is replaced by one that
// records its inputs (no workers in node).

const FILE = 'meridian_geo_media.csv';
const text = readFileSync(`public/demo/${FILE}`, 'utf8');
const NOW = '2024-02-01';
const clients: DataClient[] = [];
const newState = () => {
  const c = new DataClient(openNodeDb);
  clients.push(c);
  return new DatasetState(c, () => NOW);
};
afterAll(async () => {
  for (const c of clients) await c.close();
});

/** A FitState whose starter records (spec, data) and never finishes. */
function recordingFit() {
  const started: { spec: Parameters<FitStarter>[0]; data: Parameters<FitStarter>[1] }[] = [];
  const start: FitStarter = (spec, data) => {
    started.push({ spec, data });
    return { result: new Promise(() => {}), cancel: () => {}, workers: 1 } satisfies FitHandle;
  };
  return { fit: new FitState(start), started };
}

/** The CSV's rows as objects keyed by header. */
const header = text.split('\n')[0].split(',');
const csvRow = (geo: string, date: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${geo},${date},`));
  if (!line) throw new Error(`no row ${geo} ${date}`);
  return Object.fromEntries(line.split(',').map((v, i) => [header[i], Number(v)]));
};

/** The CSV with `edit` applied to every data line (cells by header name). */
function edited(edit: (cells: Record<string, string>) => Record<string, string> | null): Uint8Array {
  const lines = text.trim().split('\n');
  const out = [lines[0]];
  for (const l of lines.slice(1)) {
    const cells = Object.fromEntries(l.split(',').map((v, i) => [header[i], v]));
    const e = edit(cells);
    if (e) out.push(header.map((h) => e[h]).join(','));
  }
  return new TextEncoder().encode(out.join('\n'));
}

describe('geo demo: load -> mapping -> checks -> cleaning -> fitDataset at geo grain (node DuckDB)', { timeout: 240_000 }, () => {
  it('hands the workers the 20 x 156 x 4 panel with the CSV values, per capita; national is one switch away', async () => {
    const ds = newState();
    await ds.loadBytes(FILE, new Uint8Array(Buffer.from(text)));
    const m = ds.mapping.mapping;
    expect(m.keys.geo).toBe('geo');
    expect(m.population_col).toBe('population');
    expect(ds.settings.grain.level).toBe('geo');
    await ds.runChecks();
    expect(ds.checks.error).toBeNull();
    expect(ds.checks.report?.blocked).toBe(false);
    expect(ds.cleaning.panelResult).toBeNull();
    const panel = ds.panel!;
    expect(panel).not.toBeNull();
    expect(panel.dataset.geos.length).toBe(20);
    expect(panel.dataset.dates.length).toBe(156);
    expect(panel.dataset.channels.map((c) => c.name)).toEqual(['Channel0', 'Channel1', 'Channel2', 'Channel3']);

    const { fit, started } = recordingFit();
    expect(fit.grainFor(ds)).toBe('geo');
    expect(fit.fitDataset(ds, DEFAULT_MODEL_SPEC)).toBeNull();
    expect(started.length).toBe(1);
    const { spec, data } = started[0];
    expect(isGeoSpec(spec)).toBe(true);
    const g = data as GeoModelData;
    expect([g.G, g.N, g.C]).toEqual([20, 156, 4]);
    expect(g.K).toBe(2);
    expect(fit.kind).toBe('geo');
    expect(fit.data).toBeNull();

    // hand-picked cells: the panel holds the CSV's numbers, the model data its per-capita scaling
    for (const [geo, date] of [['Geo0', '2021-01-25'], ['Geo13', '2022-06-06'], ['Geo7', '2023-12-25']] as const) {
      const row = csvRow(geo, date);
      const gi = panel.dataset.geos.indexOf(geo);
      const t = panel.dataset.dates.indexOf(date);
      expect(gi).toBeGreaterThanOrEqual(0);
      expect(t).toBeGreaterThanOrEqual(0);
      const i = gi * g.N + t;
      expect(panel.dataset.target.values[i]).toBe(row.conversions);
      expect(panel.dataset.population[gi]).toBe(row.population);
      expect(g.population[gi]).toBe(row.population);
      for (let c = 0; c < 4; c++) {
        expect(panel.dataset.channels[c].spend[i]).toBe(row[`Channel${c}_spend`]);
        expect(g.X[i * g.C + c] * g.spendMean[c] * row.population).toBeCloseTo(row[`Channel${c}_spend`], 6);
      }
      expect(panel.dataset.controls[0].values[i]).toBe(row.competitor_activity_score_control);
      expect(g.y[i] * g.yScale * row.population).toBeCloseTo(row.conversions, 4);
      const rpk = panel.revenuePerKpi!;
      expect(rpk.name).toBe('revenue_per_conversion');
      if (rpk.name !== null) expect(rpk.values[i]).toBe(row.revenue_per_conversion);
    }

    // national is one click away: the same data stage, every geo summed
    fit.setGrain('national');
    expect(fit.fitDataset(ds, DEFAULT_MODEL_SPEC)).toBeNull();
    const nat = started[1];
    expect(isGeoSpec(nat.spec)).toBe(false);
    const n = nat.data as ModelData;
    expect(n.N).toBe(156);
    const t0 = panel.dataset.dates.indexOf('2021-01-25');
    let sum = 0;
    for (let gi = 0; gi < 20; gi++) sum += panel.dataset.target.values[gi * 156 + t0];
    expect(ds.dataset!.target.values[t0]).toBeCloseTo(sum, 2);
    expect(fit.kind).toBe('national');
  });

  it('names the geo and the week when a geo misses a week; the national fit stays available', async () => {
    const gap = newState();
    await gap.loadBytes(FILE, edited((c) => (c.geo === 'Geo3' && c.time === '2022-03-07' ? null : c)));
    await gap.runChecks();
    expect(gap.panel).toBeNull();
    const r = gap.cleaning.panelResult!;
    expect(r.id).toBe('data.geo_panel');
    expect(r.title).toContain("'Geo3'");
    expect(r.title).toContain('2022-03-07');
    expect(gap.checks.report?.results.some((x) => x.id === 'data.geo_panel')).toBe(true);
    const { fit, started } = recordingFit();
    expect(fit.grainFor(gap)).toBe('national');
    expect(fit.fitDataset(gap, DEFAULT_MODEL_SPEC, 'geo')).toContain('Geo3');
    expect(started.length).toBe(0);
    expect(fit.fitDataset(gap, DEFAULT_MODEL_SPEC)).toBeNull();
    expect(isGeoSpec(started[0].spec)).toBe(false);
  });

  it('takes the population column from the detector (named population) or an uploaded config (any name)', () => {
    const roles: RoleProposal[] = [
      { column: 'week', role: 'date', reason: '' },
      { column: 'region', role: 'geo', reason: '' },
      { column: 'sales', role: 'kpi', reason: '' },
      { column: 'tv', role: 'spend', reason: '', channel: 'tv' },
      { column: 'population', role: 'ignore', reason: '' },
      { column: 'residents', role: 'ignore', reason: '' },
    ];
    const ms = new MappingState();
    ms.propose({ roles, data: toMappingConfig(roles), problems: [] });
    expect(ms.mapping.population_col).toBe('population');
    const data = { ...defaultConfig().data, ...ms.mapping, population_col: 'residents' };
    ms.applyConfig(data);
    expect(ms.mapping.population_col).toBe('residents');
    // without a geo key a population means nothing
    ms.setRole('region', 'ignore');
    expect(ms.mapping.population_col).toBeUndefined();
  });
});
