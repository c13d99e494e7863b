import type { Endpoint } from 'comlink';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { ParquetWorkerHost } from './parquet-worker-types.ts';

/*
 * Node side of the Parquet decode worker (tests, the headless runner): a worker_threads Worker
 * that parquet.ts drives exactly as it drives the browser's web worker, so a stalled decode is
 * stopped with the same timeout and error. Loaded by parquet.ts only when running in node, through
 * an import the browser bundler never follows, so no bundle references node:worker_threads.
 */

/** Environment variable (ms, > 0) that sets the stall timeout when loadParquet's options do not; for the headless runner. */
export const DECODE_TIMEOUT_ENV = 'CARRYOVER_PARQUET_DECODE_TIMEOUT_MS';

/** The stall timeout (ms) set by CARRYOVER_PARQUET_DECODE_TIMEOUT_MS, or undefined when unset or not a positive number. */
export function envDecodeTimeoutMs(): number | undefined {
  const raw = process.env[DECODE_TIMEOUT_ENV];
  const ms = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return ms > 0 && Number.isFinite(ms) ? ms : undefined;
}

/**
 * A node Worker or MessagePort (EventEmitters with .on('message', data)) as comlink's Endpoint
 * (EventTarget-style listeners receiving { data }); comlink's own adapter ships without types.
 */
export function nodeEndpoint(port: Worker | MessagePort): Endpoint {
  const wrapped = new Map<EventListenerOrEventListenerObject, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => port.postMessage(message, transfer as readonly ArrayBuffer[] | undefined),
    addEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      const l = (data: unknown) => {
        const ev = { data } as MessageEvent;
        if (typeof listener === 'function') listener(ev);
        else listener.handleEvent(ev);
      };
      wrapped.set(listener, l);
      port.on('message', l);
    },
    removeEventListener(_type: string, listener: EventListenerOrEventListenerObject) {
      const l = wrapped.get(listener);
      if (l) port.off('message', l);
      wrapped.delete(listener);
    },
  };
}

/**
 * Starts the decode worker. From source (this file is .ts: tsx or vitest) a small .mjs entry
 * registers tsx in the worker and imports parquet-node.worker.ts; compiled, the .js entry starts
 * directly. Failures to start, uncaught worker errors and exits we did not ask for reach onFailure.
 */
export function startNodeParquetWorker(): ParquetWorkerHost {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './parquet-node.worker.ts' : './parquet-node.worker.js', import.meta.url);
  const worker = new Worker(fromSource ? new URL('./parquet-node.boot.mjs', import.meta.url) : entry, { workerData: { entry: entry.href } });
  let stopped = false;
  const failures: ((reason: string) => void)[] = [];
  const fail = (reason: string) => failures.forEach((f) => f(reason));
  worker.on('error', (e) => fail(e.message || 'the Parquet worker failed to start'));
  worker.on('exit', (code) => {
    if (!stopped) fail(`the Parquet worker stopped unexpectedly (exit code ${code})`);
  });
  return {
    endpoint: nodeEndpoint(worker),
    onFailure: (cb) => void failures.push(cb),
    terminate() {
      stopped = true;
      void worker.terminate();
    },
  };
}
