import * as Plot from '@observablehq/plot';
import { formatCompact } from '../../core/format/number.ts';
import type { FitAnalysis } from '../../core/analysis/analyse-fit.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { formatEstimate, formatShare } from '../../core/format/estimate.ts';
import { BASELINE_GREY, seriesColour } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';
import { weekX, type WeekAxis } from './weeks.ts';
import type { TableData } from './table-data.ts';

/** Name of the grouped baseline series (intercept, trend, seasonality, controls). */
export const BASELINE = 'baseline';

/**
 * Weekly posterior-mean contributions stacked: the baseline parts as one grey area, each channel
 * in its colour (channels in mapping order), with the fitted mean as a dashed line on top.
 */
export function contributionsChart(a: FitAnalysis, weeks: WeekAxis, kpi: string, width: number): Element {
  const channels = a.parts.filter((p) => p.kind === 'channel');
  const series = [BASELINE, ...channels.map((p) => p.name)];
  const rows: { x: Date | number; series: string; value: number }[] = [];
  weeks.values.forEach((x, t) => {
    rows.push({ x, series: BASELINE, value: a.baseline.weekly.mean[t] });
    for (const p of channels) rows.push({ x, series: p.name, value: p.weekly.mean[t] });
  });
  const fitted = weeks.values.map((x, t) => ({ x, y: a.fitted.mean[t] }));
  const colours = [BASELINE_GREY, ...channels.map((p) => seriesColour(p.index))];
  const legend = legendMarks(
    [...series.map((s, i) => ({ label: s, colour: colours[i], kind: 'swatch' as const })), { label: 'fitted mean', colour: '#000000', kind: 'dashed' }],
    width,
    56,
  );
  return Plot.plot({
    width,
    height: 360,
    marginLeft: 56,
    marginTop: legend.marginTop,
    ...weekX(weeks),
    y: { label: `${kpi} per week (posterior mean)`, grid: true, tickFormat: formatCompact },
    color: { domain: series, range: colours },
    marks: [
      Plot.areaY(rows, { x: 'x', y: 'value', z: 'series', fill: 'series', order: series, fillOpacity: 0.85 }),
      Plot.lineY(fitted, { x: 'x', y: 'y', stroke: '#000000', strokeDasharray: '4,3', strokeWidth: 1.2 }),
      Plot.ruleY([0]),
      ...legend.marks,
    ],
  });
}

/**
 * Totals over the sample per series (shown with intervals); the CSV has every week's mean and
 * 90% band of every series.
 */
export function contributionsTable(a: FitAnalysis, weeks: WeekAxis): TableData {
  const channels = a.parts.filter((p) => p.kind === 'channel');
  const sums = [{ name: BASELINE, sum: a.baseline }, ...channels.map((p) => ({ name: p.name, sum: p }))];
  const rows: CsvCell[][] = sums.map(({ name, sum }) => [name, formatEstimate(sum.total), formatShare(sum.share)]);
  const csvColumns = ['week', ...sums.flatMap(({ name }) => [`${name}_mean`, `${name}_q05`, `${name}_q95`]), 'fitted_mean'];
  const csvRows: CsvCell[][] = weeks.values.map((_, t) => [
    weeks.cell(t),
    ...sums.flatMap(({ sum }) => [sum.weekly.mean[t], sum.weekly.q05[t], sum.weekly.q95[t]]),
    a.fitted.mean[t],
  ]);
  return { columns: ['series', 'total over the sample', 'share of the fitted total'], rows, csv: { columns: csvColumns, rows: csvRows } };
}
