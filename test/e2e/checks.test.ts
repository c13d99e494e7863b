import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage, loadFile } from './browser.ts';

// Stages 2-3 on the built app, then the whole path into a small fit.

describe('Checks screen on the Robyn demo, then a fit', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  it('runs the checks: grouped by severity, with a score, evidence and a cleaning lineage', async () => {
    const { page } = app;
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await expect(page.getByTestId('row-count').innerText({ timeout: 60_000 })).resolves.toBe('208');
    await page.getByTestId('go-checks').click();
    await page.getByTestId('checks-ready').waitFor({ timeout: 60_000 });
    const score = Number(await page.getByTestId('validation-score').getAttribute('data-score'));
    expect(score).toBeGreaterThan(0.8);
    expect(score).toBeLessThan(1);
    // Robyn has no block; it warns on flighted (zero-spend) channels
    await expect(page.locator('[data-testid="check-results"] section[data-severity="block"]').count()).resolves.toBe(0);
    const warns = page.locator('[data-testid="check-results"] section[data-severity="warn"] li');
    const ids = await warns.evaluateAll((els) => els.map((e) => e.getAttribute('data-check-id')));
    expect(ids).toContain('data.zero_spend');
    await expect(page.locator('section[data-severity="info"] li[data-check-id="data.coverage"]').count()).resolves.toBe(1);
    // lineage is shown (a table of steps, or the statement that nothing changed)
    await expect(page.locator('[data-testid="lineage"], [data-testid="lineage-empty"]').count()).resolves.toBe(1);
  });

  it('an override needs a written reason; with one it is recorded and shown', async () => {
    const { page } = app;
    const item = page.locator('li[data-check-id="data.zero_spend"]');
    await item.getByTestId('override-open').click();
    await item.getByTestId('override-submit').click();
    await expect(item.getByTestId('override-error').innerText()).resolves.toContain('reason');
    await item.getByTestId('override-reason').fill('Flighted TV is the plan; zero weeks are real pauses.');
    await item.getByTestId('override-submit').click();
    const moved = page.locator('section[data-severity="info"] li[data-check-id="data.zero_spend"]');
    await expect(moved.getByTestId('override-recorded').innerText()).resolves.toContain('Flighted TV is the plan');
    await expect(page.getByTestId('override-log').innerText()).resolves.toContain('data.zero_spend');
  });

  it('hands the cleaned national dataset to the Fit screen, and a small fit shows the summary table', async () => {
    const { page } = app;
    await page.getByTestId('checks-ready').waitFor({ timeout: 60_000 });
    await page.getByTestId('go-fit').click();
    await expect(page.getByText('Reference national model on').innerText()).resolves.toMatch(/208\s+weeks, 5 channels/);
    const set = async (label: string, v: string) => page.locator('form.settings label', { hasText: label }).locator('input').fill(v);
    await set('chains', '2');
    await set('warmup', '100');
    await set('draws', '100'); // any whole number is valid (step 1): 100 once failed the form's step-50 rule silently
    await page.getByTestId('fit-start').click();
    await page.locator('[data-testid="summary-table"], [data-testid="fit-error"]').first().waitFor({ timeout: 150_000 });
    await expect(page.getByTestId('fit-error').count()).resolves.toBe(0);
    await expect(page.getByTestId('summary-table').isVisible()).resolves.toBe(true);
  }, 240_000);

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});

describe('a blocking finding', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  it('blocks the fit until overridden with a reason; then the dataset is ready', async () => {
    const { page } = app;
    // 40 weeks of the Robyn file: below the 52 weeks the coverage contract requires
    const lines = readFileSync('public/demo/robyn_simulated_weekly.csv', 'utf8').trim().split('\n').slice(0, 41);
    await expect(loadFile(page, { name: 'short.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) })).resolves.toBe('40');
    await page.getByTestId('go-checks').click();
    await page.getByTestId('checks-blocked').waitFor({ timeout: 60_000 });
    const item = page.locator('section[data-severity="block"] li[data-check-id="data.coverage"]');
    await expect(item.innerText()).resolves.toMatch(/40/);
    await page.goto(baseUrl + '#/fit');
    // a reload starts a fresh state: nothing reaches the fit
    await page.getByTestId('fit-no-data').waitFor();
  });

  it('overriding the block with a reason unblocks', async () => {
    const { page } = app;
    await page.goto(baseUrl + '#/data');
    const lines = readFileSync('public/demo/robyn_simulated_weekly.csv', 'utf8').trim().split('\n').slice(0, 41);
    await expect(loadFile(page, { name: 'short.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) })).resolves.toBe('40');
    await page.getByTestId('go-checks').click();
    await page.getByTestId('checks-blocked').waitFor({ timeout: 60_000 });
    const blocks = page.locator('section[data-severity="block"] li');
    for (let n = await blocks.count(); n > 0; n = await blocks.count()) {
      const item = blocks.first();
      await item.getByTestId('override-open').click();
      await item.getByTestId('override-reason').fill('   ');
      await item.getByTestId('override-submit').click();
      await expect(item.getByTestId('override-error').innerText()).resolves.toContain('reason');
      await item.getByTestId('override-reason').fill('A short pilot: we accept wide intervals.');
      await item.getByTestId('override-submit').click();
      await expect(blocks.count()).resolves.toBeLessThan(n);
    }
    await page.getByTestId('checks-ready').waitFor({ timeout: 60_000 });
    await expect(page.locator('li[data-check-id="data.coverage"] [data-testid="override-recorded"]').innerText()).resolves.toContain('A short pilot');
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});

describe('NaN and Infinity in spend columns (regression: test/regression/nan-in-browser-checks.test.ts)', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  it('blocks with data.non_finite naming the column and row, not "check could not run" blocks', async () => {
    const { page } = app;
    const lines = ['week,revenue,tv_spend,search_spend'];
    for (let i = 0; i < 80; i++) {
      const tv = i === 11 ? 'NaN' : String(100 + ((i * 37) % 50));
      const search = i === 29 ? 'Infinity' : String(50 + ((i * 13) % 40));
      lines.push(`${new Date(Date.UTC(2023, 0, 2 + 7 * i)).toISOString().slice(0, 10)},${2000 + ((i * 53) % 300)},${tv},${search}`);
    }
    await expect(loadFile(page, { name: 'nan_spend.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) })).resolves.toBe('80');
    await page.getByTestId('go-checks').click();
    await page.getByTestId('checks-blocked').waitFor({ timeout: 60_000 });
    const blocks = page.locator('section[data-severity="block"] li');
    const ids = await blocks.evaluateAll((els) => els.map((e) => e.getAttribute('data-check-id')));
    expect(ids).toEqual(['data.non_finite']);
    const text = await blocks.first().innerText();
    expect(text).toContain("'tv_spend'");
    expect(text).toContain('row 12');
    expect(text).toContain("'search_spend'");
    expect(text).toContain('row 30');
    await expect(page.getByText('This check could not run').count()).resolves.toBe(0);
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
