import * as duckdb from '@duckdb/duckdb-wasm';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import type { Db } from './db.ts';
import { rowsToObjects } from './arrow-rows.ts';

/**
 * Opens DuckDB-WASM in the browser: the bundle the browser supports (exception handling or MVP),
 * served from this origin (never a CDN), running in DuckDB's own worker. Init ~1.2 s.
 */
export async function openBrowserDb(): Promise<Db> {
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker },
  });
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  const conn = await db.connect();
  return {
    async query<T extends Record<string, unknown>>(sql: string) {
      return rowsToObjects(await conn.query(sql)) as T[];
    },
    async exec(sql: string) {
      await conn.query(sql);
    },
    async registerFile(name: string, bytes: Uint8Array) {
      // a copy: the buffer is transferred to the worker, which would detach the caller's bytes
      await db.registerFileBuffer(name, bytes.slice());
    },
    async dropFile(name: string) {
      await db.dropFile(name);
    },
    async close() {
      await conn.close();
      await db.terminate();
      worker.terminate();
    },
  };
}
