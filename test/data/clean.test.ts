import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';
import { cleanTable, type LineageEntry } from '../../src/data/clean/index.ts';
import { cleaningConfigSchema, type CleaningConfigInput } from '../../src/core/spec/config-cleaning.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../../src/core/spec/config-validation.ts';
import type { CheckMapping } from '../../src/data/checks/index.ts';
import { toCheckMapping } from '../../src/data/mapping.ts';
import { runPipeline } from '../../src/data/pipeline.ts';
import { cleanStage, PIPELINE_TABLES, shapeStage } from '../../src/data/pipeline-stages.ts';
import { makeTable, week } from './checks-fixtures.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
}, 60_000);
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
    const r = await cleanTable(db, 'w', m, cfg({ outliers: { policy: 'winsorize', kpi_rule: 'percentile', winsorize_percentile: 90, apply_to: ['kpi'], promo_dates: [week(10)] } }));
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
    const byCol = await cleanTable(db, 'w', m, cfg({ outliers: { policy: 'winsorize', kpi_rule: 'percentile', winsorize_percentile: 90, apply_to: ['kpi'], promo_column: 'promo' } }), { output: 'w2' });
    expect(((await rowsOf(byCol.table, 'y')) as { y: number }[])[10]!.y).toBe(500);
    // all 20 values: position 0.9 * 19 = 17.1 -> 19 + 0.1 * (500 - 19) = 67.1
    const noEx = await cleanTable(db, 'w', m, cfg({ outliers: { policy: 'winsorize', kpi_rule: 'percentile', winsorize_percentile: 90, apply_to: ['kpi'], promo_column: 'promo', exempt_promo_periods: false } }), { output: 'w3' });
    const y = ((await rowsOf(noEx.table, 'y')) as { y: number }[]).map((x) => x.y);
    expect(y[10]).toBeCloseTo(67.1, 10);
    expect(y[19]).toBeCloseTo(67.1, 10);
    expect(entry(noEx.lineage, 'winsorize', 'y')).toMatchObject({ cellsChanged: 2, params: { exemptPromoWeeks: 0 } });
    // the constant spend column is never changed, so it gets no lineage entry
    expect(entry(noEx.lineage, 'winsorize', 'a')).toBeUndefined();
  });

  it('the default rule caps only the outlier week 19, not week 18 that the percentile alone would cap', async () => {
    // median 10.5, MAD 5: week 19 (1000) has robust z 133, week 18 (19) 1.1; cap 18.2 as above
    const r = await cleanTable(db, 'w', m, cfg({ outliers: { policy: 'winsorize', winsorize_percentile: 90, promo_dates: [week(10)] } }), { output: 'w4' });
    const y = ((await rowsOf(r.table, 'y')) as { y: number }[]).map((x) => x.y);
    expect(y[19]).toBeCloseTo(18.2, 10);
    expect(y.filter((v, i) => i !== 19)).toEqual(rows.filter((_, i) => i !== 19).map((x) => x.y));
    expect(r.flagged.map((w) => `${w.date}:${w.status}`)).toEqual([`${week(10)}:exempt`, `${week(19)}:capped`]);
    expect(entry(r.lineage, 'cap_flagged', 'y')).toMatchObject({ cellsChanged: 1, changes: [{ date: week(19), before: 1000 }] });
  });

  it('refuses to overwrite the input table', async () => {
    await expect(cleanTable(db, 'w', m, cfg({}), { output: 'w' })).rejects.toThrow(/differ/);
  });
});

