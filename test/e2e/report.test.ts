import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, startShortFit, type AppPage } from './browser.ts';
import { decodeShareBundle } from '../../src/core/export/share-bundle.ts';

// Stage 8 on the built app: a short fit of the Robyn demo, the Report screen's exports, the
// downloaded HTML opened from disk with the network blocked, the share link in the read-only
// viewer, and the example host page loading a bundle into a sandboxed iframe.

const CHANNELS = ['tv', 'ooh', 'print', 'facebook', 'search'];

async function download(page: Page, testId: string): Promise<{ name: string; path: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download') as Promise<Download>, page.getByTestId(testId).click()]);
  const path = join(tmpdir(), `carryover-e2e-${Date.now()}-${d.suggestedFilename()}`);
  await d.saveAs(path);
  return { name: d.suggestedFilename(), path, bytes: await readFile(path) };
}

describe('Report screen on the fitted Robyn demo', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await startShortFit(page, 'robyn_simulated_weekly', { chains: 4, warmup: 100, draws: 100 });
    await page.click('nav a[href="#/report"]');
    await page.getByTestId('report-view').locator('#roi-table').waitFor({ timeout: 60_000 });
  });
  afterAll(async () => app?.close());

  it('previews the report with every channel and its 90% ROI interval', async () => {
    const rows = await app.page.getByTestId('report-view').locator('#roi-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-channel')));
    expect(rows.sort()).toEqual([...CHANNELS].sort());
    const text = await app.page.getByTestId('report-view').locator('#roi-table').innerText();
    expect(text.match(/\(90%: -?[\d.,e-]+ to -?[\d.,e-]+\)/g)?.length).toBeGreaterThanOrEqual(3 * CHANNELS.length);
    await app.page.screenshot({ path: join(tmpdir(), 'carryover-report.png'), fullPage: true });
  });

  it('the downloaded HTML opens from disk with the network blocked and shows the ROI table', async () => {
    const html = await download(app.page, 'report-download-html');
    expect(html.name).toMatch(/\.html$/);
    const text = html.bytes.toString('utf8');
    expect(text).not.toMatch(/(src|href)\s*=\s*["']?(https?:|\/\/)|url\(\s*["']?(https?:|\/\/)/i);
    const context = await app.browser.newContext({ offline: true });
    const requests: string[] = [];
    await context.route('**/*', (r) => (r.request().url().startsWith('file:') ? r.continue() : r.abort()));
    const page = await context.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html.path).href);
    const rows = await page.locator('#roi-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-channel')));
    expect(rows.sort()).toEqual([...CHANNELS].sort());
    await expect(page.locator('#summary').innerText()).resolves.toMatch(/Highest ROI: \w+, .*\(90%: /);
    expect(await page.locator('svg').count()).toBe(2);
    expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    await context.close();
  });

  it('dashboard exports: CSV with one row per channel, Parquet and JSON', async () => {
    const csv = await download(app.page, 'report-download-csv');
    const lines = csv.bytes.toString('utf8').trim().split(/\r?\n/);
    expect(lines[0]).toContain('roi_q05');
    expect(lines.length).toBe(1 + CHANNELS.length);
    const pq = await download(app.page, 'report-download-parquet');
    expect(pq.bytes.subarray(0, 4).toString()).toBe('PAR1');
    const json = JSON.parse((await download(app.page, 'report-download-json')).bytes.toString('utf8'));
    expect(json.channels.length).toBe(CHANNELS.length);
  });

  it('a share link without rows opens in the read-only viewer; with rows it says so first', async () => {
    const { page } = app;
    await page.getByTestId('report-make-link').click();
    const link = await page.getByTestId('report-link').inputValue();
    expect(link).toMatch(/#share=[A-Za-z0-9_-]+$/);
    const viewer = await app.browser.newPage();
    await viewer.goto(link);
    await viewer.getByTestId('share-viewer').locator('#roi-table').waitFor();
    await viewer.getByTestId('share-no-rows').waitFor();
    expect(await viewer.locator('svg').count()).toBe(1); // no weekly series
    await page.getByTestId('report-include-rows').check();
    const bundle = await download(page, 'report-download-bundle');
    expect(decodeShareBundle(new Uint8Array(bundle.bytes)).includesRows).toBe(true);
    await viewer.goto(`${baseUrl}#/view`);
    await viewer.getByTestId('share-file').setInputFiles(bundle.path);
    await viewer.getByTestId('share-rows-notice').waitFor();
    const notice = await viewer.getByTestId('share-viewer').locator('p').allInnerTexts();
    expect(notice.findIndex((t) => t.includes('includes row-level data'))).toBeLessThan(notice.findIndex((t) => t.includes('Highest ROI')));
    await viewer.close();
    await page.getByTestId('report-include-rows').uncheck();
  });

  it('the example host page loads a bundle into a sandboxed iframe and hears loaded and selection', async () => {
    const { page } = app;
    await page.getByTestId('report-make-link').click();
    const link = await page.getByTestId('report-link').inputValue();
    const frag = link.slice(link.indexOf('#'));
    const host = await app.browser.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    host.on('request', (r) => requests.push(r.url()));
    host.on('pageerror', (e) => errors.push(e.message));
    host.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    host.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    await host.goto(`${baseUrl}embed-example.html${frag}`);
    await host.waitForSelector('body[data-last-event="carryover:loaded"]', { timeout: 30_000 });
    const frame = host.frameLocator('#carryover');
    expect(await host.locator('#carryover').getAttribute('sandbox')).toBe('allow-scripts');
    await frame.locator('#roi-table').waitFor();
    await expect(frame.locator('nav, .tag').count()).resolves.toBe(0); // no app chrome (navigation, tagline)
    await frame.locator('tr[data-channel="tv"]').click();
    await host.waitForSelector('body[data-last-event="carryover:selection"]');
    const log = (await host.locator('#log').innerText()).trim().split('\n').map((l) => JSON.parse(l));
    expect(log.map((m) => m.type)).toEqual(['carryover:ready', 'carryover:loaded', 'carryover:selection']);
    expect(log[1].channels.sort()).toEqual([...CHANNELS].sort());
    expect(log[2]).toEqual({ type: 'carryover:selection', version: 1, channel: 'tv' });
    // a keyboard user selects a row too: Tab reaches it, Enter selects it
    await host.locator('body').press('Tab');
    let tabs = 0;
    while (!(await frame.locator('tr[data-channel="search"]').evaluate((e) => e === document.activeElement)) && tabs++ < 60) await host.keyboard.press('Tab');
    await host.keyboard.press('Enter');
    await expect.poll(async () => (await host.locator('#log').innerText()).trim().split('\n').map((l) => JSON.parse(l).channel).pop(), { timeout: 10_000 }).toBe('search');
    // the sandboxed frame has an opaque origin: the app must not have fallen over on storage or the service worker
    expect(errors).toEqual([]);
    expect(offOrigin(requests, baseUrl)).toEqual([]);
    // one chart alone: the ROI forest plot, no table
    await host.goto(`${baseUrl}embed-example.html?chart=roi${frag}`);
    await host.waitForSelector('body[data-last-event="carryover:loaded"]', { timeout: 30_000 });
    await expect(frame.locator('svg').count()).resolves.toBe(1);
    await expect(frame.locator('table').count()).resolves.toBe(0);
    await expect(frame.locator('[data-testid="embed"]').getAttribute('data-view')).resolves.toBe('chart:roi');
    expect(errors).toEqual([]);
    expect(offOrigin(requests, baseUrl)).toEqual([]);
    await host.close();
  });

  it('embed mode ignores a load from an origin not on the allow-list', async () => {
    const { page } = app;
    const link = await page.getByTestId('report-link').inputValue();
    const frag = link.slice(link.indexOf('#') + 1);
    const origin = new URL(baseUrl).origin;
    const p = await app.browser.newPage();
    const post = () => p.evaluate((bundle) => window.postMessage({ type: 'carryover:load', version: 1, bundle }, '*'), frag);
    await p.goto(`${baseUrl}?embed=report&allow=${encodeURIComponent('https://portal.example')}`);
    await p.getByTestId('embed-waiting').waitFor();
    await post();
    await p.waitForTimeout(500);
    await expect(p.locator('#roi-table').count()).resolves.toBe(0);
    await expect(p.getByTestId('embed-waiting').count()).resolves.toBe(1);
    // the same message from an allowed origin (this page's own) loads
    await p.goto(`${baseUrl}?embed=plan&allow=${encodeURIComponent(origin)}`);
    await p.getByTestId('embed-waiting').waitFor();
    await post();
    await p.getByTestId('report-view').waitFor();
    await expect(p.getByTestId('report-view').innerText()).resolves.toContain('This report holds no plan.');
    await p.close();
  });

  it('no request left the origin', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
  });
});
