import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';
import { cleanTable, type LineageEntry } from '../../src/data/clean/index.ts';
import { cleaningConfigSchema, type CleaningConfigInput } from '../../src/core/spec/config-cleaning.ts';
import type { CheckMapping } from '../../src/data/checks/index.ts';
import { toCheckMapping } from '../../src/data/mapping.ts';
import { makeTable, week } from './checks-fixtures.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});
afterAll(async () => db.close());

const OFF: CleaningConfigInput = { duplicates: { policy: 'none' }, missing_data: { policy: 'none', controls: 'none' }, outliers: { policy: 'none' } };
const cfg = (over: CleaningConfigInput) =>
  cleaningConfigSchema.parse({
    duplicates: { ...OFF.duplicates, ...over.duplicates },
    missing_data: { ...OFF.missing_data, ...over.missing_data },
    outliers: { ...OFF.outliers, ...over.outliers },
  });
const rowsOf = (t: string, cols: string) => db.query(`SELECT strftime(d, '%Y-%m-%d') AS d, ${cols} FROM "${t}"`);
const entry = (l: LineageEntry[], rule: string, column: string | null = null) => l.find((e) => e.rule === rule && (column === null || e.column === column));

describe('dedupe', () => {
  it('drops exact copies, sums additive columns, keeps the last value of the rest', async () => {
    const m: CheckMapping = { date: 'd', kpi: 'y', channels: [{ name: 'a', spend: 'a' }], controls: ['c'], factors: [], keys: [] };
    await makeTable(db, 'dd', [
      { d: week(0), y: 100, a: 10, c: 1, note: 'p' },
      { d: week(1), y: 110, a: 20, c: 2, note: 'p' },
      { d: week(2), y: 100, a: 10, c: 3, note: 'x' },
      { d: week(3), y: 130, a: 30, c: 4, note: 'p' },
      { d: week(2), y: 50, a: 30, c: 5, note: 'y' },
      { d: week(3), y: 130, a: 30, c: 4, note: 'p' },
    ]);
    const r = await cleanTable(db, 'dd', m, cfg({ duplicates: { policy: 'resolve' } }));
    expect(r.table).toBe('dd_clean');
    expect(await rowsOf(r.table, 'y, a, c, note')).toEqual([
      { d: week(0), y: 100, a: 10, c: 1, note: 'p' },
      { d: week(1), y: 110, a: 20, c: 2, note: 'p' },
      { d: week(2), y: 150, a: 40, c: 5, note: 'y' },
      { d: week(3), y: 130, a: 30, c: 4, note: 'p' },
    ]);
    const l = r.lineage;
    expect(entry(l, 'drop_exact_duplicates')).toMatchObject({ rowsBefore: 6, rowsAfter: 5, changes: [{ date: week(3), before: 2, after: 1 }] });
    expect(entry(l, 'merge_sum', 'a')).toMatchObject({
      rowsBefore: 5,
      rowsAfter: 4,
      cellsChanged: 1,
      before: { min: 10, max: 30, sum: 100 },
      after: { min: 10, max: 40, sum: 100 },
      changes: [{ date: week(2), before: 30, after: 40 }],
    });
    expect(entry(l, 'merge_sum', 'y')!.changes).toEqual([{ date: week(2), before: 50, after: 150 }]);
    expect(entry(l, 'merge_keep_last')).toMatchObject({ rowsBefore: 5, rowsAfter: 4, params: { additive: ['y', 'a'], keepLast: ['c', 'note'] } });
    // the input is untouched
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM dd`)).toEqual([{ n: 6 }]);
  });
});

describe('missing data', () => {
  // cost per unit of weeks with both > 0: 0.12, 0.1, 0.1, 0.09, 0.11 -> median 0.1
  const S: (number | null)[] = [12, null, 20, null, 40, null, 45, null, null, null, 33, 0, null];
  const E: (number | null)[] = [100, 200, 200, null, 400, 0, 500, null, null, null, 300, 600, null];
  const m: CheckMapping = { date: 'd', kpi: 'y', channels: [{ name: 's', spend: 's', exposure: 'e' }], controls: ['c'], factors: [], keys: [] };
  beforeAll(async () => {
    await makeTable(
      db,
      'gaps',
      S.map((s, i) => ({ d: week(i), y: 100 + i, s, e: E[i]!, c: i === 5 ? null : i * 2 })),
    );
  });

  it('tells tracking outages (impute) from paused campaigns (zero), rule by rule', async () => {
    const r = await cleanTable(db, 'gaps', m, cfg({ missing_data: { policy: 'campaign_aware', pause_min_weeks: 3, controls: 'interpolate' } }));
    const out = (await rowsOf(r.table, 's, c')) as { s: number; c: number }[];
    const expected = [12, 20, 20, 30, 40, 0, 45, 0, 0, 0, 33, 60, 33];
    out.forEach((row, i) => expect(row.s, week(i)).toBeCloseTo(expected[i]!, 10));
    expect(out[5]!.c).toBe(10); // control interpolated between 8 and 12
    const l = r.lineage;
    expect(entry(l, 'exposure_x_median_cpu', 's')).toMatchObject({
      cellsChanged: 2,
      params: { weeks: 2, exposure: 'e', medianCostPerUnit: 0.1 },
      changes: [{ date: week(1), before: null }, { date: week(11), before: 0 }],
    });
    expect(entry(l, 'neighbour_interpolation', 's')).toMatchObject({ cellsChanged: 2, changes: [{ date: week(3), before: null, after: 30 }, { date: week(12), before: null, after: 33 }] });
    expect(entry(l, 'paused_zero_exposure', 's')).toMatchObject({ cellsChanged: 1, changes: [{ date: week(5), before: null, after: 0 }] });
    expect(entry(l, 'paused_long_run', 's')).toMatchObject({ cellsChanged: 3, params: { pauseMinWeeks: 3 }, changes: [{ date: week(7) }, { date: week(8) }, { date: week(9) }] });
    const sEntry = entry(l, 'paused_long_run', 's')!;
    expect(sEntry.before).toEqual({ min: 0, max: 45, nulls: 7, sum: 150 });
    expect(sEntry.after!.nulls).toBe(0);
    expect(sEntry.after!.max).toBeCloseTo(60, 10);
    expect(entry(l, 'interpolate', 'c')).toMatchObject({ cellsChanged: 1, changes: [{ date: week(5), before: null, after: 10 }] });
  });

  it('a longer pause threshold turns the 3-week run into an interpolated outage', async () => {
    const r = await cleanTable(db, 'gaps', m, cfg({ missing_data: { policy: 'campaign_aware', pause_min_weeks: 4 } }), { output: 'gaps_c4' });
    const out = (await rowsOf(r.table, 's')) as { s: number }[];
    // weeks 7-9 between 45 (week 6) and 33 (week 10): 42, 39, 36
    expect(out.slice(7, 10).map((x) => x.s)).toEqual([42, 39, 36]);
    expect(entry(r.lineage, 'paused_long_run')).toBeUndefined();
  });

  it('zero_fill sets every missing spend to 0 and leaves the rest', async () => {
    const r = await cleanTable(db, 'gaps', m, cfg({ missing_data: { policy: 'zero_fill' } }), { output: 'gaps_zero' });
    const out = (await rowsOf(r.table, 's')) as { s: number }[];
    expect(out.map((x) => x.s)).toEqual(S.map((s) => s ?? 0));
    expect(entry(r.lineage, 'zero_fill', 's')).toMatchObject({ cellsChanged: 7, before: { nulls: 7 }, after: { nulls: 0 } });
  });
});

describe('winsorize', () => {
  // y = i + 1, except a promotion week 10 (500) and an error week 19 (1000)
  const rows = Array.from({ length: 20 }, (_, i) => ({ d: week(i), y: i === 10 ? 500 : i === 19 ? 1000 : i + 1, a: 10, promo: i === 10 ? 1 : 0 }));
  const m: CheckMapping = { date: 'd', kpi: 'y', channels: [{ name: 'a', spend: 'a' }], controls: [], factors: [], keys: [] };
  beforeAll(async () => makeTable(db, 'w', rows));

  it('caps at the 90th percentile of non-promotion weeks and leaves the promotion week (by date)', async () => {
    // non-promo sorted: 1..10, 12..19, 1000 (19 values); position 0.9 * 18 = 16.2 -> 18 + 0.2 * (19 - 18) = 18.2
    const r = await cleanTable(db, 'w', m, cfg({ outliers: { policy: 'winsorize', winsorize_percentile: 90, apply_to: ['kpi'], promo_dates: [week(10)] } }));
    const y = ((await rowsOf(r.table, 'y')) as { y: number }[]).map((x) => x.y);
    expect(y[10]).toBe(500);
    expect(y[18]).toBeCloseTo(18.2, 10);
    expect(y[19]).toBeCloseTo(18.2, 10);
    expect(y.slice(0, 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const e = entry(r.lineage, 'winsorize', 'y')!;
    expect(e).toMatchObject({ cellsChanged: 2, rowsBefore: 20, rowsAfter: 20, params: { percentile: 90, exemptPromoWeeks: 1 }, before: { min: 1, max: 1000 } });
    expect((e.params.caps as { upper: number }[])[0]!.upper).toBeCloseTo(18.2, 10);
    expect(e.after!.max).toBe(500);
  });

  it('the same with a promo column; without the exemption both spikes are capped at 67.1', async () => {
    const byCol = await cleanTable(db, 'w', m, cfg({ outliers: { policy: 'winsorize', winsorize_percentile: 90, apply_to: ['kpi'], promo_column: 'promo' } }), { output: 'w2' });
    expect(((await rowsOf(byCol.table, 'y')) as { y: number }[])[10]!.y).toBe(500);
    // all 20 values: position 0.9 * 19 = 17.1 -> 19 + 0.1 * (500 - 19) = 67.1
    const noEx = await cleanTable(db, 'w', m, cfg({ outliers: { policy: 'winsorize', winsorize_percentile: 90, apply_to: ['kpi'], promo_column: 'promo', exempt_promo_periods: false } }), { output: 'w3' });
    const y = ((await rowsOf(noEx.table, 'y')) as { y: number }[]).map((x) => x.y);
    expect(y[10]).toBeCloseTo(67.1, 10);
    expect(y[19]).toBeCloseTo(67.1, 10);
    expect(entry(noEx.lineage, 'winsorize', 'y')).toMatchObject({ cellsChanged: 2, params: { exemptPromoWeeks: 0 } });
    // the constant spend column is never changed, so it gets no lineage entry
    expect(entry(noEx.lineage, 'winsorize', 'a')).toBeUndefined();
  });

  it('refuses to overwrite the input table', async () => {
    await expect(cleanTable(db, 'w', m, cfg({}), { output: 'w' })).rejects.toThrow(/differ/);
  });
});

describe('Robyn with the default cleaning config', () => {
  it('keeps 208 rows, imputes the one facebook week with impressions but no spend, caps at p99, leaves the input as it was', async () => {
    await db.registerFile('robyn.csv', readFileSync('public/demo/robyn_simulated_weekly.csv'));
    await db.exec(`CREATE TABLE robyn AS SELECT * FROM read_csv('robyn.csv')`);
    const before = await db.query(`SELECT sum(facebook_S) AS fb, sum(revenue) AS rev, count(*)::INTEGER AS n FROM robyn`);
    const m = toCheckMapping({
      date_col: 'DATE',
      kpi_col: 'revenue',
      channel_map: {
        tv_S: { spend: 'tv_S' },
        ooh_S: { spend: 'ooh_S' },
        print_S: { spend: 'print_S' },
        facebook_S: { spend: 'facebook_S', exposure: 'facebook_I' },
        search_S: { spend: 'search_S', exposure: 'search_clicks_P' },
    },
      controls: ['competitor_sales_B', 'newsletter'],
      factor_controls: { events: 'na' },
      ignored: [],
      keys: {},
    });
    const r = await cleanTable(db, 'robyn', m, cleaningConfigSchema.parse({}));
    expect(await db.query(`SELECT sum(facebook_S) AS fb, sum(revenue) AS rev, count(*)::INTEGER AS n FROM robyn`)).toEqual(before);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM ${r.table}`)).toEqual([{ n: 208 }]);
    const steps = r.lineage.map((e) => `${e.step}:${e.rule}:${e.column}`);
    expect(steps.filter((s) => s.startsWith('dedupe') || s.startsWith('types'))).toEqual([]);
    expect(steps.filter((s) => s.startsWith('impute'))).toEqual(['impute:exposure_x_median_cpu:facebook_S']);
    const imp = entry(r.lineage, 'exposure_x_median_cpu', 'facebook_S')!;
    expect(imp.changes).toMatchObject([{ date: '2019-02-25', before: 0 }]);
    // p99 of 208 values: position 0.99 * 207 = 204.93 (0-based), between the 4th and 3rd largest: three weeks capped per column
    const w = r.lineage.filter((e) => e.step === 'winsorize');
    expect(w.map((e) => e.column)).toEqual(['revenue', 'tv_S', 'ooh_S', 'print_S', 'facebook_S', 'search_S']);
    for (const e of w) expect(e.cellsChanged, e.column!).toBe(3);
  });
});
