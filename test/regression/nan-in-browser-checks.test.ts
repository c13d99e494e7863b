import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/core/check/result.ts';
import { configSchema } from '../../src/core/spec/config.ts';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { ingestFile } from '../../src/data/ingest.ts';
import type { MappingConfig } from '../../src/data/mapping.ts';
import { runPipeline } from '../../src/data/pipeline.ts';
import { checkStage, cleanStage, PIPELINE_TABLES, shapeStage } from '../../src/data/pipeline-stages.ts';

// Bug: the browser's DatasetState sequenced its own stages and never ran data.non_finite, so a
// NaN or Infinity in a spend column showed up only as "This check could not run" blocks from
// data.channel_correlation and data.vif ("STDDEV_POP out of range"). Both the browser and the
// runner now call shapeStage -> checkStage; this runs them as DatasetState does.

const enc = (s: string) => new TextEncoder().encode(s);
const week = (i: number) => new Date(Date.UTC(2023, 0, 2 + 7 * i)).toISOString().slice(0, 10);
const day = (i: number) => new Date(Date.UTC(2023, 0, 2 + i)).toISOString().slice(0, 10);

/** `n` rows; data row 12 has tv_spend NaN and row 30 search_spend Infinity (1-based data rows). */
function csv(date: (i: number) => string, n = 80): string {
  const lines = ['week,revenue,tv_spend,search_spend'];
  for (let i = 0; i < n; i++) {
    const tv = i === 11 ? 'NaN' : String(100 + ((i * 37) % 50));
    const search = i === 29 ? 'Infinity' : String(50 + ((i * 13) % 40));
    lines.push(`${date(i)},${2000 + ((i * 53) % 300)},${tv},${search}`);
  }
  return lines.join('\n');
}

const M: MappingConfig = { date_col: 'week', kpi_col: 'revenue', channel_map: { tv: { spend: 'tv_spend' }, search: { spend: 'search_spend' } }, controls: [], factor_controls: {}, ignored: [], keys: {} };
const CFG = configSchema.parse({});
const NOW = '2024-09-01';

function assertSpecific(results: CheckResult[]): void {
  const nf = results.find((r) => r.id === 'data.non_finite')!;
  expect(nf, 'data.non_finite is among the results').toBeDefined();
  expect(nf.severity).toBe('block');
  expect(nf.detail).toContain("'tv_spend'");
  expect(nf.detail).toContain('row 12');
  expect(nf.detail).toContain("'search_spend'");
  expect(nf.detail).toContain('row 30');
  // The cryptic blocks of the bug, and any other check misled by the NaN, are gone.
  expect(results.filter((r) => r.title === 'This check could not run').map((r) => r.id)).toEqual([]);
  expect(results.filter((r) => r.severity === 'block').map((r) => r.id)).toEqual(['data.non_finite']);
  for (const r of results) expect(r.detail, r.id).not.toMatch(/\bNaN\b|null%/);
  for (const id of ['data.channel_correlation', 'data.vif', 'data.spend_share']) expect(results.find((r) => r.id === id)?.severity, id).toBe('info');
}

describe('NaN / Infinity in spend columns (browser stages)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());

  it('weekly file: shapeStage -> checkStage names the column and row, no "could not run" block', async () => {
    const ingest = await ingestFile(db, { name: 'nan_spend.csv', bytes: enc(csv(week)) }, { table: PIPELINE_TABLES.raw });
    const shape = await shapeStage(db, PIPELINE_TABLES.raw, M, CFG.data);
    const checked = await checkStage(db, shape, M, CFG.validation, { now: NOW, before: ingest.findings });
    assertSpecific(checked.results);
    expect(checked.blocked).toBe(true);
    // the same answer from the runner, which composes the same stages
    const r = await runPipeline(db, { name: 'nan_spend.csv', bytes: enc(csv(week)) }, { data: M }, { now: NOW });
    expect(r.results.map((x) => [x.id, x.severity, x.detail])).toEqual(checked.results.map((x) => [x.id, x.severity, x.detail]));
  });

  it('daily file: the NaN is named on the user\'s daily row, not hidden in a weekly sum', async () => {
    await ingestFile(db, { name: 'nan_daily.csv', bytes: enc(csv(day, 400)) }, { table: PIPELINE_TABLES.raw });
    const shape = await shapeStage(db, PIPELINE_TABLES.raw, M, CFG.data);
    expect(shape.table).not.toBe(shape.rows);
    const checked = await checkStage(db, shape, M, CFG.validation, { now: NOW });
    // 400 days from a Monday: 58 weeks, the last one with 1 day warns (grain.weekly)
    expect(checked.results.find((r) => r.id === 'grain.weekly')?.severity).toBe('warn');
    assertSpecific(checked.results);
  });

  it('an overridden non-finite block hands those cells to cleaning as missing: the Dataset is finite', async () => {
    await ingestFile(db, { name: 'nan_spend.csv', bytes: enc(csv(week)) }, { table: PIPELINE_TABLES.raw });
    const shape = await shapeStage(db, PIPELINE_TABLES.raw, M, CFG.data);
    const overrides = [{ id: 'data.non_finite', reason: 'test', at: '2024-09-01T00:00:00Z' }];
    const checked = await checkStage(db, shape, M, CFG.validation, { now: NOW, overrides });
    expect(checked.blocked).toBe(false);
    expect(checked.raw.find((r) => r.id === 'data.non_finite')?.severity).toBe('block');
    const clean = await cleanStage(db, shape, M, CFG, { target: 'national' });
    // Default cleaning (campaign_aware) interpolates a one-week spend gap between its neighbours:
    // tv weeks 11 and 13 are 120 and 144 -> 132; search weeks 29 and 31 are 54 and 80 -> 67.
    const d = clean.dataset!;
    expect(clean.result).toBeNull();
    expect(d.dates).toHaveLength(80);
    expect(d.channels[0].spend[11]).toBe(132);
    expect(d.channels[1].spend[29]).toBe(67);
    for (const c of d.channels) expect(c.spend.every(Number.isFinite), c.name).toBe(true);
    expect(clean.lineage.filter((l) => l.step === 'impute').map((l) => l.column)).toEqual(['tv_spend', 'search_spend']);
  });
});
