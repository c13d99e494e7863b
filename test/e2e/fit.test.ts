import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage } from './browser.ts';

// Stage 5 on the built app: a fit with the default settings streams per-chain progress with an
// ETA from real workers, and cancel stops it while the app stays usable.

describe('Fit screen with default settings', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await page.getByTestId('go-checks').click({ timeout: 60_000 });
    await page.getByTestId('checks-ready').waitFor({ timeout: 60_000 });
    await page.getByTestId('go-fit').click();
  });
  afterAll(async () => app?.close());

  it('says which data it fits and starts with the defaults', async () => {
    await expect(app.page.getByText('Reference national model on').innerText()).resolves.toMatch(/208\s+weeks, 5 channels/);
    await app.page.getByTestId('fit-start').click();
  });

  it('shows a progress bar per chain and an overall ETA while it runs', async () => {
    const { page } = app;
    const progress = page.getByTestId('fit-progress');
    await expect.poll(async () => (await progress.innerText()).match(/ETA (\d+(\.\d+)?) (s|min)/) !== null, { timeout: 30_000 }).toBe(true);
    await expect(page.locator('table.chains tbody tr').count()).resolves.toBe(4);
    const iters = await page.locator('table.chains tbody tr td:nth-child(3)').allInnerTexts();
    expect(iters.every((t) => /^\d+ \/ \d+$/.test(t.trim()))).toBe(true);
  });

  it('cancel stops the fit and the app stays usable', async () => {
    const { page } = app;
    await page.getByTestId('fit-cancel').click();
    await page.getByTestId('fit-cancelled').waitFor({ timeout: 2_000 });
    await expect(page.getByTestId('fit-start').isEnabled()).resolves.toBe(true);
    await page.click('nav a[href="#/data"]');
    await expect(page.getByTestId('row-count').innerText()).resolves.toBe('208');
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
