import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { fitLoadedData, loadFile, offOrigin, openApp, type AppPage } from './browser.ts';

// Stage 7 and 9 on the built app: two short fits of the Robyn demo (the second on a file whose
// tv_S is restated +20% in three weeks) are saved as runs; Refresh names the backfill by week and
// column, shows the verdict and the memo; a decision is logged; both survive a reload; a
// truncated .carryover file is refused with a clear message and the stored runs stay.

const CSV = readFileSync('public/demo/robyn_simulated_weekly.csv', 'utf8');
const lines = CSV.trimEnd().split('\n');
const header = lines[0]!.split(',').map((h) => h.replace(/"/g, ''));
const TV = header.indexOf('tv_S');
// three weeks with tv spend (rows 101-103 of the data), +20%
const rows = [101, 102, 103];
const restated = lines.map((l, i) => {
  if (!rows.includes(i)) return l;
  const cells = l.split(',');
  cells[TV] = String(Number(cells[TV]) * 1.2);
  return cells.join(',');
});
const WEEKS = rows.map((i) => lines[i]!.split(',')[0]!.replace(/"/g, ''));

// 2 x 150 draws can never reach the stop-when-converged ESS of 400, so that box is moot here
const shortFit = (page: Page) => fitLoadedData(page, { chains: 2, warmup: 150, draws: 150 });

describe('Refresh and Decisions on two fits of the Robyn demo', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    expect(TV).toBeGreaterThan(0);
    expect(WEEKS.every((w) => /^\d{4}-\d{2}-\d{2}$/.test(w))).toBe(true);
    expect(rows.every((i) => Number(lines[i]!.split(',')[TV]) > 0)).toBe(true);
    app = await openApp(baseUrl, '#/data');
  }, 60_000);
  afterAll(async () => app?.close());

  it('saves a run for each finished fit', async () => {
    const { page } = app;
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await shortFit(page);
    await page.click('nav a[href="#/refresh"]');
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 60_000 }).toBe(1);
    await expect(page.getByTestId('refresh-need-two').isVisible()).resolves.toBe(true);

    await page.click('nav a[href="#/data"]');
    await expect(loadFile(page, { name: 'robyn_simulated_weekly.csv', mimeType: 'text/csv', buffer: Buffer.from(`${restated.join('\n')}\n`) })).resolves.toBe('208');
    await shortFit(page);
    await page.click('nav a[href="#/refresh"]');
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 60_000 }).toBe(2);
  }, 900_000);

  it('names the backfill by week and column, and shows the verdict and the memo', async () => {
    const { page } = app;
    const backfill = page.locator('[data-testid="backfill"][data-column="tv_S"]');
    await backfill.waitFor({ timeout: 60_000 });
    const text = await backfill.innerText();
    expect(text).toMatch(/restated in 3 weeks/);
    expect(text).toContain(WEEKS[0]);
    expect(text).toMatch(/largest change 20(\.0+)?%/);
    await expect(page.getByTestId('backfill').count()).resolves.toBe(1);
    // same columns and mapping in both files: no mapping change (exposures are not in the model table)
    await expect(page.getByTestId('mapping-changes').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="gates"] [data-check-id="gate.contract"] .badge').textContent()).resolves.toBe('info');
    const table = await page.getByTestId('backfill-table').innerText();
    for (const w of WEEKS) expect(table).toContain(w);

    const banner = page.getByTestId('verdict-banner');
    expect(['block', 'warn', 'info']).toContain(await banner.getAttribute('data-verdict'));
    await expect(banner.innerText()).resolves.toMatch(/Blocked|Limited publish|Publish broadly/);
    const memo = await page.getByTestId('memo').innerText();
    expect(memo).toMatch(/Backfill: tv_S \(tv\) restated in 3 weeks/);
    await expect(page.getByTestId('channel-label').count()).resolves.toBe(5);
    await expect(page.getByTestId('model-drift-table').locator('tbody tr').count()).resolves.toBe(5);
    // CARRYOVER_SCREENSHOTS=dir saves the screen for a person to look at (not an assertion)
    const dir = process.env.CARRYOVER_SCREENSHOTS;
    if (dir) {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.screenshot({ path: `${dir}/refresh.png`, fullPage: true });
    }
  });

  it('re-runs the current run from its own inputs in the fit workers: reproducible, and the gate says so', async () => {
    const { page } = app;
    await page.getByTestId('rerun').click();
    const result = page.getByTestId('rerun-result');
    await result.waitFor({ timeout: 300_000 });
    await expect(result.getAttribute('data-severity')).resolves.toBe('info');
    await expect(result.innerText()).resolves.toMatch(/Re-run: reproducible/);
    const hashes = await page.getByTestId('rerun-hashes').innerText();
    expect(hashes).toMatch(/raw file: SHA-256 matches/);
    expect(hashes).toMatch(/cleaned table \(stored\): SHA-256 matches/);
    expect(hashes).toMatch(/model input: SHA-256 matches/);
    await expect.poll(() => page.locator('[data-testid="gates"] [data-check-id="gate.reproducible"] .badge').textContent(), { timeout: 30_000 }).toBe('info');
  }, 360_000);

  it('logs a decision against the latest run', async () => {
    const { page } = app;
    await page.click('nav a[href="#/decisions"]');
    await page.getByTestId('decision-text').fill('Move 10% of TV budget to search for Q1');
    await page.getByTestId('decision-owner').fill('Media lead');
    await page.getByTestId('decision-low').fill('2000000');
    await page.getByTestId('decision-high').fill('3000000');
    await page.getByTestId('decision-save').click();
    await expect.poll(() => page.getByTestId('decision-row').count(), { timeout: 10_000 }).toBe(1);
    await expect(page.getByTestId('decision-status').innerText()).resolves.toBe('pending');
    const dir = process.env.CARRYOVER_SCREENSHOTS;
    if (dir) await page.screenshot({ path: `${dir}/decisions.png`, fullPage: true });
  });

  it('keeps both runs and the decision after a reload', async () => {
    const { page } = app;
    await page.reload();
    await page.click('nav a[href="#/refresh"]');
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 30_000 }).toBe(2);
    await page.getByTestId('verdict-banner').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('storage-quota').innerText()).resolves.toMatch(/Browser storage: .* used of/);
    // the re-run's verdict is kept with the run: the gate still says reproducible
    await expect(page.locator('[data-testid="gates"] [data-check-id="gate.reproducible"] .badge').textContent()).resolves.toBe('info');
    await expect(page.getByTestId('rerun-kept').getAttribute('data-severity')).resolves.toBe('info');
    await page.click('nav a[href="#/decisions"]');
    await expect.poll(() => page.getByTestId('decision-row').count(), { timeout: 10_000 }).toBe(1);
    await expect(page.getByTestId('decision-row').innerText()).resolves.toContain('Move 10% of TV budget to search for Q1');
  });

  it('refuses a truncated .carryover file with a clear message and keeps the stored runs', async () => {
    const { page } = app;
    await page.click('nav a[href="#/refresh"]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('run-row').first().getByRole('button', { name: 'Export' }).click()]);
    const path = await download.path();
    const bytes = readFileSync(path!);
    expect(bytes.subarray(0, 10).toString()).toBe('CARRYOVER\n');
    await page.getByTestId('run-import').setInputFiles({ name: 'march.carryover', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, Math.floor(bytes.length / 2)) });
    await expect.poll(() => page.getByTestId('run-error').innerText(), { timeout: 10_000 }).toMatch(/Import refused: "march.carryover" is truncated/);
    await expect(page.getByTestId('run-row').count()).resolves.toBe(2);
    // the whole file imports only as a duplicate: refused by name, nothing replaced
    await page.getByTestId('run-import').setInputFiles({ name: 'march.carryover', mimeType: 'application/octet-stream', buffer: bytes });
    await expect.poll(() => page.getByTestId('run-error').innerText(), { timeout: 10_000 }).toMatch(/already stored here/);
    await expect(page.getByTestId('run-row').count()).resolves.toBe(2);
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
