import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage } from './browser.ts';

// Offline after the first visit: the service worker precaches the shell and scripts, and caches
// the DuckDB engine and the demo file the first time the app fetches them. With the network cut,
// a reload still shows the app, loads the demo and runs the checks. The page's CSP is the one the
// build writes: nothing it does is refused by it (a refusal is a console error).

describe('Offline use', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  it('says it works offline once the service worker has cached the app', async () => {
    const { page } = app;
    await page.getByTestId('offline-ready').waitFor({ timeout: 60_000 });
    const controlled = await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      return navigator.serviceWorker.controller !== null;
    });
    expect(controlled).toBe(true);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' blob: data:");
  });

  it('with the network off, a reload loads the Robyn demo through DuckDB and runs the checks', async () => {
    const { page } = app;
    // the first visit uses DuckDB and the demo, so the engine and the file are cached
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await expect(page.getByTestId('row-count').innerText({ timeout: 60_000 })).resolves.toBe('208');
    await page.context().setOffline(true);
    await page.reload();
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await expect(page.getByTestId('row-count').innerText({ timeout: 60_000 })).resolves.toBe('208');
    await page.goto(baseUrl + '#/checks');
    await page.locator('[data-testid="validation-score"]').waitFor({ timeout: 60_000 });
    await page.context().setOffline(false);
  });

  it('makes no off-origin request and nothing is refused by the CSP', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  });
});
