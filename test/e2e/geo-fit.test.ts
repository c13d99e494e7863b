import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage } from './browser.ts';

// Meridian's geo demo (20 geos x 156 weeks x 4 channels, population per geo) at geo grain in the
// built app: the Fit screen fits the panel with the geo model (short chains), shows convergence
// condensed by block instead of ~400 rows, and Results shows national ROI with intervals and a
// per-geo ROI table; national stays one click away.

describe('Geo fit of the Meridian geo demo', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await page.getByTestId('demo-meridian_geo_media').click();
    await page.getByTestId('go-checks').click({ timeout: 60_000 });
    await page.getByTestId('checks-ready').waitFor({ timeout: 60_000 });
    await page.getByTestId('go-fit').click();
    await page.getByTestId('fit-model-geo').waitFor({ timeout: 30_000 });
    await page.getByLabel('chains', { exact: true }).fill('2');
    await page.getByLabel('warmup', { exact: true }).fill('100');
    await page.getByLabel('draws', { exact: true }).fill('100');
    // short trees keep the fit to seconds: this test is about the screens, not convergence
    await page.getByLabel('max tree depth', { exact: true }).fill('4');
    // no kernel probe: it would share the two cores with the chains
    await page.locator('form.settings label', { hasText: /^\s*kernel/ }).locator('select').selectOption('fused');
    await page.getByTestId('fit-until-converged').uncheck();
    await page.getByTestId('fit-start').click();
    await page.getByTestId('fit-done').waitFor({ timeout: 120_000 });
  });
  afterAll(async () => app?.close());

  it('fits the 20-geo panel per capita and condenses diagnostics by block', async () => {
    const { page } = app;
    await expect(page.getByTestId('fit-grain-geo').isChecked()).resolves.toBe(true);
    const model = await page.getByTestId('fit-model-geo').innerText();
    expect(model).toContain('20 geo x 156 weeks');
    expect(model).toContain('population');
    const blocks = page.getByTestId('block-diagnostics');
    for (const b of ['shared', 'geo_intercepts', 'geo_betas', 'geo_controls', 'noise', 'national_derived', 'geo_derived']) {
      await expect(blocks.getByTestId(`block-${b}`).count()).resolves.toBe(1);
    }
    // intercepts: one per geo; channel effects: 4 channels x 20 geos
    await expect(blocks.getByTestId('block-geo_intercepts').locator('td').nth(1).innerText()).resolves.toBe('20');
    await expect(blocks.getByTestId('block-geo_betas').locator('td').nth(1).innerText()).resolves.toBe('80');
    await expect(page.getByTestId('summary-table').count()).resolves.toBe(0);
  });

  it('shows national ROI with intervals and ROI per geo on the Results screen', async () => {
    const { page } = app;
    await page.click('nav a[href="#/results"]');
    const national = page.getByTestId('results-geo-national');
    await national.waitFor({ timeout: 90_000 });
    await expect(page.getByTestId('results-geo-roi-unit').innerText()).resolves.toBe('revenue per unit of spend');
    const rows = await national.locator('tbody tr').allInnerTexts();
    expect(rows.length).toBe(4);
    for (const r of rows) expect(r).toMatch(/Channel\d[\s\S]*\[[-\d.e+]+, [-\d.e+]+\] 90%[\s\S]*\[[-\d.e+]+, [-\d.e+]+\] 50%/);
    const perGeo = page.getByTestId('results-geo-roi');
    await expect(perGeo.locator('tbody tr').count()).resolves.toBe(20);
    await expect(perGeo.locator('tbody tr').first().innerText()).resolves.toMatch(/Geo0[\s\S]*90%/);
  });

  it('switches back to the national model in one click', async () => {
    const { page } = app;
    await page.click('nav a[href="#/fit"]');
    await page.getByTestId('fit-grain-national').check();
    await page.getByTestId('fit-model-geo').waitFor({ state: 'detached' });
    await expect(page.locator('section').first().innerText()).resolves.toContain('Reference national model on 156 weeks');
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
