import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, preview } from 'vite';
import { chromium } from 'playwright-core';
import { findChromium, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import { BENCH_CHANNELS, DEFAULT_SHAPE, writeBenchCsv } from './data-gen.ts';
import type { DataPagePayload, DataPageResult } from './data-page.ts';
import type { BrowserDbOptions } from '../src/data/duckdb.ts';
import type { MappingConfig } from '../src/data/mapping.ts';

// npm run bench:data -- [--out bench/results/data.json] [--geos 200 --products 5 --days 1000]
// Writes a seeded 1M-row daily geo x product CSV, serves it with a page that uses the app's own
// browser Db (DuckDB-WASM in its worker), and times ingest and every data check in headless
// Chromium. Memory: peak RSS of the renderer process(es) sampled with `ps` every 100 ms (the
// page, its workers and DuckDB's wasm heap live there), peak JS heap of the page's main thread
// from CDP Performance.getMetrics, and performance.measureUserAgentSpecificMemory() at the end
// (the page is served cross-origin isolated for it). Per-check wall ms (runAllChecks' onCheck) and
// renderer RSS + duckdb_memory() after every step (each DuckDB call of ingest, each check) go in
// the JSON; `--register blob|buffer --compress true|false` compare browser Db options.

const { values: a } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench/results/data.json' },
    geos: { type: 'string', default: String(DEFAULT_SHAPE.geos) },
    products: { type: 'string', default: String(DEFAULT_SHAPE.products) },
    days: { type: 'string', default: String(DEFAULT_SHAPE.days) },
    // browser Db options to compare (default: the app's)
    register: { type: 'string' },
    compress: { type: 'string' },
  },
});
const shape = { ...DEFAULT_SHAPE, geos: Number(a.geos), products: Number(a.products), days: Number(a.days) };

const mapping: MappingConfig = {
  date_col: 'date',
  kpi_col: 'revenue',
  channel_map: Object.fromEntries(
    BENCH_CHANNELS.map((c) => [c, c === 'search' ? { spend: 'search_spend', exposure: 'search_clicks' } : c === 'social' ? { spend: 'social_spend', exposure: 'social_impressions' } : { spend: `${c}_spend` }]),
  ),
  controls: ['price', 'temperature'],
  factor_controls: {},
  ignored: [],
  keys: { geo: 'geo', product: 'product' },
};

/** RSS in MB of every descendant of `pid` whose command line says it is a renderer. */
function rendererRssMb(rootPid: number): number {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const procs = out.trim().split('\n').map((l) => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(l)!;
    return { pid: Number(m[1]), ppid: Number(m[2]), rss: Number(m[3]), args: m[4] };
  });
  const desc = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) if (desc.has(p.ppid) && !desc.has(p.pid)) { desc.add(p.pid); grew = true; }
  }
  return procs.filter((p) => desc.has(p.pid) && p.args.includes('--type=renderer')).reduce((s, p) => s + p.rss, 0) / 1024;
}

