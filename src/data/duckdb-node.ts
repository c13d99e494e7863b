import { createRequire } from 'node:module';
import * as duckdb from '@duckdb/duckdb-wasm/blocking';
import type { Db } from './db.ts';
import { rowsToObjects } from './arrow-rows.ts';

/**
 * Opens DuckDB-WASM's blocking build in node (tests, headless runner): the same engine and SQL
 * as the browser, without a worker. Init takes ~1-2 s.
 */
export async function openNodeDb(): Promise<Db> {
  const require = createRequire(import.meta.url);
  const dist = (f: string) => require.resolve(`@duckdb/duckdb-wasm/dist/${f}`);
  const bundles = {
    mvp: { mainModule: dist('duckdb-mvp.wasm'), mainWorker: dist('duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: dist('duckdb-eh.wasm'), mainWorker: dist('duckdb-node-eh.worker.cjs') },
  };
  const bindings = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await bindings.instantiate();
  const conn = bindings.connect();
  return {
    async query<T extends Record<string, unknown>>(sql: string) {
      return rowsToObjects(conn.query(sql)) as T[];
    },
    async exec(sql: string) {
      conn.query(sql);
    },
    async registerFile(name: string, bytes: Uint8Array) {
      bindings.registerFileBuffer(name, bytes);
    },
    async dropFile(name: string) {
      bindings.dropFile(name);
    },
    async close() {
      conn.close();
      bindings.reset();
    },
  };
}
