import { openBrowserDb } from '../src/data/duckdb.ts';
import { ingestFile } from '../src/data/ingest.ts';
import { toWeeklyGrain } from '../src/data/grain.ts';
import { runAllChecks } from '../src/data/checks/index.ts';
import { toCheckMapping, type MappingConfig } from '../src/data/mapping.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../src/core/spec/config-validation.ts';

/** What the node side asks for: the CSV's URL (same origin) and its mapping. */
export interface DataPagePayload {
  url: string;
  file: string;
  mapping: MappingConfig;
  now: string;
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
}

const status = document.getElementById('status')!;
const now = () => performance.now() / 1000;

async function runDataBench(p: DataPagePayload): Promise<DataPageResult> {
  let t = now();
  status.textContent = 'db';
  const db = await openBrowserDb();
  const db_init_s = now() - t;
  t = now();
  const bytes = new Uint8Array(await (await fetch(p.url)).arrayBuffer());
  const fetch_s = now() - t;
  status.textContent = 'ingest';
  t = now();
  const ing = await ingestFile(db, { name: p.file, bytes }, { table: 'raw', previewRows: 20 });
  const ingest_s = now() - t;
  const checkMapping = toCheckMapping(p.mapping);
  status.textContent = 'checks (daily)';
  t = now();
  const daily = await runAllChecks(db, 'raw', checkMapping, DEFAULT_VALIDATION_CONFIG, { now: p.now });
  const checks_daily_s = now() - t;
  status.textContent = 'grain';
  t = now();
  const wk = await toWeeklyGrain(db, 'raw', p.mapping, 'monday', 'weekly');
  const grain_s = now() - t;
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM weekly`);
  status.textContent = 'checks (weekly)';
  t = now();
  const weekly = await runAllChecks(db, wk.table, checkMapping, DEFAULT_VALIDATION_CONFIG, { now: p.now });
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
  };
}

(window as unknown as { runDataBench: typeof runDataBench }).runDataBench = runDataBench;
status.textContent = 'ready';
