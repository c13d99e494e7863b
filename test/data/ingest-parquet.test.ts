import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { ingestFile, selectPlain, type IngestResult } from '../../src/data/ingest.ts';
import { IngestError } from '../../src/data/ingest-error.ts';
import { proposeMapping } from '../../src/data/mapping.ts';
import { profileTable } from '../../src/data/profile.ts';
import { runPipeline } from '../../src/data/pipeline.ts';
import { isoDate, isoTimestamp } from '../../src/data/parquet-decode.ts';

const file = (p: string) => new Uint8Array(readFileSync(p));
const DIR = 'test/fixtures/ingest/';

/** Every row of a table in rowid order, as plain values (dates as ISO text, numbers as numbers). */
async function allRows(db: Db, r: IngestResult): Promise<Record<string, unknown>[]> {
  return db.query(`SELECT ${r.columns.map((c) => `${selectPlain(c)} AS "${c.name.replaceAll('"', '""')}"`).join(', ')} FROM ${r.table} ORDER BY rowid`);
}

describe('Parquet ingest (hyparquet -> typed CSV -> DuckDB, node)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());

  it('reads the Robyn Parquet to the same rows, values and mapping as the Robyn CSV', async () => {
    const csv = await ingestFile(db, { name: 'robyn_simulated_weekly.csv', bytes: file('public/demo/robyn_simulated_weekly.csv') }, { table: 'robyn_csv' });
    const pq = await ingestFile(db, { name: 'robyn.parquet', bytes: file(DIR + 'robyn.parquet') }, { table: 'robyn_pq' });
    expect(pq.format).toBe('parquet');
    expect(pq.sniff).toBeNull();
    expect(pq.rowCount).toBe(208);
    expect(pq.columns.map((c) => c.name)).toEqual(csv.columns.map((c) => c.name));
    // INT64 (competitor_sales_B) lands as DOUBLE like every number; the CSV sniffer says BIGINT.
    expect(pq.columns.map((c) => c.type)).toEqual(['DATE', ...Array(9).fill('DOUBLE'), 'VARCHAR', 'DOUBLE']);
    expect(csv.columns.find((c) => c.name === 'competitor_sales_B')!.type).toBe('BIGINT');
    expect(pq.findings).toEqual([]);
    expect(pq.preview).toEqual(csv.preview);
    // every value of every row, in file order: the same doubles (not just close) and dates
    expect(await allRows(db, pq)).toEqual(await allRows(db, csv));
    const [first] = await allRows(db, pq);
    expect(first).toMatchObject({ DATE: '2015-11-23', revenue: 2754371.66666667, competitor_sales_B: 8125009, events: 'na' });
    expect(proposeMapping(await profileTable(db, 'robyn_pq'))).toEqual(proposeMapping(await profileTable(db, 'robyn_csv')));
  });

  it('runs the whole pipeline on the Robyn Parquet to the same Dataset as the CSV', async () => {
    const now = { now: '2019-12-01' };
    const a = await runPipeline(db, { name: 'robyn.csv', bytes: file('public/demo/robyn_simulated_weekly.csv') }, {}, now);
    const b = await runPipeline(db, { name: 'robyn.parquet', bytes: file('public/demo/robyn_simulated_weekly_parquet.parquet') }, {}, now);
    expect(b.blocked).toBe(false);
    expect(b.dataset).toEqual(a.dataset);
    expect(b.results.map((r) => [r.id, r.severity])).toEqual(a.results.map((r) => [r.id, r.severity]));
  });

  it('types every column from the schema and keeps every value: dates, microseconds, nulls, NaN, INT64, DECIMAL, text', async () => {
    const r = await ingestFile(db, { name: 'types.parquet', bytes: file(DIR + 'types.parquet') }, { table: 'types' });
    expect(r.columns).toEqual([
      { name: 'week', type: 'DATE' },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'revenue', type: 'DOUBLE' },
      { name: 'units', type: 'DOUBLE' },
      { name: 'price', type: 'DOUBLE' },
      { name: 'big_decimal', type: 'DOUBLE' },
      { name: 'small', type: 'DOUBLE' },
      { name: 'flag', type: 'BOOLEAN' },
      { name: 'channel', type: 'VARCHAR' },
      { name: 'TV "prime" spend (€)', type: 'DOUBLE' },
      { name: 'Revenue_1', type: 'DOUBLE' },
    ]);
    const rows = await db.query<Record<string, unknown>>(
      `SELECT week::VARCHAR AS week, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') AS ts, revenue, isnan(revenue) AS nan, units, price, big_decimal, small, flag, channel, "TV ""prime"" spend (€)" AS tv, Revenue_1 AS r1 FROM types ORDER BY rowid`,
    );
    expect(rows.map((x) => x.week)).toEqual(['2024-01-01', '2024-01-08', '2024-01-15', null, '2024-01-29', '2024-02-05', '2024-02-12', '2024-02-19', '2024-02-26', '2024-03-04']);
    expect(rows[0].ts).toBe('2024-01-01 00:00:00.000001');
    expect(rows[9].ts).toBe('2024-01-01 09:00:00.000001');
    expect(rows[4].ts).toBeNull();
    expect(rows.map((x) => x.nan)).toEqual([false, false, null, false, false, true, false, false, false, false]);
    expect(rows[1].revenue).toBe(1000.6);
    expect(rows[0].units).toBe(2 ** 53); // 2^53 + 1 rounds to the nearest double
    expect(rows[3].units).toBe(-3000);
    expect(rows[6].units).toBeNull();
    expect(rows.map((x) => x.price)).toEqual([12.34, 12.35, 12.36, 12.37, 12.38, 12.39, 12.4, null, 12.42, 12.43]);
    expect(rows[0].big_decimal).toBe(12345678901234.5678);
    expect(rows[3].big_decimal).toBe(-12345678901234.5678);
    expect(rows[1].big_decimal).toBeNull();
    expect(rows.map((x) => x.small)).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4]);
    expect(rows.map((x) => x.flag)).toEqual([true, false, true, false, true, false, true, false, null, false]);
    expect(rows.map((x) => x.channel)).toEqual(['tv', null, '', 'a,b', 'say "hi"', 'line\nbreak', 'Ümlaut €', '=SUM(A1)', '  padded  ', 'x']);
    expect(rows.map((x) => x.tv)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, null]);
    expect(rows.map((x) => x.r1)).toEqual([0, -1, -2, -3, -4, -5, -6, -7, -8, -9]);
    expect(r.findings.map((f) => f.id)).toEqual(['ingest.header_duplicate', 'ingest.formula']);
    expect(r.findings[0].detail).toContain("'Revenue' was read as 'Revenue_1'");
    // Parquet has no header line: the formula is in data row 8
    expect(r.findings[1].detail).toMatch(/^Row 8 of types\.parquet, column 'channel'/);
  });

  it('reads gzip and brotli pages (hyparquet-compressors, loaded on demand) to the same table as snappy', async () => {
    const base = await ingestFile(db, { name: 'types.parquet', bytes: file(DIR + 'types.parquet') }, { table: 't_snappy' });
    const want = await allRows(db, base);
    for (const codec of ['gzip', 'brotli']) {
      const r = await ingestFile(db, { name: `types_${codec}.parquet`, bytes: file(`${DIR}types_${codec}.parquet`) }, { table: `t_${codec}` });
      expect(r.columns).toEqual(base.columns);
      expect(await allRows(db, r)).toEqual(want);
    }
  });

  it('gives the same table whatever the batch size (batches cross row-group boundaries)', async () => {
    const whole = await ingestFile(db, { name: 'robyn.parquet', bytes: file(DIR + 'robyn.parquet') }, { table: 'whole' });
    const small = await ingestFile(db, { name: 'robyn.parquet', bytes: file(DIR + 'robyn.parquet') }, { table: 'small', parquet: { batchCells: 12 * 10 } });
    expect(small.rowCount).toBe(208);
    expect(await allRows(db, small)).toEqual(await allRows(db, whole));
  });

  it('names the file and the reason when a Parquet file is truncated or damaged', async () => {
    const bytes = file(DIR + 'robyn.parquet');
    const cut = await ingestFile(db, { name: 'cut.parquet', bytes: bytes.subarray(0, 5000) }).catch((e) => e);
    expect(cut).toBeInstanceOf(IngestError);
    expect(cut).toMatchObject({ id: 'ingest.parquet_truncated', file: 'cut.parquet' });
    expect(cut.message).toContain('cut.parquet is truncated');
    const bad = await ingestFile(db, { name: 'bad.parquet', bytes: file('test/fixtures/bad/parquet_bad_page.parquet') }).catch((e) => e);
    expect(bad).toMatchObject({ id: 'ingest.parquet_unreadable', file: 'bad.parquet' });
    expect(bad.message).toBe("bad.parquet could not be read as Parquet: column 'DATE', row 2 holds the date -4178020-04-21, outside the years 1 to 9999.");
    expect(bad.toCheckResult()).toMatchObject({ severity: 'block', title: 'Cannot read bad.parquet' });
  });

  it('turns random byte damage into either a table or an IngestError, never another exception', async () => {
    const base = file(DIR + 'robyn.parquet');
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const seen: Record<string, number> = {};
    for (let t = 0; t < 120; t++) {
      const b = base.slice();
      const n = [1, 8, 64][t % 3];
      const at = Math.floor(rnd() * (b.length - 8 - n));
      for (let i = 0; i < n; i++) b[at + i] = Math.floor(rnd() * 256);
      // on this thread: the decoder's own errors are checked here (a worker would wrap any error
      // as an IngestError); the node worker is tested in ingest-parquet-worker.test.ts
      const out = await ingestFile(db, { name: 'f.parquet', bytes: b }, { parquet: { decodeIn: 'main' } }).then(
        () => 'read',
        (e) => (e instanceof IngestError ? e.id : `unexpected: ${e}`),
      );
      seen[out] = (seen[out] ?? 0) + 1;
    }
    expect(Object.keys(seen).sort()).toEqual(['ingest.parquet_unreadable', 'read']);
  });

  it('formats dates and timestamps as DuckDB reads them (hand-computed)', () => {
    expect(isoDate(0)).toBe('1970-01-01');
    expect(isoDate(-1)).toBe('1969-12-31');
    expect(isoDate(11016)).toBe('2000-02-29');
    expect(isoDate(19723)).toBe('2024-01-01');
    expect(isoDate(-719162)).toBe('0001-01-01');
    expect(isoTimestamp(0n)).toBe('1970-01-01 00:00:00.000000');
    expect(isoTimestamp(-1n)).toBe('1969-12-31 23:59:59.999999');
    expect(isoTimestamp(1704067200000001n + 3_723_000_000n)).toBe('2024-01-01 01:02:03.000001');
  });
});
