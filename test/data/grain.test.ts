import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { aggregateWeekly, applyFilters, detectFrequency, toWeeklyGrain, weekStartExpr } from '../../src/data/grain.ts';
import { ingestFile } from '../../src/data/ingest.ts';
import type { MappingConfig } from '../../src/data/mapping.ts';
import { runPipeline } from '../../src/data/pipeline.ts';

const DATA = 'public/demo/';
const bytes = (f: string) => new Uint8Array(readFileSync(DATA + f));
const enc = (s: string) => new TextEncoder().encode(s);

describe('grain', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());

  it('aggregates the Meridian geo file to national sums equal to the national file (1e-7 relative)', async () => {
    // Winsorising is off so the model input is the plain aggregation of the user's rows.
    const geo = await runPipeline(db, { name: 'meridian_geo_media.csv', bytes: bytes('meridian_geo_media.csv') }, { cleaning: { outliers: { policy: 'none' } } }, { now: '2024-02-01' });
    expect(geo.blocked).toBe(false);
    expect(geo.config.data.keys.geo).toBe('geo');
    const d = geo.dataset!;
    expect(d.dates).toHaveLength(156);
    const national = readFileSync(DATA + 'meridian_national_media.csv', 'utf8').trim().split('\n');
    const head = national[0].split(',');
    const col = (name: string) => national.slice(1).map((l) => Number(l.split(',')[head.indexOf(name)]));
    expect(d.dates[0]).toBe('2021-01-25');
    expect(d.dates[155]).toBe('2024-01-15');
    const rel = (a: Float64Array, b: number[]) => Math.max(...b.map((v, i) => Math.abs(a[i] - v) / Math.abs(v)));
    // Both files hold float32-rounded values (8 significant digits), so sums agree to float32
    // precision: 2^-23 = 1.19e-7 relative. Measured here: KPI and spend within 1.03e-7.
    const F32 = 2 ** -23;
    expect(rel(d.target.values, col('conversions'))).toBeLessThan(F32);
    for (let k = 0; k < 4; k++) {
      const ch = d.channels.find((c) => c.name === `Channel${k}`)!;
      expect(rel(ch.spend, col(`Channel${k}_spend`))).toBeLessThan(F32);
    }
    // Controls are means over geos (the national file's controls are not: README says so).
    const raw = readFileSync(DATA + 'meridian_geo_media.csv', 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const wk0 = raw.filter((r) => r[1] === '2021-01-25').map((r) => Number(r[6]));
    const sent = d.controls.find((c) => c.name === 'competitor_activity_score_control')!;
    expect(sent.values[0]).toBeCloseTo(wk0.reduce((a, b) => a + b, 0) / wk0.length, 10);
  });

  it('keeps the geo key for a geo model and filters by key', async () => {
    const r = await runPipeline(db, { name: 'meridian_geo_media.csv', bytes: bytes('meridian_geo_media.csv') }, { cleaning: { outliers: { policy: 'none' } }, data: { grain: { level: 'geo' }, filters: [{ column: 'geo', values: ['Geo3', 'Geo1'] }] } }, { now: '2024-02-01' });
    expect(r.dataset).toBeNull();
    expect(r.datasets!.map((d) => d.key)).toEqual(['Geo1', 'Geo3']);
    const line = readFileSync(DATA + 'meridian_geo_media.csv', 'utf8').split('\n').find((l) => l.startsWith('Geo3,2021-02-01,'))!.split(',');
    const g3 = r.datasets![1].dataset;
    expect(g3.dates[1]).toBe('2021-02-01');
    expect(g3.target.values[1]).toBe(Number(line[12]));
    expect(g3.channels[0].spend[1]).toBe(Number(line[8]));
  });

  it('detects daily data and sums it into weeks starting on the configured day (hand-computed)', async () => {
    // 2024-01-01 is a Monday. 10 days: Mon 1 .. Wed 10.
    const lines = ['date,sales,tv_spend,price,event'];
    for (let i = 0; i < 10; i++) lines.push(`2024-01-${String(i + 1).padStart(2, '0')},${i + 1},${10 * (i + 1)},${i},${i === 8 ? 'promo' : 'none'}`);
    await ingestFile(db, { name: 'daily.csv', bytes: enc(lines.join('\n')) }, { table: 'daily' });
    const m: MappingConfig = { date_col: 'date', kpi_col: 'sales', channel_map: { tv: { spend: 'tv_spend' } }, controls: ['price'], factor_controls: { event: 'none' }, ignored: [], keys: {} };
    expect((await detectFrequency(db, 'daily', m)).frequency).toBe('daily');
    const w = await toWeeklyGrain(db, 'daily', m, 'monday', 'daily_w');
    expect(w.result?.id).toBe('grain.weekly');
    expect(w.result?.severity).toBe('warn'); // last week has 3 of 7 days
    const rows = await db.query(`SELECT strftime(date, '%Y-%m-%d') AS d, sales, tv_spend, price, event FROM daily_w ORDER BY 1`);
    expect(rows).toEqual([
      { d: '2024-01-01', sales: 28, tv_spend: 280, price: 3, event: 'none' },
      { d: '2024-01-08', sales: 27, tv_spend: 270, price: 8, event: 'promo' },
    ]);
    await aggregateWeekly(db, 'daily', m, 'sunday', [], 'daily_sun');
    const sun = await db.query(`SELECT strftime(date, '%Y-%m-%d') AS d, sales FROM daily_sun ORDER BY 1`);
    // Sunday weeks: Dec 31 (Jan 1-6: 1..6), Jan 7 (7..10).
    expect(sun).toEqual([
      { d: '2023-12-31', sales: 21 },
      { d: '2024-01-07', sales: 34 },
    ]);
  });

  it('computes week starts for every weekday', async () => {
    const [r] = await db.query<Record<string, string>>(
      `SELECT ${['monday', 'wednesday', 'sunday'].map((w) => `strftime(${weekStartExpr("DATE '2024-01-10'", w as 'monday')}, '%Y-%m-%d') AS ${w}`).join(', ')}`,
    );
    expect(r).toEqual({ monday: '2024-01-08', wednesday: '2024-01-10', sunday: '2024-01-07' });
  });

  it('passes weekly data through untouched and applies filters as a view', async () => {
    await ingestFile(db, { name: 'w.csv', bytes: enc('week,region,sales,tv_S\n2024-01-01,a,1,2\n2024-01-08,a,3,4\n2024-01-01,b,5,6\n2024-01-08,b,7,8\n') }, { table: 'wk' });
    const m: MappingConfig = { date_col: 'week', kpi_col: 'sales', channel_map: { tv: { spend: 'tv_S' } }, controls: [], factor_controls: {}, ignored: [], keys: { geo: 'region' } };
    const w = await toWeeklyGrain(db, 'wk', m, 'monday', 'wk_w');
    expect(w).toMatchObject({ table: 'wk', result: null, frequency: 'weekly' });
    await applyFilters(db, 'wk', [{ column: 'region', values: ['b'] }], 'wk_b');
    expect(await db.query(`SELECT sum(sales)::DOUBLE AS s FROM wk_b`)).toEqual([{ s: 12 }]);
  });
});
