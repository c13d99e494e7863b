import * as duckdb from '@duckdb/duckdb-wasm';
import mvpWasm from '@duckdb/duckdb-wasm/dist/duckdb-mvp.wasm?url';
import mvpWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-mvp.worker.js?url';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import type { Db } from './db.ts';
import { rowsToObjects } from './arrow-rows.ts';

/** Options of the browser DuckDB. */
export interface BrowserDbOptions {
  /**
   * A statement running longer than this (ms) terminates DuckDB's worker and rejects: the tab
   * never hangs on a malformed file. Later calls reject too; open a new Db. Default 120 000.
   */
  queryTimeoutMs?: number;
  /**
   * Store tables compressed in memory (DuckDB's `ATTACH ':memory:' (COMPRESS)`, made the default
   * catalog). A 1M-row x 13-column table takes ~25 MB instead of ~145 MB of the tab's WASM heap,
   * and scans no slower. Default true.
   */
  compressTables?: boolean;
  /**
   * How `registerFile` hands bytes to DuckDB: 'blob' (default) registers a Blob that DuckDB's
   * worker reads on demand; 'buffer' copies the bytes whole into the WASM heap (faster to read,
   * but the heap keeps that size for the life of the tab).
   */
  registerAs?: 'blob' | 'buffer';
}

/**
 * Opens DuckDB-WASM in the browser: the bundle the browser supports (exception handling or MVP),
 * served from this origin (never a CDN), running in DuckDB's own worker. Init ~1.2 s.
 * Extension auto-install/auto-load is switched off: DuckDB would otherwise fetch extensions
 * (e.g. Parquet) from extensions.duckdb.org, an off-origin request the app never makes.
 */
export async function openBrowserDb(opts: BrowserDbOptions = {}): Promise<Db> {
  const timeoutMs = opts.queryTimeoutMs ?? 120_000;
  const registerAs = opts.registerAs ?? 'blob';
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: mvpWasm, mainWorker: mvpWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker },
  });
  const worker = new Worker(bundle.mainWorker!);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  const conn = await db.connect();
  let dead: Error | null = null;
  const guarded = async <T>(what: string, p: () => Promise<T>): Promise<T> => {
    if (dead) throw dead;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        dead = new Error(`DuckDB did not answer within ${timeoutMs} ms (${what.slice(0, 80)}); the database was stopped. Reload the file.`);
        worker.terminate();
        reject(dead);
      }, timeoutMs);
    });
    try {
      return await Promise.race([p(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
  await guarded('settings', () => conn.query('SET autoinstall_known_extensions = false'));
  await guarded('settings', () => conn.query('SET autoload_known_extensions = false'));
  if (opts.compressTables ?? true) {
    await guarded('settings', () => conn.query(`ATTACH ':memory:' AS carryover (COMPRESS)`));
    await guarded('settings', () => conn.query('USE carryover'));
  }
  return {
    async query<T extends Record<string, unknown>>(sql: string) {
      return rowsToObjects(await guarded(sql, () => conn.query(sql))) as T[];
    },
    async exec(sql: string) {
      await guarded(sql, () => conn.query(sql));
    },
    async registerFile(name: string, bytes: Uint8Array, source?: Blob) {
      if (registerAs === 'buffer') {
        // a copy: the buffer is transferred to the worker, which would detach the caller's bytes
        await guarded(`register ${name}`, () => db.registerFileBuffer(name, bytes.slice()));
        return;
      }
      // As a Blob read on demand by DuckDB's worker (FileReaderSync): a buffer is copied to the
      // worker and then whole into the WASM heap, which never shrinks; Chromium keeps a large
      // Blob's bytes outside the page's renderer.
      const blob = source ?? new Blob([bytes as Uint8Array<ArrayBuffer>]);
      await guarded(`register ${name}`, () => db.registerFileHandle(name, blob, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true));
    },
    async dropFile(name: string) {
      await guarded(`drop ${name}`, () => db.dropFile(name));
    },
    async close() {
      if (!dead) {
        await conn.close();
        await db.terminate();
      }
      worker.terminate();
    },
  };
}
