import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, startShortFit, type AppPage } from './browser.ts';

// Stage 6 on the built app: a short fit of the Robyn demo, then a fixed-budget plan through the
// optimizer worker, a risk-aware (CVaR) plan, scenarios via CSV, and the plan CSV download.

const num = (s: string | null) => Number(s);

describe('Plan screen on a short Robyn fit', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
    const { page } = app;
    // 2 x 100 draws can never reach the stop-when-converged ESS of 400, so that box is moot here
    await startShortFit(page, 'robyn_simulated_weekly', { chains: 2, warmup: 150, draws: 100 });
  }, 240_000);
  afterAll(async () => app?.close());

  it('at the current total, the plan beats the current allocation in expectation, with the probability shown', async () => {
    const { page } = app;
    await expect(page.getByTestId('fit-error').count()).resolves.toBe(0);
    await page.click('nav a[href="#/plan"]');
    await page.getByTestId('plan-run').click();
    const rec = page.locator('[data-testid="plan-recommendation"][data-objective="expected"]');
    await rec.waitFor({ timeout: 60_000 });
    const row = rec.locator('[data-testid="plan-table"] tfoot tr');
    const cur = num((await row.locator('td').first().innerText()).replace(/,/g, ''));
    const total = num(await rec.getByTestId('plan-recommended-total').getAttribute('data-value'));
    expect(Math.abs(total - cur)).toBeLessThan(1);
    const gain = num(await rec.locator('[data-testid="plan-total-delta"] [data-interval]').getAttribute('data-mean'));
    expect(gain).toBeGreaterThan(0);
    await expect(rec.getByTestId('plan-message').innerText()).resolves.toMatch(/beats the current one in \d+% of posterior draws/);
  });

  it('runs a fixed-budget plan: the recommended total is the budget, with P(beats current) and intervals', async () => {
    const { page } = app;
    await page.getByTestId('plan-budget').fill('600000');
    await page.getByTestId('plan-run').click();
    const rec = page.locator('[data-testid="plan-recommendation"][data-objective="expected"]');
    await expect.poll(async () => num(await rec.getByTestId('plan-recommended-total').getAttribute('data-value')), { timeout: 60_000 }).toBeCloseTo(600_000, 0);
    const p = num(await rec.getByTestId('plan-prob-beats').getAttribute('data-value'));
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
    await expect(rec.getByTestId('plan-prob-beats').innerText()).resolves.toMatch(/P\(plan beats current\) = [\d.]+%/);
    // every channel row's delta and mROI, and the total delta, show 50% and 90% intervals
    const rows = rec.locator('[data-testid="plan-table"] tbody tr');
    await expect(rows.count()).resolves.toBe(5);
    await expect(rows.first().locator('[data-interval]').count()).resolves.toBe(3);
    await expect(rec.getByTestId('plan-total-delta').innerText()).resolves.toMatch(/50% .+ to .+\n?90% .+ to /);
    await expect(rec.getByTestId('plan-carryover').locator('[data-interval]').count()).resolves.toBe(3);
    // the outcome of current and recommended side by side, curves per channel
    await expect.poll(() => page.locator('[data-testid="plan-outcomes"] tbody tr').count(), { timeout: 30_000 }).toBe(2);
    await expect(page.locator('[data-testid="plan-curves"] svg').count()).resolves.toBeGreaterThanOrEqual(5);
  });

  it('runs a risk-aware CVaR plan beside the expected one', async () => {
    const { page } = app;
    await page.getByTestId('plan-objective').selectOption('cvar');
    await page.getByTestId('plan-level').fill('10');
    await page.getByTestId('plan-run').click();
    const risk = page.locator('[data-testid="plan-recommendation"][data-objective="CVaR 10%"]');
    await risk.waitFor({ timeout: 60_000 });
    const total = num(await risk.getByTestId('plan-recommended-total').getAttribute('data-value'));
    expect(Math.abs(total - 600_000) / 600_000).toBeLessThan(1e-6);
    await expect(page.locator('[data-testid="plan-recommendation"]').count()).resolves.toBe(2);
    // the tail objective moves money: some channel differs by more than 1% of the budget
    const spends = async (objective: string) =>
      (await page.locator(`[data-testid="plan-recommendation"][data-objective="${objective}"] [data-testid="plan-recommended-spend"]`).allInnerTexts()).map((t) => num(t.replace(/,/g, '')));
    const [a, b] = [await spends('expected'), await spends('CVaR 10%')];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeGreaterThan(6_000);
    // the outcomes are evaluated after the plan returns
    await expect.poll(() => page.locator('[data-testid="plan-outcomes"] tbody tr').count(), { timeout: 30_000 }).toBe(3);
  });

  it('a scenario CSV with a bad cell gets an error naming the row and column; a good one is evaluated', async () => {
    const { page } = app;
    const download = page.waitForEvent('download');
    await page.getByTestId('scenario-template').click();
    const template = await readFile(await (await download).path(), 'utf8');
    const [head] = template.split('\n');
    const channels = head.split(',').slice(1);
    expect(channels).toHaveLength(5);
    const bad = `${head}\nmore tv,${channels.map((_, i) => (i === 1 ? '12k' : '110000')).join(',')}\n`;
    await page.getByTestId('scenario-upload').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await expect(page.getByTestId('scenario-error').innerText()).resolves.toContain(`Row 2, column "${channels[1]}"`);
    const good = `${head}\nflat 120k,${channels.map(() => '120000').join(',')}\n`;
    await page.getByTestId('scenario-upload').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.locator('[data-testid="plan-outcomes"] tr[data-plan="flat 120k"]').waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('scenario-error').count()).resolves.toBe(0);
    await expect(page.locator('[data-testid="plan-outcomes"] tr[data-plan="flat 120k"] [data-interval]').count()).resolves.toBe(2);
  });

  it('downloads the plan CSV with both plans and their totals', async () => {
    const { page } = app;
    const download = page.waitForEvent('download');
    await page.getByTestId('plan-export').click();
    const d = await download;
    expect(d.suggestedFilename()).toBe('plan.csv');
    const lines = (await readFile(await d.path(), 'utf8')).trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^row,objective,metric,current_spend,recommended_spend/);
    const totals = lines.filter((l) => l.startsWith('total,'));
    expect(totals.map((l) => l.split(',')[1])).toEqual(['expected', 'CVaR 10%']);
    for (const t of totals) expect(Math.abs(Number(t.split(',')[4]) - 600_000)).toBeLessThan(1);
  });

  it('looks right (SCREENSHOT=1 writes bench/results/screenshots/plan.png)', async () => {
    if (!process.env.SCREENSHOT) return;
    const { page } = app;
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: 'bench/results/screenshots/plan.png', fullPage: true });
  });

  it('keeps the plans and the scenario with the fit\'s saved run; a decision links to the scenario', async () => {
    const { page } = app;
    await page.click('nav a[href="#/refresh"]');
    const plans = page.getByTestId('run-row').first().getByTestId('run-plans-list');
    await expect.poll(() => plans.innerText(), { timeout: 30_000 }).toMatch(/recommended \(expected\); recommended \(CVaR 10%\); flat 120k/);
    await page.click('nav a[href="#/decisions"]');
    await page.getByTestId('decision-plan').selectOption('scenario-flat-120k');
    await page.getByTestId('decision-text').fill('Flat 120k per channel next quarter');
    await page.getByTestId('decision-owner').fill('Media lead');
    await page.getByTestId('decision-low').fill('1');
    await page.getByTestId('decision-high').fill('2');
    await page.getByTestId('decision-save').click();
    await expect.poll(() => page.getByTestId('decision-scenario-cell').first().innerText(), { timeout: 10_000 }).toBe('flat 120k (saved with the run)');
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
