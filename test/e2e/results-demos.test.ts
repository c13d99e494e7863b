import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, startShortFit, type AppPage } from './browser.ts';
import { missingResultsItems } from './results-items.ts';

// The PyMC-Marketing demo (2 channels, two event controls) shows every Results item; the Robyn
// and Meridian national demos are checked the same way in results.test.ts and revenue-roi.test.ts.

describe('Results on the PyMC-Marketing demo', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 900 });
    await startShortFit(page, 'pymc_marketing_mmm_example', { chains: 2, warmup: 100, draws: 100 });
    await page.click('nav a[href="#/results"]');
  });
  afterAll(async () => app?.close());

  it('shows every Results item, each estimate with its interval', async () => {
    expect(await missingResultsItems(app.page, 2)).toEqual([]);
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
