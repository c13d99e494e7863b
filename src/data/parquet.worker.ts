import { expose } from 'comlink';
import { createParquetWorkerApi } from './parquet-worker-api.ts';

/*
 * Decodes Parquet off the main thread: a damaged page can send the decoder into a loop that never
 * returns (seen with one flipped byte in a definition-level run), and only a worker can be stopped.
 * Browser entry; node starts parquet-node.worker.ts instead.
 */

expose(createParquetWorkerApi());
