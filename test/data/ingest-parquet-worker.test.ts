import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { ingestFile, selectPlain, type IngestResult } from '../../src/data/ingest.ts';
import { IngestError } from '../../src/data/ingest-error.ts';
import { DECODE_TIMEOUT_ENV, envDecodeTimeoutMs } from '../../src/data/parquet-node.ts';

const file = (p: string) => new Uint8Array(readFileSync(p));
const DIR = 'test/fixtures/ingest/';
const allRows = (db: Db, r: IngestResult) =>
  db.query(`SELECT ${r.columns.map((c) => `${selectPlain(c)} AS "${c.name.replaceAll('"', '""')}"`).join(', ')} FROM ${r.table} ORDER BY rowid`);

describe('Parquet decode in a node worker_threads worker (stoppable, as in the browser)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());
  afterEach(() => {
    delete process.env[DECODE_TIMEOUT_ENV];
  });

  it('decodes the same in the worker (the node default) and on the main thread, gzip and multi-batch included', async () => {
    for (const [f, batchCells] of [['types.parquet', undefined], ['types_gzip.parquet', undefined], ['robyn.parquet', 12 * 10]] as const) {
      const bytes = file(DIR + f);
      const auto = await ingestFile(db, { name: f, bytes }, { table: 'in_auto', parquet: { batchCells } });
      const w = await ingestFile(db, { name: f, bytes }, { table: 'in_worker', parquet: { batchCells, decodeIn: 'worker' } });
      const m = await ingestFile(db, { name: f, bytes }, { table: 'in_main', parquet: { batchCells, decodeIn: 'main' } });
      expect(w.columns).toEqual(m.columns);
      expect(w.findings).toEqual(m.findings);
      expect(w.rowCount).toBe(m.rowCount);
      const rows = await allRows(db, m);
      expect(await allRows(db, w)).toEqual(rows);
      expect(await allRows(db, auto)).toEqual(rows);
      if (f !== 'robyn.parquet') expect(rows.map((r) => r.channel)).toEqual(['tv', null, '', 'a,b', 'say "hi"', 'line\nbreak', 'Ümlaut €', '=SUM(A1)', '  padded  ', 'x']);
    }
  });

  it('stops a decode that never ends (damaged page) with an error naming the file; DuckDB still works', async () => {
    const err = await ingestFile(db, { name: 'stall.parquet', bytes: file(DIR + 'stall.parquet') }, { parquet: { decodeTimeoutMs: 2000 } }).catch((e) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err).toMatchObject({ name: 'IngestError', id: 'ingest.parquet_unreadable', file: 'stall.parquet' });
    expect(err.message).toBe('stall.parquet could not be read as Parquet: decoding batch 1 did not finish within 2 s, so it was stopped; the file is probably damaged.');
    expect(err.toCheckResult()).toMatchObject({ severity: 'block', title: 'Cannot read stall.parquet' });
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    // the next file decodes in a fresh worker
    const ok = await ingestFile(db, { name: 'types.parquet', bytes: file(DIR + 'types.parquet') }, { table: 'after_stall' });
    expect(ok.rowCount).toBe(10);
  });

  it('passes the decoder\'s own errors through the worker with the same id and message as on the main thread', async () => {
    const bad = file('test/fixtures/bad/parquet_bad_page.parquet');
    const w = await ingestFile(db, { name: 'bad.parquet', bytes: bad }, { parquet: { decodeIn: 'worker' } }).catch((e) => e);
    const m = await ingestFile(db, { name: 'bad.parquet', bytes: bad }, { parquet: { decodeIn: 'main' } }).catch((e) => e);
    expect(w).toBeInstanceOf(IngestError);
    expect({ id: w.id, file: w.file, message: w.message, fix: w.fix }).toEqual({ id: m.id, file: m.file, message: m.message, fix: m.fix });
    expect(w.message).toBe("bad.parquet could not be read as Parquet: column 'DATE', row 2 holds the date -4178020-04-21, outside the years 1 to 9999.");
  });

  it(`takes the stall timeout from ${DECODE_TIMEOUT_ENV} when the options give none (headless runner)`, async () => {
    for (const [raw, want] of [['1500', 1500], ['', undefined], ['0', undefined], ['-5', undefined], ['soon', undefined], ['Infinity', undefined]] as const) {
      process.env[DECODE_TIMEOUT_ENV] = raw;
      expect(envDecodeTimeoutMs()).toBe(want);
    }
    delete process.env[DECODE_TIMEOUT_ENV];
    expect(envDecodeTimeoutMs()).toBeUndefined();
    process.env[DECODE_TIMEOUT_ENV] = '1000';
    const err = await ingestFile(db, { name: 'stall.parquet', bytes: file(DIR + 'stall.parquet') }).catch((e) => e);
    expect(err).toMatchObject({ id: 'ingest.parquet_unreadable', file: 'stall.parquet' });
    expect(err.message).toContain('decoding batch 1 did not finish within 1 s');
  });
});
