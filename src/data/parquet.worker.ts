import { expose, transfer } from 'comlink';
import { isIngestError } from './ingest-error.ts';
import { ParquetCsvDecoder, type CsvBatch, type ParquetHead } from './parquet-decode.ts';
import type { ParquetWorkerApi, WorkerOutcome } from './parquet.ts';

/*
 * Decodes Parquet off the main thread: a damaged page can send the decoder into a loop that never
 * returns (seen with one flipped byte in a definition-level run), and only a worker can be stopped.
 */

let decoder: ParquetCsvDecoder | null = null;

const fail = (e: unknown): WorkerOutcome<never> =>
  isIngestError(e) ? { ok: false, error: { id: e.id, message: e.message, fix: e.fix } } : { ok: false, error: { id: 'ingest.parquet_unreadable', message: e instanceof Error ? e.message : String(e), fix: '' } };

const api: ParquetWorkerApi = {
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

expose(api);
