import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';
import { DATA_CHECKS, runAllChecks, type DataCheckId } from '../../src/data/checks/index.ts';
import { dateFacts, keyFacts } from '../../src/data/checks/table-facts.ts';
import type { CheckContext, CheckMapping } from '../../src/data/checks/types.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../../src/core/spec/config-validation.ts';
import { HEALTHY_MAPPING, healthyRows, makeTable } from './checks-fixtures.ts';

// The checks group rows by a hash of the raw key columns instead of the key's label text; these
// pin that the grouping stays the label's wherever the two could disagree, and that the shared
// facts give the same answers with and without the per-run memo.

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});
afterAll(async () => db.close());

const keyed = (keys: string[]): CheckMapping => ({ ...HEALTHY_MAPPING, keys });
const ctxOf = (table: string, mapping: CheckMapping, memo?: Map<string, Promise<unknown>>): CheckContext => ({
  db,
  table,
  mapping,
  config: DEFAULT_VALIDATION_CONFIG,
  columns: [],
  options: { maxNamed: 20 },
  memo,
});
async function result(table: string, mapping: CheckMapping, id: DataCheckId) {
  const rep = await runAllChecks(db, table, mapping, DEFAULT_VALIDATION_CONFIG);
  return rep.results.find((r) => r.id === id)!;
}

describe('key identity follows the label', () => {
  it('two raw keys with the same label ("a / b" + "c" and "a" + "b / c") are one key: their shared weeks are duplicates', async () => {
    const rows = [
      ...healthyRows(60).map((r) => ({ ...r, g: 'a / b', p: 'c' })),
      ...healthyRows(60).filter((_, i) => i < 3).map((r) => ({ ...r, g: 'a', p: 'b / c', y: Number(r.y) + 1 })),
    ];
    await makeTable(db, 'clash', rows);
    const facts = await keyFacts(ctxOf('clash', keyed(['g', 'p'])));
    expect(facts.keys.map((k) => [k.label, k.rows, k.dates])).toEqual([['a / b / c', 63, 60]]);
    const dup = await result('clash', keyed(['g', 'p']), 'data.duplicates');
    expect(dup.severity).toBe('block');
    expect(dup.evidence.conflictingPeriods).toBe(3);
    expect((dup.evidence.conflicting as { key: string; rows: number[] }[])[0]).toEqual({ date: '2020-01-06', key: 'a / b / c', rows: [1, 61] });
    expect((await result('clash', keyed(['g', 'p']), 'data.key_coverage')).evidence.keys).toBe(1);
  });

  it('an empty key and the text "(missing)" share a label, so they are one key', async () => {
    const rows = [...healthyRows(60).map((r) => ({ ...r, g: null })), ...healthyRows(60).filter((_, i) => i >= 30).map((r) => ({ ...r, g: '(missing)' }))];
    await makeTable(db, 'missingkey', rows);
    const facts = await keyFacts(ctxOf('missingkey', keyed(['g'])));
    expect(facts.keys.map((k) => [k.label, k.rows, k.dates])).toEqual([['(missing)', 90, 60]]);
    const dup = await result('missingkey', keyed(['g']), 'data.duplicates');
    expect(dup.evidence.duplicatePeriods).toBe(30);
  });

  it('distinct keys get distinct ids, ordered by distinct dates then label', async () => {
    const rows = [
      ...healthyRows(60).map((r) => ({ ...r, g: 'North', p: 'x' })),
      ...healthyRows(40).map((r) => ({ ...r, g: 'South', p: 'x' })),
      ...healthyRows(40).map((r) => ({ ...r, g: 'East', p: 'x' })),
    ];
    await makeTable(db, 'three', rows);
    const facts = await keyFacts(ctxOf('three', keyed(['g', 'p'])));
    expect(facts.keyId).toBe('hash("g", "p")');
    expect(facts.keys.map((k) => [k.label, k.dates])).toEqual([['East / x', 40], ['South / x', 40], ['North / x', 60]]);
    expect(new Set(facts.keys.map((k) => k.id)).size).toBe(3);
  });
});

describe('shared facts', () => {
  it('the usual weekday is the one with most rows, a tie going to the weekday seen first (as SQL mode())', async () => {
    // 2020-01-07 is a Tuesday, 2020-01-06 a Monday: two rows each, the Tuesday first in the table
    await makeTable(db, 'tie', [
      { d: '2020-01-07', y: 1, a: 1, b: 1, b_imp: 1, c: 1 },
      { d: '2020-01-06', y: 2, a: 2, b: 2, b_imp: 2, c: 2 },
      { d: '2020-01-13', y: 3, a: 3, b: 3, b_imp: 3, c: 3 },
      { d: '2020-01-14', y: 4, a: 4, b: 4, b_imp: 4, c: 4 },
    ]);
    const r = await DATA_CHECKS['data.periods'](ctxOf('tie', HEALTHY_MAPPING));
    expect(r.evidence.usualWeekday).toBe('Tuesday');
    expect(r.evidence.weekdays).toBe(2);
    const [{ m }] = await db.query<{ m: string }>(`SELECT mode(dayname(CAST(d AS DATE))) AS m FROM tie`);
    expect(m).toBe('Tuesday');
  });

  it('computes each fact once per memo, and the same without one', async () => {
    await makeTable(db, 'memo', healthyRows(30).map((r) => ({ ...r, g: 'N' })));
    const memo = new Map<string, Promise<unknown>>();
    const c = ctxOf('memo', keyed(['g']), memo);
    const first = await dateFacts(c);
    expect(await dateFacts(c)).toBe(first);
    expect(await dateFacts(ctxOf('memo', keyed(['g'])))).toEqual(first);
    expect(first.map((d) => d.rows)).toEqual(Array(30).fill(1));
    expect(first[0]).toEqual({ iso: '2020-01-06', day: 18267, weekday: 'Monday', rows: 1, firstRow: 1 });
  });
});
