import * as Plot from '@observablehq/plot';
import { formatCompact } from '../../core/format/number.ts';
import type { FitAnalysis } from '../../core/analysis/analyse-fit.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { formatEstimate, formatInterval50, formatShare } from '../../core/format/estimate.ts';
import { BASELINE_GREY, seriesColour } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';
import { marginFor } from './weeks.ts';
import { estimateCells, estimateColumns, type TableData } from './table-data.ts';

/** Label of the waterfall's last bar. */
export const FITTED_TOTAL = 'fitted total';

interface Step {
  name: string;
  group: string;
  start: number;
  end: number;
  /** interval ends of the step's own total, placed at the running sum */ q05: number;
  q25: number;
  q75: number;
  q95: number;
}

/** The steps: each part from the running sum of the means before it, then the fitted total from 0. */
function steps(a: FitAnalysis): Step[] {
  let at = 0;
  const out: Step[] = a.parts.map((p) => {
    const start = at;
    at += p.total.mean;
    const group = p.kind === 'channel' ? p.name : 'baseline parts';
    return { name: p.name, group, start, end: at, q05: start + p.total.q05, q25: start + p.total.q25, q75: start + p.total.q75, q95: start + p.total.q95 };
  });
  const f = a.fittedTotal;
  out.push({ name: FITTED_TOTAL, group: FITTED_TOTAL, start: 0, end: f.mean, q05: f.q05, q25: f.q25, q75: f.q75, q95: f.q95 });
  return out;
}

/**
 * Waterfall of the KPI over the sample: baseline parts (grey) and channels (their colours) add up
 * to the fitted total; each bar carries its own 50% (thick) and 90% (thin) interval at its end,
 * and the observed total is marked on the last bar.
 */
export function waterfallChart(a: FitAnalysis, kpi: string, width: number): Element {
  const data = steps(a);
  const channels = a.parts.filter((p) => p.kind === 'channel');
  const groups = ['baseline parts', ...channels.map((p) => p.name), FITTED_TOTAL];
  const colours = [BASELINE_GREY, ...channels.map((p) => seriesColour(p.index)), '#3b3b3b'];
  const marginLeft = marginFor(data.map((d) => d.name));
  const legend = legendMarks(
    [
      ...groups.map((g, i) => ({ label: g, colour: colours[i], kind: 'swatch' as const })),
      { label: '50% interval', colour: '#000000', kind: 'thick' },
      { label: '90% interval', colour: '#000000', kind: 'line' },
      { label: 'observed total', colour: '#D55E00', kind: 'dot' },
    ],
    width,
    marginLeft,
  );
  return Plot.plot({
    width,
    height: legend.marginTop + 40 + 26 * data.length,
    marginLeft,
    marginRight: 20,
    marginTop: legend.marginTop,
    x: { label: `${kpi}, total over ${a.weeks} weeks`, grid: true, tickFormat: formatCompact },
    y: { label: null, domain: data.map((d) => d.name) },
    color: { domain: groups, range: colours },
    marks: [
      Plot.barX(data, { y: 'name', x1: 'start', x2: 'end', fill: 'group', insetTop: 3, insetBottom: 3 }),
      Plot.ruleY(data, { y: 'name', x1: 'q05', x2: 'q95', stroke: '#000000', strokeWidth: 1.2 }),
      Plot.ruleY(data, { y: 'name', x1: 'q25', x2: 'q75', stroke: '#000000', strokeWidth: 4 }),
      Plot.dot([{ name: FITTED_TOTAL, x: a.observedTotal }], { y: 'name', x: 'x', fill: '#D55E00', r: 4, symbol: 'diamond' }),
      Plot.ruleX([0]),
      ...legend.marks,
    ],
  });
}

/** Every part's total with intervals and share, the fitted total (the sum) and the observed total. */
export function waterfallTable(a: FitAnalysis): TableData {
  const rows: CsvCell[][] = a.parts.map((p) => [p.name, formatEstimate(p.total), formatInterval50(p.total), formatShare(p.share)]);
  rows.push([FITTED_TOTAL, formatEstimate(a.fittedTotal), formatInterval50(a.fittedTotal), '100%']);
  rows.push(['observed total', a.observedTotal, 'observed: no interval', '']);
  const columns = ['part', 'kind', ...estimateColumns('total'), 'share_mean', 'share_q05', 'share_q95'];
  const csvRows: CsvCell[][] = a.parts.map((p) => [p.name, p.kind, ...estimateCells(p.total), p.share.mean, p.share.q05, p.share.q95]);
  csvRows.push([FITTED_TOTAL, 'total', ...estimateCells(a.fittedTotal), 1, 1, 1]);
  csvRows.push(['observed total', 'observed', a.observedTotal, a.observedTotal, null, null, null, null, null, null, null, null]);
  return { columns: ['part', 'total [90%]', '50%', 'share of the fitted total'], rows, csv: { columns, rows: csvRows } };
}
