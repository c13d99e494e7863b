import type { Page } from 'playwright-core';

/** Charts of the Results screen that must draw an SVG and fill their table (test ids). */
const CHARTS = ['results-fit', 'results-contributions', 'results-waterfall', 'results-roi', 'results-adstock', 'results-ppc', 'results-loo'];

/**
 * Every item of the Results screen (issue 8) on a finished analysis and evaluation: the headline
 * numbers with intervals, each chart with its table, one response curve and one identifiability
 * verdict per channel, the health card, in-sample accuracy, prior vs posterior, and the holdout
 * ready to run. Waits for the evaluation to end.
 * @returns what is missing or wrong, one line each (empty when all is there)
 */
export async function missingResultsItems(page: Page, channels: number): Promise<string[]> {
  const missing: string[] = [];
  await page.getByTestId('results-done').waitFor({ timeout: 120_000 });
  await page.getByTestId('results-health').waitFor({ timeout: 120_000 });
  const interval = /^-?[\d.,]+(e[+-]?\d+)?%? \[-?[\d.,]+(e[+-]?\d+)?%?, -?[\d.,]+(e[+-]?\d+)?%?\] 90%$/;
  const share = (await page.getByTestId('results-media-share').innerText()).trim();
  if (!interval.test(share)) missing.push(`media share without its interval: "${share}"`);
  const ids = [...CHARTS, ...Array.from({ length: channels }, (_, c) => `results-response-${c}`)];
  for (const id of ids) {
    if ((await page.getByTestId(id).locator('svg').count()) === 0) missing.push(`${id}: no chart`);
    if ((await page.getByTestId(`${id}-table`).locator('tbody tr').count()) === 0) missing.push(`${id}: empty table`);
  }
  const roiCells = await page.getByTestId('results-roi-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[1]?.textContent?.trim() ?? ''));
  if (roiCells.length !== channels) missing.push(`ROI table has ${roiCells.length} rows for ${channels} channels`);
  for (const c of roiCells) if (!interval.test(c)) missing.push(`ROI without its interval: "${c}"`);
  const verdicts = await page.getByTestId('results-identifiability').locator('li').count();
  if (verdicts !== channels) missing.push(`identifiability: ${verdicts} verdicts for ${channels} channels`);
  const checks = await page.getByTestId('results-health').locator('li[data-check-id]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-check-id')));
  for (const id of ['fit.rhat', 'eval.mape', 'eval.coverage', 'eval.pareto_k', 'eval.ppc']) if (!checks.includes(id)) missing.push(`health card: no ${id}`);
  if ((await page.getByTestId('results-accuracy').locator('tbody tr').count()) < 6) missing.push('in-sample accuracy table incomplete');
  if ((await page.getByTestId('results-contraction').locator('tbody tr').count()) === 0) missing.push('prior vs posterior table empty');
  if ((await page.getByTestId('backtest-run').count()) === 0) missing.push(`holdout not offered: ${await page.getByTestId('backtest-unavailable').innerText().catch(() => '?')}`);
  return missing;
}

/** Pairs of text labels that overlap inside any chart's SVG on the page (legends, axis labels, ticks, facet names), as "chart: a / b". */
export async function overlappingLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const fig of document.querySelectorAll('figure.chart')) {
      const svg = fig.querySelector('.plot svg');
      if (!svg) continue;
      const boxes = Array.from(svg.querySelectorAll('text'))
        .map((t) => ({ t: t.textContent ?? '', r: t.getBoundingClientRect() }))
        .filter((b) => b.t.trim() && b.r.width > 0);
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r;
          const b = boxes[j].r;
          // 1 px of slack: glyph boxes of neighbouring ticks may touch
          if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
            out.push(`${fig.querySelector('strong')?.textContent}: "${boxes[i].t}" / "${boxes[j].t}"`);
          }
        }
      }
    }
    return out;
  });
}
