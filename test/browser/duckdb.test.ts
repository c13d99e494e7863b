import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openBrowserDb } from '../../src/data/duckdb.ts';
import { ingestFile } from '../../src/data/ingest.ts';
import { proposeMapping } from '../../src/data/mapping.ts';
import { profileTable } from '../../src/data/profile.ts';
import { runPipeline } from '../../src/data/pipeline.ts';

const fetchBytes = async (path: string) => new Uint8Array(await (await fetch(path)).arrayBuffer());

describe('browser DuckDB (AsyncDuckDB in its worker)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openBrowserDb();
  });
  afterAll(async () => db.close());

  it('reads a CSV, returns plain numbers, and never autoloads extensions', async () => {
    await db.registerFile('t.csv', new TextEncoder().encode('d,x\n2024-01-01,1.5\n2024-01-08,2.5\n'));
    expect(await db.query("SELECT count(*) AS n, sum(x) AS s FROM read_csv('t.csv')")).toEqual([{ n: 2, s: 4 }]);
    expect(await db.query("SELECT current_setting('autoload_known_extensions') AS a, current_setting('autoinstall_known_extensions') AS b")).toEqual([{ a: false, b: false }]);
  });

  it('ingests and maps the Robyn demo served from public/demo as in node', async () => {
    const bytes = await fetchBytes('/demo/robyn_simulated_weekly.csv');
    const r = await ingestFile(db, { name: 'robyn_simulated_weekly.csv', bytes });
    expect(r.rowCount).toBe(208);
    expect(r.sniff).toMatchObject({ delimiter: ',', header: true, dateFormat: '%Y-%m-%d', decimal: '.' });
    expect(r.preview[0]).toMatchObject({ DATE: '2015-11-23', revenue: 2754371.66666667, events: 'na' });
    const p = proposeMapping(await profileTable(db, r.table));
    expect(p.data.kpi_col).toBe('revenue');
    expect(Object.values(p.data.channel_map).map((c) => c.spend).sort()).toEqual(['facebook_S', 'ooh_S', 'print_S', 'search_S', 'tv_S']);
    expect(p.data.factor_controls).toEqual({ events: 'na' });
  });

  it('runs the whole pipeline to a Dataset on the Meridian geo demo (national sums)', async () => {
    const bytes = await fetchBytes('/demo/meridian_geo_media.csv');
    const r = await runPipeline(db, { name: 'meridian_geo_media.csv', bytes }, { cleaning: { outliers: { policy: 'none' } } }, { now: '2024-02-01' });
    expect(r.blocked).toBe(false);
    expect(r.dataset!.dates).toHaveLength(156);
    // First week of meridian_national_media.csv: conversions 162516020, Channel0_spend 146755.84.
    expect(Math.abs(r.dataset!.target.values[0] / 162516020 - 1)).toBeLessThan(2 ** -23);
    expect(Math.abs(r.dataset!.channels[0].spend[0] / 146755.84 - 1)).toBeLessThan(2 ** -23);
  });
});
