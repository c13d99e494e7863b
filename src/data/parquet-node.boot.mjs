// Starts the TypeScript entry of the Parquet decode worker when running from source (tsx, vitest):
// tsx's `--import` hooks do not register in worker threads on node 20, so the worker registers
// them itself before importing the entry. Compiled JavaScript starts its .js entry directly.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
