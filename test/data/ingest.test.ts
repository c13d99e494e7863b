import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { ingestFile } from '../../src/data/ingest.ts';
import { IngestError } from '../../src/data/ingest-error.ts';
import { firstRaggedLine, headerNames, inspectText } from '../../src/data/ingest-bytes.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const file = (p: string) => new Uint8Array(readFileSync(p));

describe('ingest', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());

  it('reads CSV and TSV of the same table to the same rows and types', async () => {
    const a = await ingestFile(db, { name: 'weekly.csv', bytes: file('test/fixtures/ingest/weekly.csv') }, { table: 'a' });
    const b = await ingestFile(db, { name: 'weekly.tsv', bytes: file('test/fixtures/ingest/weekly.tsv') }, { table: 'b' });
    expect(a.format).toBe('csv');
    expect(b.format).toBe('tsv');
    expect(b.sniff!.delimiter).toBe('\t');
    expect(a.rowCount).toBe(104);
    expect(b.columns).toEqual(a.columns);
    expect(a.columns.map((c) => c.type)).toEqual(['DATE', 'BIGINT', 'BIGINT', 'BIGINT', 'DOUBLE']);
    expect(await db.query('SELECT count(*)::DOUBLE AS n FROM (SELECT * FROM a EXCEPT SELECT * FROM b)')).toEqual([{ n: 0 }]);
    expect(a.preview).toHaveLength(20);
    expect(a.preview[0].date).toBe('2022-01-03');
    expect(typeof a.preview[0].revenue).toBe('number');
  });

  it('reports what the sniffer found', async () => {
    const r = await ingestFile(db, { name: 'eu.csv', bytes: enc('datum;umsatz;tv_spend\n01.02.2024;1000,5;10\n08.02.2024;2000,25;20\n') });
    expect(r.sniff).toMatchObject({ delimiter: ';', header: true, dateFormat: '%d.%m.%Y', decimal: ',', encoding: 'utf-8', overridden: [] });
    expect(r.columns.map((c) => c.type)).toEqual(['DATE', 'DOUBLE', 'BIGINT']);
    expect(r.preview[1]).toEqual({ datum: '2024-02-08', umsatz: 2000.25, tv_spend: 20 });
    expect(r.findings.map((f) => f.id)).toEqual(['ingest.decimal_comma']);
  });

  it('applies user overrides: header, delimiter, date format, decimal', async () => {
    const noHeader = await ingestFile(db, { name: 'h.csv', bytes: enc('2024-01-01,1\n2024-01-08,2\n2024-01-15,3\n') }, { read: { header: false } });
    expect(noHeader.rowCount).toBe(3);
    expect(noHeader.sniff!.header).toBe(false);
    expect(noHeader.sniff!.overridden).toEqual(['header']);
    // 03/04/2024 is ambiguous: the user says month first.
    const us = await ingestFile(db, { name: 'us.csv', bytes: enc('d|x\n03/04/2024|1.5\n03/11/2024|2.5\n') }, { read: { date_format: '%m/%d/%Y', delimiter: '|' } });
    expect(us.preview.map((r) => r.d)).toEqual(['2024-03-04', '2024-03-11']);
    const dec = await ingestFile(db, { name: 'dec.csv', bytes: enc('d;x\n2024-01-01;1,5\n2024-01-08;2\n') }, { read: { decimal: ',' } });
    expect(dec.preview.map((r) => r.x)).toEqual([1.5, 2]);
    const lat = await ingestFile(db, { name: 'l.csv', bytes: Uint8Array.from('d,pr\xe9is\n2024-01-01,1\n', (c) => c.charCodeAt(0)) }, { read: { encoding: 'latin-1' } });
    expect(lat.columns[1].name).toBe('préis');
    expect(lat.findings).toEqual([]);
  });

  it('keeps a column with a late non-number as text (the sniffer reads every row; the checks name the row)', async () => {
    const r = await ingestFile(db, { name: 'late.csv', bytes: enc('d,x\n2024-01-01,1\n2024-01-08,2\n2024-01-15,oops\n') });
    expect(r.columns[1].type).toBe('VARCHAR');
    expect(r.preview.map((p) => p.x)).toEqual(['1', '2', 'oops']);
  });

  it('throws a typed IngestError naming the file and the fix', async () => {
    const err = await ingestFile(db, { name: 'h.csv', bytes: enc('a,b\n') }).catch((e) => e);
    expect(err).toBeInstanceOf(IngestError);
    expect(err).toMatchObject({ id: 'ingest.no_rows', file: 'h.csv' });
    expect(err.fix).toMatch(/Export the data again/);
    const rag = await ingestFile(db, { name: 'r.csv', bytes: enc('a,b,c\n1,2,3\n4,5\n') }).catch((e) => e);
    expect(rag).toMatchObject({ id: 'ingest.csv_unreadable', row: 3 });
    expect(rag.toCheckResult()).toMatchObject({ id: 'ingest.csv_unreadable', severity: 'block', evidence: { file: 'r.csv', row: 3 } });
  });

  it('inspects bytes: encodings, header as written, ragged lines', () => {
    expect(inspectText('a', enc('a,b\n1,2\n')).encoding).toBe('utf-8');
    expect(inspectText('a', new Uint8Array([0xff, 0xfe, 0x61, 0]))).toMatchObject({ encoding: 'utf-16', reason: 'bom' });
    expect(inspectText('a', new Uint8Array([0x61, 0x0a, 0x62, 0xe9, 0x0a]))).toMatchObject({ encoding: 'latin-1', invalidLine: 2 });
    expect(() => inspectText('x.bin', new Uint8Array(100))).toThrow(/not a text file/);
    expect(headerNames(enc('\uFEFF"a,1",b,,"c""d"\n1,2,3,4\n'), 'utf-8', ',', '"')).toEqual(['a,1', 'b', '', 'c"d']);
    expect(firstRaggedLine(enc('a,b\n"x\ny",2\n3\n'), 'utf-8', ',', '"')).toEqual({ line: 4, fields: 1, expected: 2 });
    expect(firstRaggedLine(enc('a,b\n1,2\n\n3,4\n'), 'utf-8', ',', '"')).toBeNull();
  });
});
