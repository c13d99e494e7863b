import * as Plot from '@observablehq/plot';
import { formatCompact } from '../../core/format/number.ts';
import type { FitAnalysis } from '../../core/analysis/analyse-fit.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { OKABE_ITO } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';
import { weekX, type WeekAxis } from './weeks.ts';
import type { TableData } from './table-data.ts';

const FIT = OKABE_ITO[0];

/** The 90% posterior predictive interval per week (a new week's KPI: noise included), from the evaluation. */
export interface PredictiveBand {
  q05: ArrayLike<number>;
  q95: ArrayLike<number>;
}

/** Predictive band of the evaluation's fit-vs-actual rows. */
export function predictiveBand(band: readonly { q05: number; q95: number }[]): PredictiveBand {
  return { q05: band.map((b) => b.q05), q95: band.map((b) => b.q95) };
}

/**
 * Observed KPI per week (dots) against the fitted mean (line) with its 50% and 90% bands, and,
 * when given, the wider 90% predictive interval in grey.
 * @param kpi the KPI's name, for the axis label
 */
export function fitChart(a: FitAnalysis, weeks: WeekAxis, kpi: string, width: number, predictive?: PredictiveBand): Element {
  const rows = weeks.values.map((x, t) => ({
    p05: predictive?.q05[t] ?? NaN,
    p95: predictive?.q95[t] ?? NaN,
    x,
    observed: a.observed[t],
    mean: a.fitted.mean[t],
    q05: a.fitted.q05[t],
    q25: a.fitted.q25[t],
    q75: a.fitted.q75[t],
    q95: a.fitted.q95[t],
  }));
  const legend = legendMarks(
    [
      { label: 'observed', colour: '#000000', kind: 'dot' },
      { label: 'fitted mean', colour: FIT, kind: 'line' },
      { label: '50% band', colour: FIT, kind: 'swatch', opacity: 0.4 },
      { label: '90% band', colour: FIT, kind: 'swatch', opacity: 0.15 },
      ...(predictive ? [{ label: '90% predictive interval (a new week)', colour: '#000000', kind: 'swatch' as const, opacity: 0.1 }] : []),
    ],
    width,
    56,
  );
  return Plot.plot({
    width,
    height: 360,
    marginLeft: 56,
    marginTop: legend.marginTop,
    ...weekX(weeks),
    y: { label: `${kpi} per week`, grid: true, tickFormat: formatCompact },
    marks: [
      ...(predictive ? [Plot.areaY(rows, { x: 'x', y1: 'p05', y2: 'p95', fill: '#000000', fillOpacity: 0.1 })] : []),
      Plot.areaY(rows, { x: 'x', y1: 'q05', y2: 'q95', fill: FIT, fillOpacity: 0.15 }),
      Plot.areaY(rows, { x: 'x', y1: 'q25', y2: 'q75', fill: FIT, fillOpacity: 0.4 }),
      Plot.lineY(rows, { x: 'x', y: 'mean', stroke: FIT, strokeWidth: 1.5 }),
      Plot.dot(rows, { x: 'x', y: 'observed', r: 1.8, fill: '#000000' }),
      ...legend.marks,
    ],
  });
}

/** The fit per week: observed, fitted mean, 50% and 90% band ends (and the predictive interval when given). */
export function fitTable(a: FitAnalysis, weeks: WeekAxis, predictive?: PredictiveBand): TableData {
  const columns = ['week', 'observed', 'fitted mean', '5%', '25%', '75%', '95%', ...(predictive ? ['predictive 5%', 'predictive 95%'] : [])];
  const rows: CsvCell[][] = weeks.values.map((_, t) => [
    weeks.cell(t),
    a.observed[t],
    a.fitted.mean[t],
    a.fitted.q05[t],
    a.fitted.q25[t],
    a.fitted.q75[t],
    a.fitted.q95[t],
    ...(predictive ? [predictive.q05[t], predictive.q95[t]] : []),
  ]);
  return { columns, rows };
}
