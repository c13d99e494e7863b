import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openBrowserDb } from '../../src/data/duckdb.ts';
import { ingestFile, selectPlain, type IngestResult } from '../../src/data/ingest.ts';
import { proposeMapping } from '../../src/data/mapping.ts';
import { profileTable } from '../../src/data/profile.ts';

const fetchBytes = async (path: string) => {
  const res = await fetch(path);
  expect(res.ok, path).toBe(true);
  return new Uint8Array(await res.arrayBuffer());
};
const allRows = (db: Db, r: IngestResult) =>
  db.query(`SELECT ${r.columns.map((c) => `${selectPlain(c)} AS "${c.name.replaceAll('"', '""')}"`).join(', ')} FROM ${r.table} ORDER BY rowid`);

describe('Parquet ingest in Chromium (hyparquet in a worker, AsyncDuckDB)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openBrowserDb();
  });
  afterAll(async () => db.close());

  it('reads the Parquet demo to the same table and mapping as the CSV demo, with no off-origin request', async () => {
    const csv = await ingestFile(db, { name: 'robyn_simulated_weekly.csv', bytes: await fetchBytes('/demo/robyn_simulated_weekly.csv') }, { table: 'csv' });
    const pq = await ingestFile(db, { name: 'robyn_simulated_weekly_parquet.parquet', bytes: await fetchBytes('/demo/robyn_simulated_weekly_parquet.parquet') }, { table: 'pq' });
    expect(pq.rowCount).toBe(208);
    expect(pq.columns.map((c) => c.name)).toEqual(csv.columns.map((c) => c.name));
    expect(pq.columns.map((c) => c.type)).toEqual(['DATE', ...Array(9).fill('DOUBLE'), 'VARCHAR', 'DOUBLE']);
    expect(await allRows(db, pq)).toEqual(await allRows(db, csv));
    expect(proposeMapping(await profileTable(db, 'pq'))).toEqual(proposeMapping(await profileTable(db, 'csv')));
    const origins = new Set(performance.getEntriesByType('resource').map((e) => new URL(e.name).origin));
    expect([...origins]).toEqual([location.origin]);
  });

  it('decodes the same in the worker and on the main thread, gzip included', async () => {
    for (const f of ['types.parquet', 'types_gzip.parquet']) {
      const bytes = await fetchBytes(`/test/fixtures/ingest/${f}`);
      const w = await ingestFile(db, { name: f, bytes }, { table: 'in_worker', parquet: { decodeIn: 'worker' } });
      const m = await ingestFile(db, { name: f, bytes }, { table: 'in_main', parquet: { decodeIn: 'main' } });
      expect(w.columns).toEqual(m.columns);
      expect(w.findings).toEqual(m.findings);
      const rows = await allRows(db, w);
      expect(rows).toEqual(await allRows(db, m));
      expect(rows.map((r) => r.channel)).toEqual(['tv', null, '', 'a,b', 'say "hi"', 'line\nbreak', 'Ümlaut €', '=SUM(A1)', '  padded  ', 'x']);
    }
    expect(new Set(performance.getEntriesByType('resource').map((e) => new URL(e.name).origin))).toEqual(new Set([location.origin]));
  });

  it('stops a decode that never ends (damaged page) with an error naming the file; DuckDB still works', async () => {
    const bytes = await fetchBytes('/test/fixtures/ingest/stall.parquet');
    const err = await ingestFile(db, { name: 'stall.parquet', bytes }, { parquet: { decodeTimeoutMs: 2000 } }).catch((e) => e);
    expect(err).toMatchObject({ name: 'IngestError', id: 'ingest.parquet_unreadable', file: 'stall.parquet' });
    expect(err.message).toContain('stall.parquet could not be read as Parquet: decoding batch 1 did not finish within 2 s');
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('names the file when a Parquet file is truncated', async () => {
    const bytes = await fetchBytes('/demo/robyn_simulated_weekly_parquet.parquet');
    const err = await ingestFile(db, { name: 'half.parquet', bytes: bytes.subarray(0, bytes.length >> 1) }).catch((e) => e);
    expect(err).toMatchObject({ name: 'IngestError', id: 'ingest.parquet_truncated', file: 'half.parquet' });
  });
});
