import { expose } from 'comlink';
import { parentPort } from 'node:worker_threads';
import { nodeEndpoint } from './parquet-node.ts';
import { createParquetWorkerApi } from './parquet-worker-api.ts';

/*
 * Node entry of the Parquet decode worker (worker_threads): the same API as the browser's
 * parquet.worker.ts, over nodeEndpoint. Started by parquet-node.ts, never bundled.
 */

if (!parentPort) throw new Error('parquet-node.worker.ts must run as a worker_threads worker');
expose(createParquetWorkerApi(), nodeEndpoint(parentPort));
