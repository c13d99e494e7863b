import { transfer, wrap } from 'comlink';
import { ident, literal, type Db } from './db.ts';
import { IngestError } from './ingest-error.ts';
import { DEFAULT_BATCH_CELLS, ParquetCsvDecoder, type CsvBatch, type ParquetHead, type ParquetSqlType } from './parquet-decode.ts';
import type { ParquetWorkerApi, ParquetWorkerHost, WorkerOutcome } from './parquet-worker-types.ts';

export type { ParquetWorkerApi, ParquetWorkerHost, WorkerOutcome } from './parquet-worker-types.ts';

/*
 * Parquet without DuckDB's parquet extension (DuckDB-WASM downloads it from the internet, which
 * Carryover never does): hyparquet decodes the file into typed CSV batches (parquet-decode.ts),
 * in a worker in the browser, and DuckDB reads each batch with explicit column types through the
 * ordinary Db interface, so node and the browser run the same SQL.
 */

/** What loadParquet put into DuckDB. */
export interface ParquetLoad {
  /** Names as written in the file of the columns read (aligned with `columns`). */
  headerAsWritten: string[];
  /** Columns of the table, in file order: DOUBLE, DATE, TIMESTAMP, BOOLEAN or VARCHAR. */
  columns: { name: string; type: ParquetSqlType }[];
  rowCount: number;
  rowGroups: number;
  /** Warnings about columns left out or renamed. */
  findings: ParquetHead['findings'];
}

/**
 * Where hyparquet runs: 'worker' (a web worker in the browser, a worker_threads worker in node;
 * stoppable), 'main' (this thread), 'auto' (worker on a browser page or in node; this thread
 * inside a web worker, which its own owner can stop).
 */
export type ParquetDecodeIn = 'auto' | 'main' | 'worker';

/** Options of loadParquet. */
export interface ParquetLoadOptions {
  /** Cells (rows x columns) per CSV batch handed to DuckDB; bounds memory. Default 1 000 000. */
  batchCells?: number;
  /** Default 'auto'. */
  decodeIn?: ParquetDecodeIn;
  /** A worker call (footer, or one batch) running longer than this (ms) stops the worker. Default 60 000 (node: CARRYOVER_PARQUET_DECODE_TIMEOUT_MS when set). */
  decodeTimeoutMs?: number;
}

/** Default stall timeout of one worker call, ms. */
const DEFAULT_DECODE_TIMEOUT_MS = 60_000;

/*
 * Node's worker host (parquet-node.ts) imports node:worker_threads, so its specifier is kept out of
 * the bundler's sight: a browser build never resolves it, and only node ever runs this import.
 */
const NODE_HOST = './parquet-node.ts';

/** A decoder on either side of a worker boundary. */
interface ParquetSource {
  head: ParquetHead;
  next(): Promise<CsvBatch | null>;
  close(): void;
}

/**
 * Reads Parquet bytes (already past checkParquetFooter) into `table` (replaced), one batch of
 * rows at a time. Throws IngestError('ingest.parquet_unreadable') naming the file when the footer
 * or a page cannot be decoded, a value cannot be stored, or decoding stalls (worker only).
 */
export async function loadParquet(db: Db, file: string, bytes: Uint8Array, table: string, opts: ParquetLoadOptions = {}): Promise<ParquetLoad> {
  const source = await openSource(file, bytes, opts);
  try {
    const { head } = source;
    const columnsSql = `{${head.columns.map((c) => `${literal(c.name)}: '${c.type}'`).join(', ')}}`;
    await db.exec(`CREATE OR REPLACE TABLE ${ident(table)} (${head.columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ')})`);
    let rows = 0;
    for (let batch = await source.next(), k = 1; batch; batch = await source.next(), k++) {
      const vname = `parquet_${table}_${k}.csv`;
      await db.registerFile(vname, batch.bytes);
      const size = Math.max(2_097_152, batch.longest + 2);
      try {
        await db.exec(
          `INSERT INTO ${ident(table)} SELECT * FROM read_csv(${literal(vname)}, header=false, auto_detect=false, delim=',', quote='"', escape='"', new_line='\\n', allow_quoted_nulls=false, columns=${columnsSql}, max_line_size=${size}, buffer_size=${Math.max(16 * size, 16_777_216)}${batch.multiline ? ', parallel=false' : ''})`,
        );
      } catch (e) {
        const why = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
        throw new IngestError('ingest.parquet_unreadable', file, `${file} could not be read as Parquet: rows ${batch.firstRow + 1}-${batch.firstRow + batch.rows} could not be stored: ${why}.`, 'Export the file again as Parquet or as CSV UTF-8.');
      } finally {
        await db.dropFile(vname).catch(() => undefined);
      }
      rows += batch.rows;
    }
    return { headerAsWritten: head.headerAsWritten, columns: head.columns, rowCount: rows, rowGroups: head.rowGroups, findings: head.findings };
  } finally {
    source.close();
  }
}

