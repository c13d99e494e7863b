import type { Endpoint } from 'comlink';
import type { IngestErrorId } from './ingest-error.ts';
import type { CsvBatch, ParquetHead } from './parquet-decode.ts';

/*
 * The contract between the Parquet loader (parquet.ts) and its decode workers (the browser's
 * parquet.worker.ts, node's parquet-node.ts host): types only, so neither side imports the other.
 */

/** A result crossing the worker boundary: IngestError fields travel as plain data. */
export type WorkerOutcome<T> = { ok: true; value: T } | { ok: false; error: { id: IngestErrorId; message: string; fix: string } };

/** The API parquet.worker.ts exposes over comlink. */
export interface ParquetWorkerApi {
  /** Reads the footer of `bytes` (transferred). */
  open(file: string, bytes: Uint8Array, batchCells: number): WorkerOutcome<ParquetHead>;
  /** The next CSV batch (its bytes transferred), or null after the last row. */
  next(): Promise<WorkerOutcome<CsvBatch | null>>;
}

/** A started decode worker, browser or node, as openWorkerSource drives it. */
export interface ParquetWorkerHost {
  /** Where comlink talks to the worker. */
  endpoint: Endpoint;
  /** Registers `cb`, called with a reason when the worker fails to start, throws outside a call, or dies. */
  onFailure(cb: (reason: string) => void): void;
  /** Stops the worker at once, even mid-loop. */
  terminate(): void;
}

