import { resolve } from 'node:path';
import { build, preview } from 'vite';
import { chromium, type Page } from 'playwright-core';
import { findChromium, CHROMIUM_ARGS } from '../scripts/chromium.mjs';

/**
 * Builds bench/<name>-page.html with the app's Vite config, serves it on 127.0.0.1, opens it in
 * headless Debian Chromium and waits until the page defines `window[ready]`; then runs `fn` on
 * the page (no timeout of its own) and closes everything. Page errors are printed as warnings.
 */
export async function withBenchPage<T>(name: string, ready: string, fn: (page: Page) => Promise<T>): Promise<T> {
  const outDir = resolve(`bench/.dist-${name}`);
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true, rollupOptions: { input: resolve(`bench/${name}-page.html`) } } });
  const server = await preview({ build: { outDir }, preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
  try {
    const executablePath = findChromium();
    if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium');
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.resolvedUrls!.local[0]}bench/${name}-page.html`);
      await page.waitForFunction((f) => f in window, ready, { timeout: 60_000 });
      page.setDefaultTimeout(30 * 60_000);
      const r = await fn(page);
      if (errors.length) console.warn('page errors:', errors);
      return r;
    } finally {
      await browser.close();
    }
  } finally {
    await server.close();
  }
}