async function openSource(file: string, bytes: Uint8Array, opts: ParquetLoadOptions): Promise<ParquetSource> {
  const where = opts.decodeIn ?? 'auto';
  const batchCells = opts.batchCells ?? DEFAULT_BATCH_CELLS;
  const onPage = typeof window !== 'undefined' && typeof Worker === 'function';
  const inNode = !onPage && typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (where === 'main' || (where === 'auto' && !onPage && !inNode)) {
    const d = new ParquetCsvDecoder(file, bytes, batchCells);
    return { head: d.head, next: () => d.next(), close: () => undefined };
  }
  if (inNode) {
    const node: typeof import('./parquet-node.ts') = await import(/* @vite-ignore */ NODE_HOST);
    const timeoutMs = opts.decodeTimeoutMs ?? node.envDecodeTimeoutMs() ?? DEFAULT_DECODE_TIMEOUT_MS;
    return openWorkerSource(file, bytes, node.startNodeParquetWorker(), batchCells, timeoutMs);
  }
  return openWorkerSource(file, bytes, startWebWorker(), batchCells, opts.decodeTimeoutMs ?? DEFAULT_DECODE_TIMEOUT_MS);
}

function startWebWorker(): ParquetWorkerHost {
  const worker = new Worker(new URL('./parquet.worker.ts', import.meta.url), { type: 'module' });
  return {
    endpoint: worker,
    onFailure: (cb) => worker.addEventListener('error', (ev) => cb(ev.message || 'the Parquet worker failed to start')),
    terminate: () => worker.terminate(),
  };
}

/**
 * The decoder in a worker; every call races a timeout and a worker failure, either of which
 * stops the worker. The worker decodes batch k+1 while DuckDB stores batch k.
 */
async function openWorkerSource(file: string, bytes: Uint8Array, worker: ParquetWorkerHost, batchCells: number, timeoutMs: number): Promise<ParquetSource> {
  const FIX = 'Export the file again as Parquet or as CSV UTF-8.';
  const api = wrap<ParquetWorkerApi>(worker.endpoint);
  const stoppers = new Set<(e: Error) => void>();
  worker.onFailure((reason) => stoppers.forEach((stop) => stop(new Error(reason))));
  const call = async <T>(what: string, p: () => Promise<WorkerOutcome<T>>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopper: (e: Error) => void = () => undefined;
    const stop = new Promise<never>((_, reject) => {
      stopper = (e) => reject(new IngestError('ingest.parquet_unreadable', file, `${file} could not be read as Parquet: ${e.message}.`, FIX));
      stoppers.add(stopper);
      timer = setTimeout(() => {
        worker.terminate();
        reject(new IngestError('ingest.parquet_unreadable', file, `${file} could not be read as Parquet: decoding ${what} did not finish within ${Math.round(timeoutMs / 1000)} s, so it was stopped; the file is probably damaged.`, FIX));
      }, timeoutMs);
    });
    try {
      const r = await Promise.race([p(), stop]);
      if (!r.ok) throw new IngestError(r.error.id, file, r.error.message, r.error.fix || FIX);
      return r.value;
    } catch (e) {
      worker.terminate();
      throw e;
    } finally {
      clearTimeout(timer);
      stoppers.delete(stopper);
    }
  };
  const copy = bytes.slice();
  const head = await call('the footer', async () => api.open(file, transfer(copy, [copy.buffer]), batchCells));
  let batches = 0;
  let ahead: Promise<CsvBatch | null> | null = null;
  const request = () => {
    const p = call(`batch ${++batches}`, () => api.next());
    p.catch(() => undefined); // a prefetch nobody awaits (load aborted) must not surface as unhandled
    return p;
  };
  return {
    head,
    async next() {
      const p = ahead ?? request();
      ahead = null;
      const b = await p;
      if (b) ahead = request();
      return b;
    },
    close() {
      worker.terminate();
      stoppers.forEach((stop) => stop(new Error('closed')));
    },
  };
}
