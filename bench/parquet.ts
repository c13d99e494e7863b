import { parseArgs } from 'node:util';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { openNodeDb } from '../src/data/duckdb-node.ts';
import { ingestFile } from '../src/data/ingest.ts';
import { ParquetCsvDecoder } from '../src/data/parquet-decode.ts';

// npx tsx bench/parquet.ts [--rows 1000000] [--group 100000] [--runs 3]
// Parquet ingest speed in node (hyparquet on this thread, DuckDB-WASM blocking build): a seeded
// daily geo x product table of 12 columns (DATE, 2 text, 9 DOUBLE), snappy, written with
// hyparquet-writer; times decode alone (CSV batches) and the whole ingestFile, next to ingestFile of
// the same table as CSV. Best of --runs (timings on shared machines are bimodal).

const { values: a } = parseArgs({ options: { rows: { type: 'string', default: '1000000' }, group: { type: 'string', default: '100000' }, runs: { type: 'string', default: '3' } } });
const N = Number(a.rows);
let seed = 42;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const geos = Array.from({ length: 200 }, (_, i) => `geo_${i}`);
const products = ['a', 'b', 'c', 'd', 'e'];
const date = new Array<Date>(N);
const geo = new Array<string>(N);
const product = new Array<string>(N);
const nums = Array.from({ length: 9 }, () => new Float64Array(N));
for (let i = 0; i < N; i++) {
  const d = Math.floor(i / 1000);
  date[i] = new Date(Date.UTC(2021, 0, 1 + d));
  geo[i] = geos[Math.floor(i / 5) % 200];
  product[i] = products[i % 5];
  for (let k = 0; k < 9; k++) nums[k][i] = Math.round(rnd() * 1e6) / 100;
}
const names = ['revenue', 'tv_spend', 'search_spend', 'social_spend', 'display_spend', 'radio_spend', 'search_clicks', 'price', 'temperature'];
const t0 = performance.now();
const pq = new Uint8Array(parquetWriteBuffer({
  columnData: [
    { name: 'date', data: date },
    { name: 'geo', data: geo },
    { name: 'product', data: product },
    ...names.map((n, k) => ({ name: n, data: nums[k] })),
  ],
  schema: [
    { name: 'root', num_children: 12 },
    { name: 'date', type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' },
    { name: 'geo', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    { name: 'product', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    ...names.map((n) => ({ name: n, type: 'DOUBLE' as const, repetition_type: 'OPTIONAL' as const })),
  ],
  rowGroupSize: Number(a.group),
}));
const writeS = (performance.now() - t0) / 1000;
const head = ['date', 'geo', 'product', ...names];
const lines = [head.join(',')];
for (let i = 0; i < N; i++) lines.push([date[i].toISOString().slice(0, 10), geo[i], product[i], ...nums.map((c) => c[i])].join(','));
const csv = new TextEncoder().encode(lines.join('\n') + '\n');
console.log(`table ${N} x 12: parquet ${(pq.length / 1e6).toFixed(1)} MB (written in ${writeS.toFixed(1)} s, row groups of ${a.group}), csv ${(csv.length / 1e6).toFixed(1)} MB`);

const db = await openNodeDb();
const best = { decode: Infinity, parquet: Infinity, csv: Infinity };
for (let r = 0; r < Number(a.runs); r++) {
  let t = performance.now();
  const dec = new ParquetCsvDecoder('bench.parquet', pq);
  let rows = 0;
  for (let b = await dec.next(); b; b = await dec.next()) rows += b.rows;
  best.decode = Math.min(best.decode, (performance.now() - t) / 1000);
  t = performance.now();
  const p = await ingestFile(db, { name: 'bench.parquet', bytes: pq }, { table: 'p' });
  best.parquet = Math.min(best.parquet, (performance.now() - t) / 1000);
  t = performance.now();
  const c = await ingestFile(db, { name: 'bench.csv', bytes: csv }, { table: 'c' });
  best.csv = Math.min(best.csv, (performance.now() - t) / 1000);
  if (rows !== N || p.rowCount !== N || c.rowCount !== N) throw new Error('row count mismatch');
  console.log(`run ${r + 1}: decode ${(best.decode).toFixed(2)} s, parquet ingest ${best.parquet.toFixed(2)} s, csv ingest ${best.csv.toFixed(2)} s (best so far)`);
}
const [{ d }] = await db.query<{ d: number }>('SELECT count(*)::DOUBLE AS d FROM (SELECT * FROM p EXCEPT ALL SELECT * FROM c)');
console.log(JSON.stringify({ rows: N, cols: 12, rowGroup: Number(a.group), parquetMB: pq.length / 1e6, decodeS: best.decode, parquetIngestS: best.parquet, csvIngestS: best.csv, rowsDifferingFromCsv: d }));
await db.close();
