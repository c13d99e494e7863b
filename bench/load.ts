import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { build, preview } from 'vite';
import { chromium, type BrowserContext } from 'playwright-core';
import { findChromium, CHROMIUM_ARGS } from '../scripts/chromium.mjs';

// npm run bench:load -- [--rounds 3] [--out bench/results/load.json]
// First load of the built app served on 127.0.0.1, in headless Debian Chromium with a fresh
// profile each round (no HTTP cache, no service worker yet): time from navigation to the first
// usable screen (the Data screen's demo buttons enabled) and the bytes fetched before it; then the
// Robyn demo is loaded, checked and fitted (short run) and every byte fetched is counted.

const { values: a } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results/load.json' } },
});

interface Round { first_screen_ms: number; bytes_before_first_screen: number; bytes_total_after_fit: number; requests_before_first_screen: number }

/**
 * Bytes on the wire per finished request of the page and of its workers (DuckDB fetches its wasm
 * from a worker): response body as transferred (encoded) plus headers.
 */
function byteCounter(context: BrowserContext): () => { bytes: number; requests: number } {
  let bytes = 0;
  let requests = 0;
  context.on('requestfinished', (r) => {
    requests += 1;
    r.sizes().then((s) => (bytes += s.responseBodySize + s.responseHeadersSize), () => {});
  });
  return () => ({ bytes, requests });
}

async function round(url: string): Promise<Round> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ serviceWorkers: 'block' }); // the SW's precache is background traffic, not the first screen's
    const count = byteCounter(context);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(url + '#/data');
    await page.getByTestId('demo-robyn_simulated_weekly').waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForFunction(() => !(document.querySelector('[data-testid="demo-robyn_simulated_weekly"]') as HTMLButtonElement | null)?.disabled);
    const firstScreenMs = Date.now() - t0;
    await page.waitForTimeout(200); // sizes resolve asynchronously
    const before = count();
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await page.getByTestId('go-checks').click({ timeout: 120_000 });
    await page.getByTestId('checks-ready').waitFor({ timeout: 120_000 });
    await page.getByTestId('go-fit').click();
    await page.locator('input[type="number"]').nth(1).fill('150'); // warmup
    await page.locator('input[type="number"]').nth(2).fill('150'); // draws
    await page.getByTestId('fit-start').click();
    await page.getByTestId('fit-done').waitFor({ timeout: 300_000 });
    await page.waitForTimeout(500);
    return {
      first_screen_ms: firstScreenMs,
      bytes_before_first_screen: before.bytes,
      requests_before_first_screen: before.requests,
      bytes_total_after_fit: count().bytes,
    };
  } finally {
    await browser.close();
  }
}

await build({ logLevel: 'warn' });
const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
const rounds: Round[] = [];
try {
  const url = server.resolvedUrls!.local[0];
  for (let i = 0; i < Number(a.rounds); i++) {
    const r = await round(url);
    console.log(`round ${i + 1}: first screen ${r.first_screen_ms} ms, ${(r.bytes_before_first_screen / 1024).toFixed(0)} KiB in ${r.requests_before_first_screen} requests before it; ${(r.bytes_total_after_fit / 1048576).toFixed(1)} MiB after a fit`);
    rounds.push(r);
  }
} finally {
  await server.close();
}
const best = rounds.reduce((b, r) => (r.first_screen_ms < b.first_screen_ms ? r : b));
const result = {
  first_screen_ms: best.first_screen_ms,
  bytes_before_first_screen: best.bytes_before_first_screen,
  bytes_total_after_fit: best.bytes_total_after_fit,
  rounds,
  targets: { first_screen_ms: 1500, bytes_before_first_screen: 1_000_000 },
  load_avg_1m: loadavg()[0],
  measured_at: new Date().toISOString(),
};
mkdirSync(dirname(a.out!), { recursive: true });
writeFileSync(a.out!, JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify({ first_screen_ms: result.first_screen_ms, bytes_before_first_screen: result.bytes_before_first_screen, bytes_total_after_fit: result.bytes_total_after_fit }));