const work = mkdtempSync(join(tmpdir(), 'carryover-bench-data-'));
const outDir = join(work, 'dist');
try {
  const t0 = performance.now();
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true, rollupOptions: { input: resolve('bench/data-page.html') } } });
  const gen = await writeBenchCsv(join(outDir, 'bench-data.csv'), shape);
  console.log(`generated ${gen.rows} rows, ${(gen.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s (incl. build)`);
  const server = await preview({
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
    logLevel: 'warn',
  });
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium');
  const bs = await chromium.launchServer({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const rootPid = bs.process().pid!;
  const browser = await chromium.connect(bs.wsEndpoint());
  let peakRss = 0;
  let peakHeap = 0;
  let peakAfter = '';
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const steps: { step: string; rss_mb: number }[] = [];
    let lastStep = 'start';
    const see = (rss: number) => {
      if (rss > peakRss) {
        peakRss = rss;
        peakAfter = lastStep;
      }
    };
    await page.exposeFunction('benchMark', (step: string) => {
      const rss = rendererRssMb(rootPid);
      see(rss);
      steps.push({ step, rss_mb: rss });
      lastStep = step;
    });
    const base = server.resolvedUrls!.local[0];
    await page.goto(`${base}bench/data-page.html`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready', undefined, { timeout: 60_000 });
    const idleRss = rendererRssMb(rootPid);
    const timer = setInterval(() => {
      see(rendererRssMb(rootPid));
      cdp.send('Performance.getMetrics').then((m) => {
        const h = m.metrics.find((x) => x.name === 'JSHeapUsedSize')?.value ?? 0;
        peakHeap = Math.max(peakHeap, h / 2 ** 20);
      }, () => undefined);
    }, 100);
    page.setDefaultTimeout(20 * 60_000);
    const dbOptions: BrowserDbOptions = {
      ...(a.register ? { registerAs: a.register as 'blob' | 'buffer' } : {}),
      ...(a.compress ? { compressTables: a.compress !== 'false' } : {}),
    };
    const payload: DataPagePayload = { url: `${base}bench-data.csv`, file: 'bench-data.csv', mapping, now: '2023-10-15', db: dbOptions };
    const r = await page.evaluate((p) => (window as unknown as { runDataBench(p: DataPagePayload): Promise<DataPageResult> }).runDataBench(p), payload);
    clearInterval(timer);
    peakRss = Math.max(peakRss, rendererRssMb(rootPid));
    if (errors.length) console.warn('page errors:', errors);
    const result = {
      rows: r.rows,
      ingest_s: r.ingest_s,
      checks_s: r.checks_daily_s,
      peak_mb: peakRss,
      checks_weekly_s: r.checks_weekly_s,
      grain_s: r.grain_s,
      weekly_rows: r.weekly_rows,
      db_init_s: r.db_init_s,
      fetch_s: r.fetch_s,
      csv_mb: gen.bytes / 1e6,
      db_options: dbOptions,
      shape,
      memory: {
        peak_mb: 'peak RSS of the Chromium renderer process(es) (page + workers + DuckDB wasm), ps sampled every 100 ms',
        renderer_idle_mb: idleRss,
        peak_seen_after_step: peakAfter,
        peak_js_heap_main_mb: peakHeap,
        uasm_end_mb: r.uasm_bytes === null ? null : r.uasm_bytes / 2 ** 20,
      },
      per_check_daily_ms: r.per_check_daily_ms,
      per_check_weekly_ms: r.per_check_weekly_ms,
      aggregate_then_check_s: r.grain_s + r.checks_weekly_s,
      memory_steps: steps.map((s) => ({ ...s, duckdb_mb: r.duckdb_mb.find((d) => d.step === s.step)?.mb ?? null })),
      load_avg: loadavg(),
      checks_s_is: 'every data check (17) on the 1M-row daily table, keys geo + product; checks_weekly_s: the same on the weekly geo x product table the app checks after its grain step',
      columns: r.columns,
      results_daily: r.results_daily,
      results_weekly: r.results_weekly,
    };
    console.log(`rows ${r.rows} | ingest ${r.ingest_s.toFixed(2)} s | checks (daily, 1M rows) ${r.checks_daily_s.toFixed(2)} s | grain ${r.grain_s.toFixed(2)} s -> ${r.weekly_rows} weekly rows | checks (weekly) ${r.checks_weekly_s.toFixed(2)} s`);
    const slowest = (ms: Record<string, number | undefined>) =>
      Object.entries(ms)
        .sort((x, y) => (y[1] ?? 0) - (x[1] ?? 0))
        .slice(0, 6)
        .map(([id, v]) => `${id.replace('data.', '')} ${Math.round(v ?? 0)}`)
        .join(', ');
    console.log(`slowest checks, ms (daily): ${slowest(r.per_check_daily_ms)} | (weekly): ${slowest(r.per_check_weekly_ms)}`);
    console.log(`peak renderer RSS ${peakRss.toFixed(0)} MB (idle ${idleRss.toFixed(0)}, seen after: ${peakAfter}) | peak main-thread JS heap ${peakHeap.toFixed(0)} MB | measureUserAgentSpecificMemory at end ${result.memory.uasm_end_mb?.toFixed(0) ?? 'n/a'} MB`);
    mkdirSync(dirname(a.out!), { recursive: true });
    writeFileSync(a.out!, JSON.stringify(result, null, 2) + '\n');
    console.log(`wrote ${a.out}`);
  } finally {
    await browser.close();
    await bs.close();
    await server.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
