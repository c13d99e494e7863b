import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage } from './browser.ts';
import { STAGES } from '../../src/ui/shell/stages.ts';

describe('app shell', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl);
  });
  afterAll(async () => app?.close());

  it('shows every pipeline stage in the navigation, in order', async () => {
    const labels = await app.page.locator('nav a').allInnerTexts();
    expect(labels.map((l) => l.replace(/^\d+\s*/, '').trim())).toEqual(STAGES.map((s) => s.label));
  });

  it('says plainly that an unbuilt stage is not built', async () => {
    await app.page.click('nav a[href="#/model"]'); // the Report stage is built now
    await expect(app.page.getByTestId('not-built').innerText()).resolves.toContain('Not built yet');
  });

  it('makes no off-origin request and logs no error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
