import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { axeSerious, fitLoadedData, offOrigin, openApp, runShortFit, tabTo, type AppPage, type AxeFinding } from './browser.ts';

// The whole journey of product.md on the built app, twice: once with the mouse, once with the
// keyboard only (Tab, Shift+Tab, Enter, Space, typing). Data -> mapping -> checks -> short fit ->
// Results -> Plan -> Report (the HTML downloaded) -> a second fit (a refresh) -> Refresh drift and
// memo -> a decision logged. The keyboard pass reloads the same tab, so its one fit is the
// refresh of the two runs the mouse pass stored. On every screen: no request has left the
// origin, axe-core finds no serious or critical violation, and a screenshot goes to
// test-artifacts/journey/<pass>/ (with axe.json, the findings, and times.json).

const ARTIFACTS = 'test-artifacts/journey';
const DEMO = 'robyn_simulated_weekly';
// the refreshed file: tv_S restated +20% in three weeks (a backfill the Refresh screen must name)
const CSV = readFileSync(`public/demo/${DEMO}.csv`, 'utf8').trimEnd().split('\n');
const TV = CSV[0]!.split(',').map((h) => h.replace(/"/g, '')).indexOf('tv_S');
const RESTATED = CSV.map((l, i) => {
  if (![101, 102, 103].includes(i)) return l;
  const cells = l.split(',');
  cells[TV] = String(Number(cells[TV]) * 1.2);
  return cells.join(',');
}).join('\n');

/** Screenshot, accessibility scan and origin check of the screen now shown. */
function screens(app: AppPage, baseUrl: string, pass: string) {
  const dir = join(ARTIFACTS, pass);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const found: Record<string, AxeFinding[]> = {};
  // where the time goes (ms): since the previous screen, the screenshot, the scan
  const times: Record<string, { steps: number; screenshot: number; axe: number }> = {};
  let n = 0;
  let last = Date.now();
  return {
    found,
    async visit(name: string): Promise<void> {
      const { page } = app;
      const t0 = Date.now();
      await page.screenshot({ path: join(dir, `${String(++n).padStart(2, '0')}-${name}.png`), fullPage: true });
      const t1 = Date.now();
      found[name] = await axeSerious(page);
      const t2 = Date.now();
      times[name] = { steps: t0 - last, screenshot: t1 - t0, axe: t2 - t1 };
      last = t2;
      writeFileSync(join(dir, 'axe.json'), JSON.stringify(found, null, 2));
      writeFileSync(join(dir, 'times.json'), JSON.stringify(times, null, 2));
      // soft: the journey goes on, so one run lists the findings of every screen
      expect.soft(found[name], `axe on the ${name} screen`).toEqual([]);
      expect(offOrigin(app.requests, baseUrl), `off-origin requests by the ${name} screen`).toEqual([]);
    },
  };
}

/** The downloaded report: one standalone HTML file (inline styles and SVG, nothing fetched). */
async function checkReportFile(d: Download): Promise<void> {
  expect(d.suggestedFilename()).toMatch(/\.html$/);
  const html = readFileSync((await d.path())!, 'utf8');
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toMatch(/<style[\s>]/);
  expect(html.match(/<svg[\s>]/g)?.length).toBeGreaterThanOrEqual(1);
  // the plan optimised on the Plan screen is in it, and every channel's ROI row
  expect(html).toContain('<section id="plan"><h2>Plan</h2>');
  expect(html.match(/<tr data-channel="/g)?.length).toBe(5);
  // nothing to fetch: no external script, stylesheet, image or url()
  expect(html).not.toMatch(/<script[^>]*\ssrc=|<link[^>]*rel=["']?stylesheet|<img[^>]*\ssrc=["']?(?!data:)|url\(\s*["']?(?!data:|#)/i);
  expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:|\/\/)/i);
}

describe('the journey, with the mouse and then with the keyboard only', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  let page: Page;
  let s: ReturnType<typeof screens>;
  let k: ReturnType<typeof screens>;
  const nav = (label: string) => page.getByRole('navigation', { name: 'Pipeline stages' }).getByRole('link', { name: new RegExp(`^\\d+\\s*${label}$`) }).click();
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    page = app.page;
    s = screens(app, baseUrl, 'mouse');
  });
  afterAll(async () => app?.close());

  // ---- with the mouse ----

  it('loads the demo, maps it, passes the checks and fits', async () => {
    await page.getByTestId(`demo-${DEMO}`).click();
    await page.getByTestId('loaded-file').filter({ hasText: DEMO }).waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('row-count').innerText()).resolves.toBe('208');
    await expect(page.locator('[data-testid="mapping"] tr[data-role="spend"]').count()).resolves.toBe(5);
    await s.visit('data');
    await page.getByTestId('go-checks').click();
    await page.getByTestId('checks-ready').waitFor({ timeout: 90_000 });
    await s.visit('checks');
    await page.getByTestId('go-fit').click();
    await runShortFit(page, { chains: 2, warmup: 100, draws: 100, seed: 1 });
    await s.visit('fit');
  }, 240_000);

  it('shows the results and optimises a plan', async () => {
    await nav('Results');
    await page.getByTestId('results-done').waitFor({ timeout: 120_000 });
    await expect(page.getByTestId('results-done').innerText()).resolves.toContain('200 of 200 posterior draws, 208 weeks');
    await page.getByTestId('results-health').waitFor({ timeout: 60_000 });
    await s.visit('results');
    await nav('Plan');
    await page.getByTestId('plan-run').click();
    await page.locator('[data-testid="plan-recommendation"][data-objective="expected"]').waitFor({ timeout: 90_000 });
    await expect.poll(() => page.locator('[data-testid="plan-outcomes"] tbody tr').count(), { timeout: 30_000 }).toBe(2);
    await s.visit('plan');
  }, 240_000);

  it('exports the report as one standalone HTML file', async () => {
    await nav('Report');
    await page.getByTestId('report-view').locator('#roi-table').waitFor({ timeout: 60_000 });
    const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download HTML report' }).click()]);
    await checkReportFile(d);
    await s.visit('report');
  }, 120_000);

  it('fits the refreshed file; Refresh names the backfill and drafts the memo', async () => {
    await nav('Data');
    await page.getByTestId('file-input').setInputFiles({ name: `${DEMO}.csv`, mimeType: 'text/csv', buffer: Buffer.from(`${RESTATED}\n`) });
    await page.getByTestId('loaded-file').filter({ hasText: `${DEMO}.csv` }).waitFor({ timeout: 60_000 });
    await fitLoadedData(page, { chains: 2, warmup: 100, draws: 100, seed: 2 });
    await nav('Refresh');
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 60_000 }).toBe(2);
    await page.locator('[data-testid="backfill"][data-column="tv_S"]').waitFor({ timeout: 60_000 });
    await expect(page.locator('[data-testid="backfill"][data-column="tv_S"]').innerText()).resolves.toMatch(/restated in 3 weeks/);
    await expect(page.getByTestId('memo').innerText()).resolves.toMatch(/Backfill: tv_S \(tv\) restated in 3 weeks/);
    await expect(page.getByTestId('verdict-banner').getAttribute('data-verdict')).resolves.toMatch(/^(block|warn|info)$/);
    await s.visit('refresh');
  }, 300_000);

  it('logs a decision against the latest run', async () => {
    await nav('Decisions');
    await page.getByLabel('What was decided').fill('Move 10% of TV budget to search for Q1');
    await page.getByLabel('Owner').fill('Media lead');
    await page.getByLabel('Low', { exact: true }).fill('2000000');
    await page.getByLabel('High', { exact: true }).fill('3000000');
    await page.getByRole('button', { name: 'Log decision' }).click();
    await expect.poll(() => page.getByTestId('decision-row').count(), { timeout: 10_000 }).toBe(1);
    await expect(page.getByTestId('decision-status').innerText()).resolves.toBe('pending');
    await s.visit('decisions');
    await nav('Model');
    await s.visit('model');
  });

  it('mouse pass: no screen has a serious or critical accessibility violation, no request left the origin, no page error', () => {
    expect(s.found).toEqual(Object.fromEntries(Object.keys(s.found).map((k) => [k, []])));
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });

  /** Tabs to a control and presses a key on it (Enter for links and buttons, Space for boxes). */
  const press = async (target: Locator, key = 'Enter', back = false) => {
    await tabTo(page, target, { back });
    await page.keyboard.press(key);
  };
  /** Tabs to a field, selects its content and types over it. */
  const type = async (target: Locator, text: string) => {
    await tabTo(page, target);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(text);
  };
  const navLink = (label: string) => page.getByRole('navigation', { name: 'Pipeline stages' }).getByRole('link', { name: new RegExp(`^\\d+\\s*${label}$`) });
  // the navigation is above the screen: back up to it
  const navKey = (label: string) => press(navLink(label), 'Enter', true);

  // ---- with the keyboard only: the same tab reloaded (the runs and the decision stay stored), so
  // this pass's one fit is the next refresh of the two before it ----
  it('loads the demo, passes the checks and fits without the mouse', async () => {
    await page.goto(`${baseUrl}#/data`);
    await page.reload();
    k = screens(app, baseUrl, 'keyboard');
    await press(page.getByTestId(`demo-${DEMO}`));
    await page.getByTestId('loaded-file').filter({ hasText: DEMO }).waitFor({ timeout: 60_000 });
    // the mapping is editable from the keyboard: a role select takes the focus
    await tabTo(page, page.getByRole('combobox', { name: 'role of tv_S' }));
    await k.visit('data');
    await press(page.getByTestId('go-checks'));
    await page.getByTestId('checks-ready').waitFor({ timeout: 90_000 });
    await k.visit('checks');
    await press(page.getByTestId('go-fit'), 'Enter', true);
    await type(page.getByLabel('chains', { exact: true }), '2');
    await type(page.getByLabel('warmup', { exact: true }), '100');
    await type(page.getByLabel('draws', { exact: true }), '100');
    await type(page.getByLabel('seed', { exact: true }), '3');
    await press(page.getByTestId('fit-until-converged'), 'Space');
    await expect(page.getByTestId('fit-until-converged').isChecked()).resolves.toBe(false);
    await press(page.getByTestId('fit-start'));
    await page.locator('[data-testid="fit-done"], [data-testid="fit-error"]').first().waitFor({ timeout: 180_000 });
    await expect(page.getByTestId('fit-error').count()).resolves.toBe(0);
    await k.visit('fit');
  }, 240_000);

  it('reaches Results, Plan and the report download from the keyboard', async () => {
    await navKey('Results');
    await page.getByTestId('results-done').waitFor({ timeout: 120_000 });
    await k.visit('results');
    await navKey('Plan');
    await press(page.getByTestId('plan-run'));
    await page.locator('[data-testid="plan-recommendation"][data-objective="expected"]').waitFor({ timeout: 90_000 });
    await k.visit('plan');
    await navKey('Report');
    await page.getByTestId('report-view').locator('#roi-table').waitFor({ timeout: 60_000 });
    const download = page.waitForEvent('download');
    await press(page.getByRole('button', { name: 'Download HTML report' }));
    await checkReportFile(await download);
    await k.visit('report');
  }, 240_000);

  it('reads the refresh against the stored runs and logs a decision without the mouse', async () => {
    await navKey('Refresh');
    await expect.poll(() => page.getByTestId('run-row').count(), { timeout: 60_000 }).toBe(3);
    // this fit read the original file, the run before it the restated one: the same three weeks differ
    await page.locator('[data-testid="backfill"][data-column="tv_S"]').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('memo').innerText()).resolves.toMatch(/Backfill: tv_S \(tv\) restated in 3 weeks/);
    // the release gates open from the keyboard
    await press(page.getByText(/^Release gates \(\d+\)$/));
    await expect(page.getByTestId('gates').getAttribute('open')).resolves.toBe('');
    await k.visit('refresh');
    await navKey('Decisions');
    await type(page.getByLabel('What was decided'), 'Keep the plan for Q1');
    await type(page.getByLabel('Owner'), 'Media lead');
    await type(page.getByLabel('Low', { exact: true }), '1000000');
    await type(page.getByLabel('High', { exact: true }), '1500000');
    await press(page.getByRole('button', { name: 'Log decision' }));
    await expect.poll(() => page.getByTestId('decision-row').count(), { timeout: 10_000 }).toBe(2);
    await k.visit('decisions');
  }, 120_000);

  it('keyboard pass: no screen has a serious or critical accessibility violation, no request left the origin, no page error', () => {
    expect(k.found).toEqual(Object.fromEntries(Object.keys(k.found).map((k) => [k, []])));
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
