import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { formatEstimate } from '../../src/core/format/estimate.ts';
import { formatNumber } from '../../src/core/format/number.ts';
import { openApp, offOrigin, type AppPage } from './browser.ts';
import { missingResultsItems, overlappingLabels } from './results-items.ts';

// Stage 6 on the built app: a short fit of the Robyn demo, then the Results screen. The numbers
// on its charts' tables are checked against the Fit screen's summary (same draws: 4 x 150 draws
// stay under the analysis's 1000-draw cap, so nothing is thinned) and against each other.

/** Parses a CSV made by toCsv (no quoted commas in these tables) into header-keyed rows. */
function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trim().split(/\r\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, j) => [cols[j], v])));
}

async function download(page: Page, label: string | RegExp): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download') as Promise<Download>, (typeof label === 'string' ? page.getByRole('button', { name: label, exact: true }) : page.getByRole('button', { name: label })).click()]);
  const path = join(tmpdir(), `carryover-e2e-${Date.now()}-${d.suggestedFilename()}`);
  await d.saveAs(path);
  return { name: d.suggestedFilename(), bytes: await readFile(path) };
}

describe('Results screen on the fitted Robyn demo', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  let summary: Map<string, string[]>;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await page.getByTestId('go-checks').click({ timeout: 60_000 });
    await page.getByTestId('checks-ready').waitFor({ timeout: 60_000 });
    await page.getByTestId('go-fit').click();
    // short: enough draws for stable 5%/95% quantiles, a few seconds on two cores
    await page.getByLabel('warmup', { exact: true }).fill('150');
    await page.getByLabel('draws', { exact: true }).fill('150');
    await page.getByTestId('fit-until-converged').uncheck();
    await page.getByTestId('fit-start').click();
    await page.getByTestId('fit-done').waitFor({ timeout: 90_000 });
    const rows = await page.getByTestId('summary-table').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent?.trim() ?? '')),
    );
    summary = new Map(rows.map((r) => [r[0], r]));
  });
  afterAll(async () => app?.close());

  it('Fit screen: rank and trace plots start at the worst R-hat, one row per chain', async () => {
    const { page } = app;
    const rhat = (r: string[]) => (r[6] === 'NaN' ? Infinity : Number(r[6]));
    const worst = Math.max(...[...summary.values()].map(rhat));
    const picked = await page.getByTestId('diagnostic-param').inputValue();
    expect(rhat(summary.get(picked)!)).toBe(worst);
    // 4 chains x 150 draws: every chain's ranks are counted once
    const counts = await page.getByTestId('diagnostic-rank').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => Number(td.textContent?.replace(/,/g, '')))),
    );
    for (let c = 0; c < 4; c++) expect(counts.reduce((s, r) => s + r[2 + c], 0)).toBe(150);
    await expect(page.getByTestId('diagnostic-trace').locator('svg path').count()).resolves.toBeGreaterThanOrEqual(4);
    await page.getByTestId('diagnostic-plots').screenshot({ path: join(tmpdir(), 'carryover-diagnostics.png') });
    // another parameter redraws both plots for it
    await page.getByTestId('diagnostic-param').selectOption({ index: 3 });
    await expect(page.getByTestId('diagnostic-trace').locator('figcaption').innerText()).resolves.toContain(await page.getByTestId('diagnostic-param').inputValue());
  });

  it('Results opens on the analysis of that fit', async () => {
    const { page } = app;
    await page.click('nav a[href="#/results"]');
    await page.getByTestId('results-done').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('results-done').innerText()).resolves.toContain('600 of 600 posterior draws, 208 weeks');
  });

  it('shows every chart with its table', async () => {
    const { page } = app;
    for (const id of ['results-fit', 'results-contributions', 'results-waterfall', 'results-roi', 'results-response-0', 'results-adstock']) {
      await expect(page.getByTestId(id).locator('svg').count(), id).resolves.toBeGreaterThan(0);
      await expect(page.getByTestId(`${id}-table`).locator('tbody tr').count(), id).resolves.toBeGreaterThan(0);
    }
    await expect(page.getByTestId('results-roi-unit').innerText()).resolves.toBe('revenue per unit of spend');
    await expect(page.getByTestId('results-identifiability').locator('li').count()).resolves.toBe(5);
  });

  it('shows every Results item, each estimate with its interval', async () => {
    expect(await missingResultsItems(app.page, 5)).toEqual([]);
  });

  it('no two labels of a chart overlap (legends, axis labels, ticks, facet names)', async () => {
    const overlaps = await overlappingLabels(app.page);
    expect(overlaps).toEqual([]);
  });

  it("the ROI forest's tv numbers are the summary's, with the interval in the text", async () => {
    const { page } = app;
    const key = [...summary.keys()].find((k) => /^roi\[tv/.test(k));
    expect(key).toBeDefined();
    const [, mean, , q05, , q95] = summary.get(key!)!;
    const csv = parseCsv((await download(page, 'Download ROI and marginal ROI (table) as CSV')).bytes.toString('utf8'));
    const tv = csv.find((r) => r.channel.startsWith('tv'))!;
    // full-precision CSV, printed as the summary prints: the same numbers from the same draws
    expect([formatNumber(Number(tv.roi_mean), 4), formatNumber(Number(tv.roi_q05), 4), formatNumber(Number(tv.roi_q95), 4)]).toEqual([mean, q05, q95]);
    const cell = await page.getByTestId('results-roi-table').locator('tbody tr', { hasText: /^\s*tv/ }).locator('td').nth(1).innerText();
    expect(cell).toBe(formatEstimate({ mean: Number(tv.roi_mean), q05: Number(tv.roi_q05), q25: 0, q75: 0, q95: Number(tv.roi_q95) }));
    expect(cell).toMatch(/^[\d.,]+ \[[\d.,-]+, [\d.,]+\] 90%$/);
  });

  it('the decomposition adds up to the fitted total, and the fitted weeks to both', async () => {
    const { page } = app;
    const parts = parseCsv((await download(page, 'Download Decomposition of the total (table) as CSV')).bytes.toString('utf8'));
    const fitted = parts.find((r) => r.part === 'fitted total')!;
    const sum = parts.filter((r) => r.kind !== 'total' && r.kind !== 'observed').reduce((s, r) => s + Number(r.total_mean), 0);
    expect(parts.filter((r) => r.kind === 'channel').length).toBe(5);
    expect(Math.abs(sum - Number(fitted.total_mean))).toBeLessThan(1e-9 * Math.abs(sum));
    const weeks = parseCsv((await download(page, 'Download Fit vs actual (table) as CSV')).bytes.toString('utf8'));
    expect(weeks.length).toBe(208);
    expect(weeks[0].week).toBe('2015-11-23');
    const fittedSum = weeks.reduce((s, r) => s + Number(r['fitted mean']), 0);
    expect(Math.abs(fittedSum - Number(fitted.total_mean))).toBeLessThan(1e-9 * fittedSum);
    const observed = weeks.reduce((s, r) => s + Number(r.observed), 0);
    expect(Math.abs(observed - Number(parts.find((r) => r.part === 'observed total')!.total_mean))).toBeLessThan(1e-6 * observed);
    // the table on screen shows the same total with its interval
    const row = await page.getByTestId('results-waterfall-table').locator('tbody tr', { hasText: 'fitted total' }).locator('td').nth(1).innerText();
    expect(row.startsWith(`${formatNumber(Number(fitted.total_mean), 3)} [`)).toBe(true);
  });

  it('shows the health card and in-sample evaluation; its 90% coverage is that of the predictive band on the fit chart', async () => {
    const { page } = app;
    await page.getByTestId('results-health').waitFor({ timeout: 60_000 });
    const ids = await page.getByTestId('results-health').locator('li[data-check-id]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-check-id')));
    expect(ids).toEqual(expect.arrayContaining(['eval.mape', 'eval.coverage', 'eval.pareto_k', 'eval.ppc']));
    await expect(page.getByTestId('results-accuracy').innerText()).resolves.toMatch(/MAPE\s+[\d.]+%/);
    const acc = parseCsv((await download(page, /^Download In-sample accuracy .* as CSV$/)).bytes.toString('utf8'));
    const cov90 = Number(acc.find((r) => r.metric === 'coverage_0.9')!.value);
    const weeks = parseCsv((await download(page, 'Download Fit vs actual (table) as CSV')).bytes.toString('utf8'));
    const inside = weeks.filter((r) => Number(r.observed) >= Number(r['predictive 5%']) && Number(r.observed) <= Number(r['predictive 95%'])).length;
    expect(inside / weeks.length).toBe(cov90);
    expect(cov90).toBeGreaterThan(0.7);
    const loo = await page.getByTestId('results-loo-table').innerText();
    expect(loo).toMatch(/elpd_loo\s+-?[\d,.]+ ± [\d.]+ \(se\)/);
    await expect(page.getByTestId('results-ppc-table').locator('tbody tr').count()).resolves.toBe(5);
  });

  it('downloads charts as PNG and SVG', async () => {
    const { page } = app;
    const png = await download(page, 'Download ROI and marginal ROI as PNG');
    expect(png.name).toBe('roi-and-marginal-roi.png');
    expect(png.bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.bytes.length).toBeGreaterThan(5_000);
    const svg = await download(page, 'Download Contributions over time as SVG');
    expect(svg.name).toBe('contributions-over-time.svg');
    const text = svg.bytes.toString('utf8');
    expect(text.startsWith('<svg')).toBe(true);
    // the legend is inside the SVG, so the file carries it
    expect(text).toContain('>baseline<');
    expect(text).toContain('>fitted mean<');
  });

  it('saves a screenshot and makes no off-origin request and no page error', async () => {
    await app.page.screenshot({ path: join(tmpdir(), 'carryover-results.png'), fullPage: true });
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
