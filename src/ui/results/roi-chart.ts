import * as Plot from '@observablehq/plot';
import type { ChannelAnalysis, FitAnalysis } from '../../core/analysis/analyse-fit.ts';
import { ROI_UNIT_LABELS } from '../../core/analysis/roi.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { formatEstimate, formatInterval50 } from '../../core/format/estimate.ts';
import { seriesColour } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';
import { marginFor } from './weeks.ts';
import { estimateCells, estimateColumns, type TableData } from './table-data.ts';

/** The two panels of the forest plot. */
export const ROI_PANELS = ['ROI', 'marginal ROI'] as const;

/**
 * Forest plot: each channel's ROI and marginal ROI (side by side, one x scale) with the 50%
 * (thick) and 90% (thin) intervals and the mean (dot); a rule at break-even (1) when ROI is
 * revenue per unit of spend, at 0 otherwise.
 */
export function roiChart(a: FitAnalysis, width: number): Element {
  const rows = a.channels.flatMap((c, i) =>
    ([['ROI', c.roi], ['marginal ROI', c.mroi]] as const).map(([panel, e]) => ({ channel: c.name, i, panel, ...e })),
  );
  const names = a.channels.map((c) => c.name);
  const marginLeft = marginFor(names);
  const legend = legendMarks(
    [
      { label: 'mean', colour: '#000000', kind: 'dot' },
      { label: '50% interval', colour: '#000000', kind: 'thick' },
      { label: '90% interval', colour: '#000000', kind: 'line' },
    ],
    width,
    marginLeft,
    24,
  );
  const breakEven = a.roiUnit === 'revenue-per-spend' ? 1 : 0;
  return Plot.plot({
    width,
    height: legend.marginTop + 60 + 34 * names.length,
    marginLeft,
    marginRight: 16,
    marginTop: legend.marginTop,
    x: { label: ROI_UNIT_LABELS[a.roiUnit], grid: true, nice: true },
    y: { label: null, domain: names },
    fx: { label: null, domain: [...ROI_PANELS], padding: 0.12 },
    color: { domain: names, range: a.channels.map((_, i) => seriesColour(i)) },
    marks: [
      Plot.frame({ stroke: '#d7dce1' }),
      Plot.ruleX([breakEven], { stroke: '#5d6873', strokeDasharray: '4,3' }),
      Plot.ruleY(rows, { fx: 'panel', y: 'channel', x1: 'q05', x2: 'q95', stroke: 'channel', strokeWidth: 1.5 }),
      Plot.ruleY(rows, { fx: 'panel', y: 'channel', x1: 'q25', x2: 'q75', stroke: 'channel', strokeWidth: 6 }),
      Plot.dot(rows, { fx: 'panel', y: 'channel', x: 'mean', fill: 'white', stroke: '#000000', r: 3.5 }),
      ...legend.marks,
    ],
  });
}

const prior = (c: ChannelAnalysis) => (c.priorRoi ? formatEstimate(c.priorRoi) : 'not computed');

/** Per channel: ROI and marginal ROI with intervals, prior ROI, cost per KPI (count KPIs). */
export function roiTable(a: FitAnalysis): TableData {
  const count = a.kpiKind === 'count';
  const columns = ['channel', 'ROI [90%]', 'ROI 50%', 'marginal ROI [90%]', 'prior ROI [90%]', ...(count ? ['cost per KPI [90%]'] : [])];
  const rows: CsvCell[][] = a.channels.map((c) => [
    c.name,
    formatEstimate(c.roi),
    formatInterval50(c.roi),
    formatEstimate(c.mroi),
    prior(c),
    ...(count ? [c.costPerKpi ? formatEstimate(c.costPerKpi) : ''] : []),
  ]);
  const csvColumns = ['channel', 'roi_unit', ...estimateColumns('roi'), ...estimateColumns('mroi'), ...estimateColumns('prior_roi'), ...estimateColumns('cost_per_kpi'), 'spend_total'];
  const csvRows: CsvCell[][] = a.channels.map((c) => [
    c.name,
    ROI_UNIT_LABELS[a.roiUnit],
    ...estimateCells(c.roi),
    ...estimateCells(c.mroi),
    ...estimateCells(c.priorRoi),
    ...estimateCells(c.costPerKpi),
    c.spendTotal,
  ]);
  return { columns, rows, csv: { columns: csvColumns, rows: csvRows } };
}
