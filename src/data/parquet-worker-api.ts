import { transfer } from 'comlink';
import { isIngestError } from './ingest-error.ts';
import { ParquetCsvDecoder, type CsvBatch, type ParquetHead } from './parquet-decode.ts';
import type { ParquetWorkerApi, WorkerOutcome } from './parquet-worker-types.ts';

/*
 * The decoder as the worker side exposes it, shared by the browser entry (parquet.worker.ts) and
 * the node entry (parquet-node.worker.ts) so both answer with the same outcomes and messages.
 */

const fail = (e: unknown): WorkerOutcome<never> =>
  isIngestError(e) ? { ok: false, error: { id: e.id, message: e.message, fix: e.fix } } : { ok: false, error: { id: 'ingest.parquet_unreadable', message: e instanceof Error ? e.message : String(e), fix: '' } };

/** A fresh decoder API for one worker: open() then next() until null; errors come back as WorkerOutcome data. */
export function createParquetWorkerApi(): ParquetWorkerApi {
  let decoder: ParquetCsvDecoder | null = null;
  return {
    open(file: string, bytes: Uint8Array, batchCells: number): WorkerOutcome<ParquetHead> {
      try {
        decoder = new ParquetCsvDecoder(file, bytes, batchCells);
        return { ok: true, value: decoder.head };
      } catch (e) {
        return fail(e);
      }
    },
    async next(): Promise<WorkerOutcome<CsvBatch | null>> {
      try {
        const b = await decoder!.next();
        return b ? transfer({ ok: true, value: b }, [b.bytes.buffer as ArrayBuffer]) : { ok: true, value: null };
      } catch (e) {
        return fail(e);
      }
    },
  };
}
