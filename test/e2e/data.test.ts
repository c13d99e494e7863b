import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openApp, offOrigin, type AppPage, loadFile } from './browser.ts';

// Stage 1 on the built app: demos and dropped files read by DuckDB-WASM in the page, the
// detected mapping with reasons, and specific errors for files that cannot be read.

const ROBYN = 'public/demo/robyn_simulated_weekly.csv';

/** Role of each column in the mapping editor, as {column: role}. */
async function roles(page: Page): Promise<Record<string, string>> {
  const rows = page.locator('[data-testid="mapping"] tbody tr');
  const out: Record<string, string> = {};
  for (const r of await rows.all()) out[(await r.getAttribute('data-column'))!] = (await r.getAttribute('data-role'))!;
  return out;
}

async function columnTypes(page: Page): Promise<Record<string, string>> {
  const cells = page.getByTestId('column-type');
  const out: Record<string, string> = {};
  for (const c of await cells.all()) out[(await c.getAttribute('data-column'))!] = await c.innerText();
  return out;
}

describe('Data screen', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  it('loads the Robyn demo through DuckDB in one click: 208 rows and the column types', async () => {
    const { page } = app;
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await expect(page.getByTestId('row-count').innerText({ timeout: 60_000 })).resolves.toBe('208');
    const types = await columnTypes(page);
    expect(types).toMatchObject({ DATE: 'DATE', revenue: 'DOUBLE', tv_S: 'DOUBLE', events: 'VARCHAR', competitor_sales_B: 'BIGINT' });
    expect(Object.keys(types)).toHaveLength(12);
    // the first preview row is the first week of the file
    await expect(page.locator('[data-testid="preview-table"] tbody tr').first().innerText()).resolves.toContain('2015-11-23');
  });

  it('detects the Robyn mapping with reasons and no edits', async () => {
    const { page } = app;
    const r = await roles(page);
    expect(r).toMatchObject({
      DATE: 'date',
      revenue: 'kpi',
      tv_S: 'spend',
      ooh_S: 'spend',
      print_S: 'spend',
      facebook_S: 'spend',
      search_S: 'spend',
      competitor_sales_B: 'control',
      events: 'factor',
    });
    expect(await page.getByLabel('baseline of events').inputValue()).toBe('na');
    const why = await page.locator('[data-testid="mapping"] tr[data-column="tv_S"] .why').innerText();
    expect(why).toMatch(/_S/);
  });

  it('lets the user change a role, and says it was changed', async () => {
    const { page } = app;
    await page.getByLabel('role of competitor_sales_B').selectOption('ignore');
    const row = page.locator('[data-testid="mapping"] tr[data-column="competitor_sales_B"]');
    await expect(row.getAttribute('data-role')).resolves.toBe('ignore');
    await expect(row.locator('.why').innerText()).resolves.toContain('changed by you');
    await page.getByLabel('role of competitor_sales_B').selectOption('control');
  });

  it('detects the Meridian national mapping without edits (spend paired with impressions)', async () => {
    const { page } = app;
    await page.getByTestId('demo-meridian_national_media').click();
    // waits for this file by name: the Robyn file loaded before must not be read instead
    await page.getByTestId('loaded-file').filter({ hasText: 'meridian_national_media.csv' }).waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('row-count').innerText()).resolves.toBe('156');
    const r = await roles(page);
    expect(r).toMatchObject({
      time: 'date',
      conversions: 'kpi',
      Channel0_spend: 'spend',
      Channel3_spend: 'spend',
      Channel0_impression: 'exposure',
      competitor_activity_score_control: 'control',
      sentiment_score_control: 'control',
    });
    expect(Object.values(r).filter((x) => x === 'spend')).toHaveLength(4);
  });

  it('reads a dropped file from disk (file input) the same way as the demo', async () => {
    const { page } = app;
    await expect(loadFile(page, ROBYN)).resolves.toBe('208');
  });

  it('names the file and line of a ragged CSV instead of crashing', async () => {
    const { page } = app;
    const csv = 'date,revenue,tv_spend\n2024-01-01,10,1\n2024-01-08,11,2,99\n2024-01-15,12,3\n';
    await page.getByTestId('file-input').setInputFiles({ name: 'ragged.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const err = await page.getByTestId('load-error').filter({ hasText: 'ragged.csv' }).innerText({ timeout: 60_000 });
    expect(err).toContain('ragged.csv');
    expect(err).toMatch(/line 3/i);
  });

  it('says a spreadsheet is not a CSV, naming the file', async () => {
    const { page } = app;
    const xlsx = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0, 0, 0, 0]);
    await page.getByTestId('file-input').setInputFiles({ name: 'budget.xlsx', mimeType: 'application/octet-stream', buffer: xlsx });
    // waits for this file's error: the ragged.csv error of the test before must be gone, not read
    await expect(page.getByTestId('load-error').filter({ hasText: 'budget.xlsx' }).innerText({ timeout: 30_000 })).resolves.toMatch(/budget\.xlsx is a spreadsheet/);
    await expect(page.getByTestId('load-error').filter({ hasText: 'ragged.csv' }).count()).resolves.toBe(0);
  });

  it('names the column whose values are not numbers', async () => {
    const { page } = app;
    const lines = ['week,revenue,tv_spend'];
    for (let i = 0; i < 60; i++) lines.push(`${new Date(Date.UTC(2023, 0, 2 + 7 * i)).toISOString().slice(0, 10)},${1000 + i},${i === 30 ? 'n/a?' : 10 + i}`);
    await expect(loadFile(page, { name: 'texty.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) })).resolves.toBe('60');
    // read as text, and the mapping says so next to the column (the checks then name the rows)
    await expect(page.locator('[data-testid="column-type"][data-column="tv_spend"]').innerText()).resolves.toBe('VARCHAR');
    await expect(page.locator('[data-testid="mapping"] tr[data-column="tv_spend"] .why').innerText()).resolves.toMatch(/read as text/);
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});

