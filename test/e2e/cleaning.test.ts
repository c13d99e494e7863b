import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openApp, offOrigin, type AppPage, loadFile } from './browser.ts';

// Issue 13 on the built app: a KPI spike in an ordinary week is flagged; "cap this week" writes
// the config (the downloaded YAML holds it and an upload restores it) and the lineage records
// it; the Fit screen fits the raw table beside the cleaned one and shows ROI with intervals for
// both. On the plain Robyn demo the Checks screen says no week was capped.

const SPIKE_WEEK = '2017-02-06'; // no event; every channel's spend within 1.4 robust z of its median

/** The Robyn CSV with revenue x4 in SPIKE_WEEK. */
function spikedCsv(): Buffer {
  const lines = readFileSync('public/demo/robyn_simulated_weekly.csv', 'utf8').trim().split(/\r?\n/);
  const out = lines.map((l) => {
    if (!l.startsWith(`"${SPIKE_WEEK}"`)) return l;
    const cells = l.split(',');
    cells[1] = String(Number(cells[1]) * 4);
    return cells.join(',');
  });
  if (out.join('\n') === lines.join('\n')) throw new Error(`no week ${SPIKE_WEEK} in the demo`);
  return Buffer.from(out.join('\n'));
}

describe('one KPI spike: flagged, capped in one click, raw vs cleaned ROI', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  async function downloadYaml(): Promise<string> {
    const [dl] = await Promise.all([app.page.waitForEvent('download'), app.page.getByTestId('config-download').click()]);
    return readFileSync((await dl.path())!, 'utf8');
  }
  const row = () => app.page.locator(`[data-testid="flagged-week"][data-date="${SPIKE_WEEK}"]`);

  it('lists the spike week as flagged, with its robust z, cap value and status', async () => {
    const { page } = app;
    await expect(loadFile(page, { name: 'spike.csv', mimeType: 'text/csv', buffer: spikedCsv() })).resolves.toBe('208');
    await page.getByTestId('go-checks').click();
    await page.getByTestId('checks-ready').waitFor({ timeout: 90_000 });
    await expect(page.getByTestId('flagged-week').count()).resolves.toBe(1);
    const text = await row().innerText();
    expect(text).toContain('capped by the default rule');
    expect(text).toContain('no promotion, event or spend burst explains it');
    // robust z 5.9 (value 7.26M against a median of 1.89M)
    const z = Number((await row().locator('td').nth(4).innerText()).replace(/,/g, ''));
    expect(z).toBeGreaterThan(3.5);
  });

  it('"cap this week" writes cap_weeks (the YAML holds it), cleans again and the lineage says why', async () => {
    const { page } = app;
    await row().getByTestId('cap-week').click();
    await row().getByTestId('uncap-week').waitFor({ timeout: 90_000 });
    await expect(row().getByTestId('flagged-status').innerText()).resolves.toContain('you asked: cap_weeks');
    const lineage = page.locator('[data-testid="lineage"] tr[data-rule="cap_flagged"]');
    await expect(lineage.innerText()).resolves.toContain(`${SPIKE_WEEK} (robust z 5.9), asked in cap_weeks`);
    const yaml = await downloadYaml();
    expect(yaml).toMatch(new RegExp(`cap_weeks:\\s*\\n\\s*- ['"]?${SPIKE_WEEK}`));

    // undo: the entry leaves the config
    await row().getByTestId('uncap-week').click();
    await row().getByTestId('cap-week').waitFor({ timeout: 90_000 });
    expect(await downloadYaml()).not.toContain(SPIKE_WEEK);

    // the round trip: uploading the downloaded YAML puts the cap back
    await page.getByTestId('config-upload').setInputFiles({ name: 'spike.carryover.yaml', mimeType: 'text/yaml', buffer: Buffer.from(yaml) });
    await page.getByTestId('config-loaded').waitFor({ timeout: 30_000 });
    await row().getByTestId('uncap-week').waitFor({ timeout: 90_000 });
    await expect(page.locator('[data-testid="lineage"] tr[data-rule="cap_flagged"]').innerText()).resolves.toContain('asked in cap_weeks');
  });

  it('the Fit screen fits the raw table beside the cleaned one (same seed), with cancel, and shows ROI intervals for both', async () => {
    const { page } = app;
    await page.getByTestId('checks-ready').waitFor({ timeout: 90_000 });
    await page.getByTestId('go-fit').click();
    const set = async (label: string, v: string) => page.locator('form.settings label', { hasText: label }).locator('input').fill(v);
    await set('chains', '2');
    await set('warmup', '100');
    await set('draws', '100');
    const cmp = page.getByTestId('clean-compare');
    await expect(cmp.innerText()).resolves.toContain('Also fit the raw table (same seed)');

    // progress and cancel for both fits
    await page.getByTestId('compare-start').click();
    await page.locator('[data-testid="compare-raw"][data-phase="running"]').waitFor({ timeout: 60_000 });
    await page.getByTestId('compare-cancel').click();
    await page.locator('[data-testid="compare-raw"][data-phase="cancelled"]').waitFor({ timeout: 5_000 });
    await page.locator('[data-testid="compare-cleaned"][data-phase="cancelled"]').waitFor({ timeout: 5_000 });

    await page.getByTestId('compare-start').click();
    await page.locator('[data-testid="roi-compare-table"], [data-testid="compare-error"]').first().waitFor({ timeout: 280_000 });
    await expect(page.getByTestId('compare-error').count()).resolves.toBe(0);
    const table = page.getByTestId('roi-compare-table');
    const head = await table.locator('thead th').allInnerTexts();
    for (const v of ['cleaned', 'raw']) for (const c of ['median', '50% low', '50% high', '90% low', '90% high']) expect(head).toContain(`${v} ${c}`);
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.map((r) => r[0]).sort()).toEqual(['facebook', 'ooh', 'print', 'search', 'tv']);
    for (const r of rows) {
      const n = r.slice(1).map((s) => Number(s.replace(/,/g, '')));
      expect(n.every(Number.isFinite)).toBe(true);
      // per table: 90% low <= 50% low <= median <= 50% high <= 90% high
      for (const o of [0, 5]) expect([n[o + 3]! <= n[o + 1]!, n[o + 1]! <= n[o]!, n[o]! <= n[o + 2]!, n[o + 2]! <= n[o + 4]!]).toEqual([true, true, true, true]);
    }
    await expect(page.locator('[data-testid="roi-compare-chart"] svg').count()).resolves.toBeGreaterThan(0);
  }, 400_000);

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});

describe('the plain Robyn demo', () => {
  const baseUrl = inject('baseUrl');
  let app: AppPage;
  beforeAll(async () => {
    app = await openApp(baseUrl, '#/data');
  });
  afterAll(async () => app?.close());

  it('the Checks screen says no KPI week was capped', async () => {
    const { page } = app;
    await page.getByTestId('demo-robyn_simulated_weekly').click();
    await page.getByTestId('go-checks').click({ timeout: 60_000 });
    await page.getByTestId('checks-ready').waitFor({ timeout: 90_000 });
    await expect(page.getByTestId('flagged-summary').innerText()).resolves.toMatch(/No KPI week is an outlier \(robust z beyond 3\.5\): no week capped/);
    await expect(page.locator('[data-testid="lineage"] tr[data-rule="cap_flagged"]').innerText()).resolves.toContain('No week of "revenue" capped');
  });

  it('makes no off-origin request and logs no page error', () => {
    expect(offOrigin(app.requests, baseUrl)).toEqual([]);
    expect(app.errors).toEqual([]);
  });
});
