import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage } from './browser.ts';

// The built app reads the Parquet demo (hyparquet in its worker chunk) like the CSV demo, and
// asks no other origin for anything (no DuckDB extension download).

describe('Parquet demo on the built app', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  it('loads the Robyn Parquet demo: 208 rows, schema types, first week, same-origin requests only', async () => {
    const { page } = app;
    await page.getByTestId('demo-robyn_simulated_weekly_parquet').click();
    await expect(page.getByTestId('row-count').innerText({ timeout: 60_000 })).resolves.toBe('208');
    const cells = await page.getByTestId('column-type').all();
    const types: Record<string, string> = {};
    for (const c of cells) types[(await c.getAttribute('data-column'))!] = await c.innerText();
    expect(types).toMatchObject({ DATE: 'DATE', revenue: 'DOUBLE', events: 'VARCHAR', competitor_sales_B: 'DOUBLE' });
    expect(Object.keys(types)).toHaveLength(12);
    await expect(page.locator('[data-testid="preview-table"] tbody tr').first().innerText()).resolves.toContain('2015-11-23');
    expect(app.requests.some((u) => u.includes('parquet.worker'))).toBe(true);
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
  });
});
