import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatNumber } from '../../src/core/format/number.ts';
import { openApp, offOrigin, startShortFit, type AppPage } from './browser.ts';
import { overlappingLabels } from './results-items.ts';

// The holdout on the built app: a short fit of the Robyn demo (2 chains, 100 + 100), then the
// Results screen's holdout of the last 13 weeks, refitted in the fit workers. The numbers on
// screen are checked against the CSV of the same table (full precision, straight from the state),
// against the held-out weeks' own table, and against the health card's out-of-sample rows.

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split(/\r\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, j) => [cols[j], v])));
}

async function download(page: Page, label: RegExp): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download') as Promise<Download>, page.getByRole('button', { name: label }).click()]);
  const path = join(tmpdir(), `carryover-e2e-${Date.now()}-${d.suggestedFilename()}`);
  await d.saveAs(path);
  return { name: d.suggestedFilename(), text: (await readFile(path)).toString('utf8') };
}

const pct = (v: number) => `${formatNumber(v * 100, 3)}%`;

describe('Holdout on the fitted Robyn demo', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 900 });
    await startShortFit(page, 'robyn_simulated_weekly', { chains: 2, warmup: 100, draws: 100 });
    await page.click('nav a[href="#/results"]');
    await page.getByTestId('results-health').waitFor({ timeout: 60_000 });
  });
  afterAll(async () => app?.close());

  it('offers the holdout of the config with its cost, runs it with progress, and shows out-of-sample metrics equal to the state', async () => {
    const { page } = app;
    await expect(page.getByTestId('backtest-plan').innerText()).resolves.toMatch(/Trains on 195 weeks, forecasts the last 13/);
    await expect(page.getByTestId('backtest-run').innerText()).resolves.toMatch(/^Run 1 refit \(about \d+ (s|min)\)$/);
    await page.getByTestId('backtest-run').click();
    const progress = page.getByTestId('backtest-progress');
    await progress.waitFor({ timeout: 10_000 });
    await expect(progress.innerText()).resolves.toMatch(/Split 1 of 1: (refitting|forecasting)/);
    await page.getByTestId('backtest-done').waitFor({ timeout: 90_000 });

    const rows = await page.getByTestId('backtest-metrics').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')));
    expect(rows.map((r) => `${r[0]}/${r[1]}/${r[2]}`)).toEqual(['full fit/in sample/208', 'holdout/in sample/195', 'holdout/out of sample/13']);
    const csv = parseCsv((await download(page, /^Download Holdout of the last weeks: accuracy .* as CSV$/)).text);
    const oos = csv.find((r) => r.sample === 'out of sample')!;
    const screen = rows[2];
    // what the screen shows is the state's number, rounded
    expect(screen[4]).toBe(pct(Number(oos.mape)));
    expect(screen[5]).toBe(formatNumber(Number(oos.r2), 3));
    expect(screen[6]).toBe(formatNumber(Number(oos.nrmse), 3));
    expect(screen.slice(7, 10)).toEqual([oos['coverage_0.5'], oos['coverage_0.8'], oos['coverage_0.9']].map((v) => pct(Number(v))));
    expect([oos.first_week, oos.last_week]).toEqual(['2019-08-19', '2019-11-11']);

    // the held-out weeks' own table: 13 rows, and its 90% coverage is the metric's
    const weeks = parseCsv((await download(page, /^Download Held-out weeks: .* \(table\) as CSV$/)).text);
    expect(weeks.length).toBe(13);
    const inside = weeks.filter((w) => Number(w.actual) >= Number(w['5%']) && Number(w.actual) <= Number(w['95%'])).length;
    expect(inside / 13).toBe(Number(oos['coverage_0.9']));
    expect(Number(oos['coverage_0.9'])).toBeGreaterThanOrEqual(0.6);

    // the health card judges MAPE and coverage out of sample and keeps the in-sample rows
    const card = page.getByTestId('results-health');
    const mapeRow = await card.locator('li[data-check-id="eval.mape"]').innerText();
    expect(mapeRow).toContain(`MAPE out of sample (13 held-out weeks) is ${(100 * Number(oos.mape)).toFixed(1)}%`);
    await expect(card.locator('li[data-check-id="eval.mape_in_sample"]').count()).resolves.toBe(1);
    await expect(card.locator('li[data-check-id="eval.coverage_in_sample"]').count()).resolves.toBe(1);
    await expect(page.getByTestId('backtest-fold-0').locator('svg').count()).resolves.toBeGreaterThan(0);
    expect(await overlappingLabels(page)).toEqual([]);
    const png = await download(page, /^Download Held-out weeks: .* as PNG$/);
    expect(png.name).toMatch(/^held-out-weeks.*\.png$/);
  });

  it('a rolling-origin backtest can be cancelled mid-way: its fit workers end, the finished fold stays', async () => {
    const { page } = app;
    await page.getByTestId('backtest-kind').selectOption('rolling');
    // training.rolling_splits defaults: 104-week windows, 13-week steps, every fold that fits
    await expect(page.getByTestId('backtest-plan').innerText()).resolves.toMatch(/^8 folds of 104 training weeks, each forecasting the next 13/);
    await expect(page.getByTestId('backtest-run').innerText()).resolves.toMatch(/^Run 8 refits \(about \d+ (s|min)\)$/);
    await page.getByTestId('backtest-run').click();
    const progress = page.getByTestId('backtest-progress');
    await progress.filter({ hasText: /Split 2 of 8: refitting/ }).waitFor({ timeout: 60_000 });
    const fitWorkers = () => page.workers().filter((w) => /fit\.worker/.test(w.url())).length;
    expect(fitWorkers()).toBeGreaterThan(0);
    await page.getByTestId('backtest-cancel').click();
    await expect(page.getByTestId('backtest-cancelled').innerText()).resolves.toBe('Cancelled; 1 of 8 splits were finished and are kept below.');
    await expect.poll(fitWorkers, { timeout: 5_000 }).toBe(0);
    const rows = await page.getByTestId('backtest-metrics').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '').slice(0, 3).join('/')));
    expect(rows).toEqual(['full fit/in sample/208', 'fold 1/in sample/104', 'fold 1/out of sample/13']);
    // a cancelled backtest does not judge the model: the health card is back to in-sample only
    await expect(page.getByTestId('results-health').locator('li[data-check-id="eval.mape_in_sample"]').count()).resolves.toBe(0);
    await expect(page.getByTestId('results-health').locator('li[data-check-id="eval.mape"]').innerText()).resolves.toContain('MAPE in sample');
  });

  it('makes no off-origin request and no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
