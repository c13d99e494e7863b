import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage } from './browser.ts';
import { missingResultsItems } from './results-items.ts';

// Meridian national: the KPI counts conversions and revenue_per_conversion is mapped as revenue
// per KPI, so the Results screen reads ROI in revenue per unit of spend and names the column.

describe('Results on Meridian national with revenue per conversion', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await page.getByTestId('demo-meridian_national_media').click();
    await page.getByTestId('go-checks').click({ timeout: 60_000 });
    await page.getByTestId('checks-ready').waitFor({ timeout: 60_000 });
    await page.getByTestId('go-fit').click();
    await page.getByLabel('warmup', { exact: true }).fill('100');
    await page.getByLabel('draws', { exact: true }).fill('100');
    await page.getByTestId('fit-until-converged').uncheck();
    await page.getByTestId('fit-start').click();
    await page.getByTestId('fit-done').waitFor({ timeout: 120_000 });
    await page.click('nav a[href="#/results"]');
  });
  afterAll(async () => app?.close());

  it('reads ROI in revenue per unit of spend, from revenue_per_conversion', async () => {
    const { page } = app;
    await expect(page.getByTestId('results-roi-unit').innerText({ timeout: 120_000 })).resolves.toBe('revenue per unit of spend');
    await expect(page.getByTestId('results-revenue-per-kpi').innerText()).resolves.toContain('revenue_per_conversion');
    await expect(page.getByTestId('results-kpi-kind').inputValue()).resolves.toBe('count');
  });

  it('shows every Results item, each estimate with its interval', async () => {
    expect(await missingResultsItems(app.page, 4)).toEqual([]);
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
