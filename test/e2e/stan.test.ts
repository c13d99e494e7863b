import { readFileSync } from 'node:fs';
import type { Download } from 'playwright-core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage } from './browser.ts';

// Issue 12 item 3 on the built app, without a fit: the Robyn demo mapped as the CmdStan fixture
// was sampled (test/fixtures/cmdstan/robyn.carryover.yaml), "Export to Stan" downloads the zip,
// "Import CmdStan draws" reads the fixture's two chains as the current fit and Results shows ROI
// with intervals, Plan and Report read it; a CSV that is not CmdStan output gets the importer's message.

const FIXTURE = 'test/fixtures/cmdstan';
const CHANNELS = ['tv', 'ooh', 'print', 'facebook', 'search'];
const csv = (name: string, path = `${FIXTURE}/${name}`) => ({ name, mimeType: 'text/csv', buffer: readFileSync(path) });

describe('Fit screen: Export to Stan, Import CmdStan draws (Robyn demo, no fit)', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await page.getByTestId('go-checks').click({ timeout: 60_000 });
    await page.getByTestId('config-upload').setInputFiles({ name: 'robyn.carryover.yaml', mimeType: 'text/yaml', buffer: readFileSync(`${FIXTURE}/robyn.carryover.yaml`) });
    await page.getByTestId('config-loaded').waitFor({ timeout: 30_000 });
    await page.getByTestId('checks-ready').waitFor({ timeout: 90_000 });
    await page.getByTestId('go-fit').click();
  });
  afterAll(async () => app?.close());

  it('Export to Stan downloads carryover-stan-national.zip with the program, its data JSON and the README', async () => {
    const { page } = app;
    const [d] = await Promise.all([page.waitForEvent('download') as Promise<Download>, page.getByTestId('fit-stan-export').click()]);
    expect(d.suggestedFilename()).toBe('carryover-stan-national.zip');
    const zip = unzipSync(new Uint8Array(readFileSync((await d.path())!)));
    const names = Object.keys(zip);
    expect(names).toEqual(expect.arrayContaining(['carryover_national_stan/carryover_national.stan', 'carryover_national_stan/carryover_national.data.json', 'carryover_national_stan/README.md']));
    const data = JSON.parse(new TextDecoder().decode(zip['carryover_national_stan/carryover_national.data.json']));
    expect([data.N, data.C]).toEqual([208, 5]);
    expect(new TextDecoder().decode(zip['carryover_national_stan/carryover_national.stan'])).toContain('model {');
  });

  it('imports the two CmdStan CSVs as the fit; Results shows ROI with its 90% interval for the 5 channels', async () => {
    const { page } = app;
    await page.getByTestId('fit-stan-import').setInputFiles([csv('output_1.csv'), csv('output_2.csv')]);
    await page.getByTestId('fit-imported').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('fit-imported').innerText()).resolves.toMatch(/^Imported from CmdStan \(2 chains x 6 draws/);
    await page.click('nav a[href="#/results"]');
    await page.getByTestId('results-done').waitFor({ timeout: 60_000 });
    const rows = await page.getByTestId('results-roi-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td,th')].map((c) => (c as HTMLElement).innerText.trim())));
    expect(rows.map((r) => r[0]).sort()).toEqual([...CHANNELS].sort());
    for (const r of rows) expect(r[1]).toMatch(/^[\d.,]+ \[[\d.,-]+, [\d.,]+\] 90%$/);
  });

  it('Plan and Report read the imported run as a fit made here', async () => {
    const { page } = app;
    await page.click('nav a[href="#/plan"]');
    await page.getByTestId('plan-run').click();
    const rec = page.locator('[data-testid="plan-recommendation"][data-objective="expected"]');
    await rec.waitFor({ timeout: 60_000 });
    await expect(rec.locator('[data-testid="plan-table"] tbody tr').count()).resolves.toBe(CHANNELS.length);
    await page.click('nav a[href="#/report"]');
    const roi = page.getByTestId('report-view').locator('#roi-table');
    await roi.waitFor({ timeout: 60_000 });
    const rows = await roi.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-channel')));
    expect(rows.sort()).toEqual([...CHANNELS].sort());
    expect((await roi.innerText()).match(/\(90%: -?[\d.,e-]+ to -?[\d.,e-]+\)/g)?.length).toBeGreaterThanOrEqual(CHANNELS.length);
  });

  it('a CSV that is not CmdStan output gets the importer\'s message and the imported fit stays', async () => {
    const { page } = app;
    await page.click('nav a[href="#/fit"]');
    await page.getByTestId('fit-stan-import').setInputFiles(csv('robyn_simulated_weekly.csv', 'public/demo/robyn_simulated_weekly.csv'));
    await page.getByTestId('fit-stan-error').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('fit-stan-error').innerText()).resolves.toMatch(/^robyn_simulated_weekly\.csv, line 1: expected CmdStan's header starting with lp__/);
    await expect(page.getByTestId('fit-imported').count()).resolves.toBe(1);
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