describe('Robyn with the default cleaning config', () => {
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
  const numeric = ['revenue', 'tv_S', 'ooh_S', 'print_S', 'facebook_S', 'search_S', 'facebook_I', 'search_clicks_P', 'competitor_sales_B', 'newsletter'];
  beforeAll(async () => {
    await db.registerFile('robyn.csv', readFileSync('public/demo/robyn_simulated_weekly.csv'));
    await db.exec(`CREATE TABLE robyn AS SELECT * FROM read_csv('robyn.csv')`);
  }, 60_000);

  // Until issue 13 the default capped 3 weeks of the KPI and of every spend column at their p99
  // (a p99 cap on 208 weeks always bites): the default now caps no week of this file.
  it('keeps 208 rows, imputes the one facebook week with impressions but no spend, caps no week, leaves the input as it was', async () => {
    const before = await db.query(`SELECT sum(facebook_S) AS fb, sum(revenue) AS rev, count(*)::INTEGER AS n FROM robyn`);
    const r = await cleanTable(db, 'robyn', m, cleaningConfigSchema.parse({}), { factorBaselines: { events: 'na' } });
    expect(await db.query(`SELECT sum(facebook_S) AS fb, sum(revenue) AS rev, count(*)::INTEGER AS n FROM robyn`)).toEqual(before);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM ${r.table}`)).toEqual([{ n: 208 }]);
    const steps = r.lineage.map((e) => `${e.step}:${e.rule}:${e.column}:${e.cellsChanged}`);
    expect(steps).toEqual(['impute:exposure_x_median_cpu:facebook_S:1', 'winsorize:cap_flagged:revenue:0']);
    const imp = entry(r.lineage, 'exposure_x_median_cpu', 'facebook_S')!;
    expect(imp.changes).toMatchObject([{ date: '2019-02-25', before: 0 }]);
    expect(entry(r.lineage, 'cap_flagged', 'revenue')!.detail).toBe('No week of "revenue" capped: no outlier weeks (robust z beyond 3.5).');
    expect(r.flagged).toEqual([]);
    // every cell of every mapped numeric column is the file's own value, but the one imputed week
    const diff = await db.query<{ col: string; d: string }>(
      numeric
        .map((c) => `SELECT '${c}' AS col, strftime(o."DATE", '%Y-%m-%d') AS d FROM robyn o JOIN ${r.table} n ON o."DATE" = n."DATE" WHERE CAST(o."${c}" AS DOUBLE) IS DISTINCT FROM n."${c}"`)
        .join(' UNION ALL '),
    );
    expect(diff).toEqual([{ col: 'facebook_S', d: '2019-02-25' }]);
  });

  it('at a lower outlier threshold lists the flagged revenue weeks, exempt on the spend bursts that explain them, and still caps none', async () => {
    const rule = { ...DEFAULT_VALIDATION_CONFIG.value_sanity, robust_z_threshold: 1.5 };
    const r = await cleanTable(db, 'robyn', m, cleaningConfigSchema.parse({}), { output: 'robyn_z15', outlierRule: rule, factorBaselines: { events: 'na' } });
    const f = r.flagged.map((w) => `${w.date}:${w.status}:${w.exemptions.map((e) => (e.kind === 'spend_burst' ? e.channel : e.kind)).join('+')}`);
    expect(f).toEqual(['2016-12-26:exempt:tv_S', '2017-11-06:exempt:ooh_S+print_S', '2017-11-20:inside_cap:', '2017-12-25:exempt:tv_S', '2018-12-24:inside_cap:tv_S+facebook_S+search_S']);
    // the tv burst of 2018-12-24 is the outlier check's tv_S week with robust z 6.01
    const tv = r.flagged.find((w) => w.date === '2018-12-24')!.exemptions[0]!;
    expect(tv.kind === 'spend_burst' && Math.round(tv.robustZ! * 100) / 100).toBe(6.01);
    expect(entry(r.lineage, 'cap_flagged', 'revenue')).toMatchObject({ cellsChanged: 0 });
    expect(entry(r.lineage, 'cap_flagged', 'revenue')!.detail).toMatch(/^No week of "revenue" capped; 3 flagged week\(s\) exempt because 2016-12-26: spend burst of tv_S/);
  });

  it('through the pipeline: the auto mapping, validation.value_sanity as the rule, and the raw variant beside the cleaned tables', async () => {
    const file = { name: 'robyn_simulated_weekly.csv', bytes: new Uint8Array(readFileSync('public/demo/robyn_simulated_weekly.csv')) };
    const r = await runPipeline(db, file, {}, { now: '2019-12-01' });
    expect(r.lineage.map((e) => `${e.rule}:${e.column}:${e.cellsChanged}`)).toEqual(['exposure_x_median_cpu:facebook_S:1', 'cap_flagged:revenue:0']);
    expect(r.flagged).toEqual([]);
    const low = await runPipeline(db, file, { validation: { value_sanity: { robust_z_threshold: 1.5 } } }, { now: '2019-12-01' });
    expect(low.flagged.map((w) => w.date)).toEqual(['2016-12-26', '2017-11-06', '2017-11-20', '2017-12-25', '2018-12-24']);
    expect(low.flagged.every((w) => w.after === w.value)).toBe(true);
    // the file's own values, fitted beside the cleaned ones: the imputed facebook week is 0 again
    const m2 = low.config.data;
    const shape = await shapeStage(db, PIPELINE_TABLES.raw, m2, low.config.data);
    const raw = await cleanStage(db, shape, m2, low.config, { target: 'national', variant: 'raw' });
    expect(raw.lineage).toEqual([]);
    expect(raw.tables.clean).toBe(PIPELINE_TABLES.rawClean);
    const fb = (d: NonNullable<typeof raw.dataset>) => d.channels.find((c) => c.name === 'facebook_S' || c.name === 'facebook')!.spend[d.dates.indexOf('2019-02-25')];
    expect(fb(raw.dataset!)).toBe(0);
    expect(fb(low.dataset!)).toBeGreaterThan(0);
    expect(await db.query(`SELECT count(*)::INTEGER AS n FROM ${PIPELINE_TABLES.clean} WHERE facebook_S = 0 AND "DATE" = DATE '2019-02-25'`)).toEqual([{ n: 0 }]);
  });
});
