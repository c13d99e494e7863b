import { openBrowserDb, type BrowserDbOptions } from '../src/data/duckdb.ts';
import { ingestFile } from '../src/data/ingest.ts';
import { toWeeklyGrain } from '../src/data/grain.ts';
import { runAllChecks, type DataCheckId } from '../src/data/checks/index.ts';
import { toCheckMapping, type MappingConfig } from '../src/data/mapping.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../src/core/spec/config-validation.ts';

/** What the node side asks for: the CSV's URL (same origin) and its mapping. */
export interface DataPagePayload {
  url: string;
  file: string;
  mapping: MappingConfig;
  now: string;
  /** Browser Db options under test (defaults: the app's). */
  db: BrowserDbOptions;
}

/** Seconds per phase (wall clock in the page) and what each produced. */
export interface DataPageResult {
  db_init_s: number;
  fetch_s: number;
  ingest_s: number;
  rows: number;
  columns: { name: string; type: string }[];
  /** All data checks on the 1M-row daily table (keys geo, product). */
  checks_daily_s: number;
  grain_s: number;
  weekly_rows: number;
  /** All data checks on the weekly geo x product table (what the app checks). */
  checks_weekly_s: number;
  results_daily: { id: string; severity: string }[];
  results_weekly: { id: string; severity: string }[];
  /** performance.measureUserAgentSpecificMemory() at the end (bytes), when the page is cross-origin isolated. */
  uasm_bytes: number | null;
  /** Wall ms of each check on the daily and the weekly table, in run order. */
  per_check_daily_ms: Partial<Record<DataCheckId, number>>;
  per_check_weekly_ms: Partial<Record<DataCheckId, number>>;
  /** DuckDB's own accounting after each step: duckdb_memory() total (MB). */
  duckdb_mb: { step: string; mb: number }[];
}

/** Exposed by the node side: samples the renderer's RSS now, labelled `step` (awaited). */
type Mark = (step: string) => Promise<void>;

const status = document.getElementById('status')!;
const now = () => performance.now() / 1000;

async function runDataBench(p: DataPagePayload): Promise<DataPageResult> {
  const markRss = (window as unknown as { benchMark?: Mark }).benchMark ?? (async () => undefined);
  const duckdb_mb: DataPageResult['duckdb_mb'] = [];
  let db: Awaited<ReturnType<typeof openBrowserDb>> | null = null;
  // memory is sampled outside the timed spans: the marks cost a ps call and a query
  const mark = async (step: string) => {
    if (db) {
      const [r] = await db.query<{ b: number | null }>(`SELECT sum(memory_usage_bytes)::DOUBLE AS b FROM duckdb_memory()`);
      duckdb_mb.push({ step, mb: (r?.b ?? 0) / 2 ** 20 });
    }
    await markRss(step);
  };
  // time spent in marks is subtracted from the phase it interrupts
  const pause = async (f: () => Promise<void>) => {
    const s = now();
    await f();
    return now() - s;
  };
  let t = now();
  status.textContent = 'db';
  db = await openBrowserDb(p.db);
  const db_init_s = now() - t;
  await mark('db open');
  t = now();
  // as the app loads a demo: the fetched Blob goes to DuckDB as it is, the bytes to the JS checks
  let blob: Blob | null = await (await fetch(p.url)).blob();
  let bytes: Uint8Array | null = new Uint8Array(await blob.arrayBuffer());
  const fetch_s = now() - t;
  await mark('fetched');
  status.textContent = 'ingest';
  t = now();
  // ingest through a Db that samples memory after each of its calls (time spent there is excluded)
  const base = db;
  const step = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const r = await f();
    t += await pause(() => mark(`ingest ${what}`));
    return r;
  };
  const traced: typeof db = {
    query: (sql) => step(`query ${sql.replace(/\s+/g, ' ').slice(0, 40)}`, () => base.query(sql)),
    exec: (sql) => step(`exec ${sql.replace(/\s+/g, ' ').slice(0, 40)}`, () => base.exec(sql)),
    registerFile: (name, b, source) => step('registerFile', () => base.registerFile(name, b, source)),
    dropFile: (name) => step('dropFile', () => base.dropFile(name)),
    close: () => base.close(),
  };
  const ing = await ingestFile(traced, { name: p.file, bytes, blob }, { table: 'raw', previewRows: 20 });
  const ingest_s = now() - t;
  // the app keeps no copy of the file after ingest
  bytes = null;
  blob = null;
  await mark('ingested');
  const checkMapping = toCheckMapping(p.mapping);
  const timed = (into: Partial<Record<DataCheckId, number>>, label: string) => async (id: DataCheckId, ms: number) => {
    into[id] = ms;
    t += await pause(() => mark(`${label} ${id}`));
  };
  const per_check_daily_ms: Partial<Record<DataCheckId, number>> = {};
  status.textContent = 'checks (daily)';
  t = now();
  const daily = await runAllChecks(db, 'raw', checkMapping, DEFAULT_VALIDATION_CONFIG, { now: p.now, onCheck: timed(per_check_daily_ms, 'daily') });
  const checks_daily_s = now() - t;
  status.textContent = 'grain';
  t = now();
  const wk = await toWeeklyGrain(db, 'raw', p.mapping, 'monday', 'weekly');
  const grain_s = now() - t;
  await mark('grain');
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM weekly`);
  const per_check_weekly_ms: Partial<Record<DataCheckId, number>> = {};
  status.textContent = 'checks (weekly)';
  t = now();
  const weekly = await runAllChecks(db, wk.table, checkMapping, DEFAULT_VALIDATION_CONFIG, { now: p.now, onCheck: timed(per_check_weekly_ms, 'weekly') });
  const checks_weekly_s = now() - t;
  let uasm_bytes: number | null = null;
  const perf = performance as Performance & { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number }> };
  if (crossOriginIsolated && perf.measureUserAgentSpecificMemory) uasm_bytes = (await perf.measureUserAgentSpecificMemory()).bytes;
  status.textContent = 'done';
  return {
    db_init_s,
    fetch_s,
    ingest_s,
    rows: ing.rowCount,
    columns: ing.columns,
    checks_daily_s,
    grain_s,
    weekly_rows: n,
    checks_weekly_s,
    results_daily: daily.results.map((r) => ({ id: r.id, severity: r.severity })),
    results_weekly: weekly.results.map((r) => ({ id: r.id, severity: r.severity })),
    uasm_bytes,
    per_check_daily_ms,
    per_check_weekly_ms,
    duckdb_mb,
  };
}

(window as unknown as { runDataBench: typeof runDataBench }).runDataBench = runDataBench;
status.textContent = 'ready';
