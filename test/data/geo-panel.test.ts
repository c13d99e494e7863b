import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { toGeoPanel } from '../../src/data/geo-panel.ts';
import type { MappingConfig } from '../../src/data/mapping.ts';

// toGeoPanel on small hand-written tables: the panel's layout and values, and each problem the
// geo model cannot take named by geo, column and week.

const m: MappingConfig = {
  date_col: 'week', kpi_col: 'sales', channel_map: { tv: { spend: 'tv_spend' } }, controls: ['price'], factor_controls: {},
  ignored: [], keys: { geo: 'region' }, population_col: 'pop', revenue_per_kpi: 'rpk',
};
// 2 geos x 3 weeks, written out of order
const ROWS = [
  ['B', '2024-01-08', 20, 2, 1.5, 200, 3],
  ['A', '2024-01-01', 10, 1, 1.0, 100, 2],
  ['A', '2024-01-15', 12, 3, 1.2, 100, 2],
  ['B', '2024-01-01', 22, 0, 1.1, 200, 3],
  ['A', '2024-01-08', 11, 2, 0.9, 100, 2],
  ['B', '2024-01-15', 24, 4, 1.3, 200, 3],
] as const;
type Row = (string | number | null)[];

describe('toGeoPanel', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());
  const load = async (rows: readonly (readonly (string | number | null)[])[]) => {
    const sql = (v: string | number | null, j: number) => (v === null ? 'NULL' : j <= 1 ? `'${v}'` : String(v));
    await db.exec(`CREATE OR REPLACE TABLE t (region VARCHAR, week DATE, sales DOUBLE, tv_spend DOUBLE, price DOUBLE, pop DOUBLE, rpk DOUBLE)`);
    await db.exec(`INSERT INTO t VALUES ${rows.map((r) => `(${r.map(sql).join(', ')})`).join(', ')}`);
  };

  it('builds the geo-major panel with the table values, population per geo and revenue per KPI per geo-week', async () => {
    await load(ROWS);
    const r = await toGeoPanel(db, 't', m, ['region']);
    if (!r.ok) throw new Error(r.result.detail);
    const d = r.panel.dataset;
    expect(d.geos).toEqual(['A', 'B']);
    expect(d.dates).toEqual(['2024-01-01', '2024-01-08', '2024-01-15']);
    expect(Array.from(d.population)).toEqual([100, 200]);
    expect(Array.from(d.target.values)).toEqual([10, 11, 12, 22, 20, 24]);
    expect(d.channels).toEqual([{ name: 'tv', spend: Float64Array.from([1, 2, 3, 0, 2, 4]) }]);
    expect(Array.from(d.controls[0].values)).toEqual([1.0, 0.9, 1.2, 1.1, 1.5, 1.3]);
    expect(r.panel.revenuePerKpi).toEqual({ name: 'rpk', values: Float64Array.from([2, 2, 2, 3, 3, 3]) });
  });

  const cases: [string, (rows: Row[]) => Row[], RegExp, Record<string, unknown>][] = [
    ['a missing week', (rows) => rows.filter((r) => !(r[0] === 'B' && r[1] === '2024-01-08')), /region 'B' has no row for week 2024-01-08/, { geo: 'B', date: '2024-01-08', missing: 1 }],
    ['an empty population', (rows) => rows.map((r) => (r[0] === 'A' && r[1] === '2024-01-08' ? [...r.slice(0, 5), null, r[6]] : r)), /Population has no usable value for region 'A' in week 2024-01-08/, { column: 'pop', geo: 'A' }],
    ['a zero population', (rows) => rows.map((r) => (r[0] === 'B' ? [...r.slice(0, 5), 0, r[6]] : r)), /Population of region 'B' is 0 in week 2024-01-01/, { column: 'pop', geo: 'B' }],
    ['a population that changes', (rows) => rows.map((r) => (r[0] === 'A' && r[1] === '2024-01-15' ? [...r.slice(0, 5), 150, r[6]] : r)), /Population of region 'A' changes over time/, { column: 'pop', geo: 'A', low: 100, high: 150 }],
    ['an empty spend cell', (rows) => rows.map((r) => (r[0] === 'B' && r[1] === '2024-01-15' ? [r[0], r[1], r[2], null, ...r.slice(4)] : r)), /Column 'tv_spend' has no usable value for region 'B' in week 2024-01-15/, { column: 'tv_spend', geo: 'B', date: '2024-01-15' }],
    ['a duplicated week', (rows) => [...rows, rows[1]], /region 'A' has week 2024-01-01 more than once/, { geo: 'A', date: '2024-01-01' }],
  ];
  for (const [what, edit, title, evidence] of cases) {
    it(`names ${what} by geo, column and week (a warning: the national fit stays)`, async () => {
      await load(edit(ROWS.map((r) => [...r])));
      const r = await toGeoPanel(db, 't', m, ['region']);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.result.id).toBe('data.geo_panel');
      expect(r.result.severity).toBe('warn');
      expect(r.result.title).toMatch(title);
      expect(r.result.evidence).toMatchObject(evidence);
      expect(r.result.fix).toBeTruthy();
    });
  }

  it('labels geo x product units "geo / product" and keeps each pair\'s own series', async () => {
    await load(ROWS);
    await db.exec(`CREATE OR REPLACE TABLE tp AS SELECT region, p AS product, week, sales * k AS sales, tv_spend * k AS tv_spend, price, pop, rpk
      FROM t, (VALUES ('p1', 1.0), ('p2', 2.0)) AS v(p, k)`);
    const r = await toGeoPanel(db, 'tp', { ...m, keys: { geo: 'region', product: 'product' } }, ['region', 'product']);
    if (!r.ok) throw new Error(r.result.detail);
    const d = r.panel.dataset;
    expect(d.geos).toEqual(['A / p1', 'A / p2', 'B / p1', 'B / p2']);
    expect(Array.from(d.population)).toEqual([100, 100, 200, 200]);
    expect(Array.from(d.target.values)).toEqual([10, 11, 12, 20, 22, 24, 22, 20, 24, 44, 40, 48]);
    expect(r.panel.keys).toEqual(['region', 'product']);
  });
});
