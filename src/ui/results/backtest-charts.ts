import * as Plot from '@observablehq/plot';
import type { BacktestResult } from '../../core/evaluation/backtest.ts';
import type { HeldOutEvaluation } from '../../core/evaluation/holdout.ts';
import type { FitMetrics } from '../../core/evaluation/metrics.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { formatCompact, formatNumber } from '../../core/format/number.ts';
import { OKABE_ITO } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';
import { weekAxis, weekX } from './weeks.ts';
import type { TableData } from './table-data.ts';

const FORECAST = OKABE_ITO[4];
const pct = (v: number) => (Number.isFinite(v) ? `${formatNumber(v * 100, 3)}%` : 'n/a');

/** Training weeks shown before the held-out ones, for context. */
export const CONTEXT_WEEKS = 26;

/** How each refit converged, as the table shows it (see BacktestState.refits). */
export interface RefitRow {
  fold: number;
  maxRhat: number;
  divergences: number;
  draws: number;
}

/**
 * Accuracy and 50 / 80 / 90% prediction-interval coverage of every split, in sample (its training
 * weeks) and out of sample (its held-out weeks), the pooled out-of-sample summary and the main
 * fit's in-sample numbers beside them. One row per split and sample.
 * @param main the main fit's in-sample metrics (null while its evaluation runs)
 */
export function backtestTable(r: BacktestResult, refits: readonly RefitRow[], main: FitMetrics | null): TableData {
  const levels = (main ?? r.folds[0]?.outOfSample)?.coverage.map((c) => c.level) ?? [0.5, 0.8, 0.9];
  const columns = ['split', 'sample', 'weeks', 'dates', 'MAPE', 'R²', 'NRMSE', ...levels.map((l) => `${pct(l)} coverage`), 'refit R-hat max', 'divergences'];
  const csvColumns = ['split', 'sample', 'weeks', 'first_week', 'last_week', 'mape', 'r2', 'nrmse', ...levels.map((l) => `coverage_${l}`), 'refit_rhat_max', 'refit_divergences'];
  const rows: CsvCell[][] = [];
  const csv: CsvCell[][] = [];
  const add = (split: string, sample: string, m: Pick<FitMetrics, 'mape' | 'r2' | 'nrmse' | 'coverage'> & { weeks: number }, dates: [string, string] | null, refit: RefitRow | null) => {
    const cov = levels.map((l) => m.coverage.find((c) => Math.abs(c.level - l) < 1e-9)?.share ?? NaN);
    rows.push([split, sample, m.weeks, dates ? `${dates[0]} to ${dates[1]}` : '', pct(m.mape), formatNumber(m.r2, 3), formatNumber(m.nrmse, 3), ...cov.map(pct), refit ? formatNumber(refit.maxRhat, 4) : '', refit?.divergences ?? '']);
    csv.push([split, sample, m.weeks, dates?.[0] ?? null, dates?.[1] ?? null, m.mape, m.r2, m.nrmse, ...cov, refit?.maxRhat ?? null, refit?.divergences ?? null]);
  };
  if (main) add('full fit', 'in sample', main, null, null);
  r.folds.forEach((f, i) => {
    const name = r.kind === 'holdout' ? 'holdout' : `fold ${f.fold + 1}`;
    const refit = refits.find((x) => x.fold === f.fold) ?? refits[i] ?? null;
    add(name, 'in sample', f.inSample, f.trainDates, refit);
    add(name, 'out of sample', f.outOfSample, f.testDates, null);
  });
  if (r.summary && r.folds.length > 1) {
    const s = r.summary;
    add(`pooled (${s.folds} folds)`, 'out of sample', { weeks: s.testWeeks, mape: s.mape, r2: s.r2, nrmse: s.nrmse, coverage: s.coverage }, null, null);
  }
  return { columns, rows, csv: { columns: csvColumns, rows: csv } };
}

/**
 * The held-out weeks of one split: actual KPI (dots) against the forecast's posterior mean and
 * its 50% / 90% prediction bands, after the last CONTEXT_WEEKS training weeks (in-sample fit of
 * the same refit); the held-out region is shaded and starts at the dashed line.
 * @param kpi the KPI's name, for the axis label
 */
export function heldOutChart(ev: HeldOutEvaluation, kpi: string, width: number): Element {
  const from = Math.max(0, ev.nTrain - CONTEXT_WEEKS);
  const band = ev.band.slice(from);
  const weeks = weekAxis(band.map((b) => b.date), band.length);
  const rows = band.map((b, i) => ({ ...b, x: weeks.values[i] }));
  const start = weeks.values[ev.nTrain - from];
  const end = weeks.values[weeks.values.length - 1];
  const legend = legendMarks(
    [
      { label: 'actual', colour: '#000000', kind: 'dot' },
      { label: 'forecast mean', colour: FORECAST, kind: 'line' },
      { label: '50% prediction band', colour: FORECAST, kind: 'swatch', opacity: 0.4 },
      { label: '90% prediction band', colour: FORECAST, kind: 'swatch', opacity: 0.15 },
      { label: 'held-out weeks', colour: '#5d6873', kind: 'swatch', opacity: 0.12 },
    ],
    width,
    56,
  );
  return Plot.plot({
    width,
    height: 320,
    marginLeft: 56,
    marginTop: legend.marginTop,
    ...weekX(weeks),
    y: { label: `${kpi} per week`, grid: true, tickFormat: formatCompact },
    marks: [
      Plot.rectX([{ x1: start, x2: end }], { x1: 'x1', x2: 'x2', fill: '#5d6873', fillOpacity: 0.12 }),
      Plot.ruleX([start], { stroke: '#5d6873', strokeDasharray: '4,3' }),
      Plot.areaY(rows, { x: 'x', y1: 'q05', y2: 'q95', fill: FORECAST, fillOpacity: 0.15 }),
      Plot.areaY(rows, { x: 'x', y1: 'q25', y2: 'q75', fill: FORECAST, fillOpacity: 0.4 }),
      Plot.lineY(rows, { x: 'x', y: 'mean', stroke: FORECAST, strokeWidth: 1.5 }),
      Plot.dot(rows, { x: 'x', y: 'actual', r: 2, fill: '#000000' }),
      ...legend.marks,
    ],
  });
}

/** The held-out weeks of one split: actual, forecast mean, 50% / 90% prediction band ends, and whether the actual is inside each. */
export function heldOutTable(ev: HeldOutEvaluation): TableData {
  const test = ev.band.slice(ev.nTrain);
  const inside = (a: number, lo: number, hi: number) => (a >= lo && a <= hi ? 'yes' : 'no');
  return {
    columns: ['week', 'actual', 'forecast mean', '5%', '25%', '75%', '95%', 'in 50%', 'in 90%'],
    rows: test.map((b) => [b.date, b.actual, b.mean, b.q05, b.q25, b.q75, b.q95, inside(b.actual, b.q25, b.q75), inside(b.actual, b.q05, b.q95)]),
  };
}

/** Seconds as a short duration for the cost estimate: `40 s`, `3 min`, `1.5 h`. */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return 'unknown';
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${formatNumber(s / 3600, 2)} h`;
}
