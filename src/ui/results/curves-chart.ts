import * as Plot from '@observablehq/plot';
import type { ChannelAnalysis, FitAnalysis } from '../../core/analysis/analyse-fit.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { formatEstimate } from '../../core/format/estimate.ts';
import { formatCompact, formatNumber } from '../../core/format/number.ts';
import { seriesColour } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';
import type { TableData } from './table-data.ts';

/**
 * A channel's steady-state response curve: weekly KPI against weekly spend with 50% and 90%
 * bands; the current average spend marked; spend beyond the largest observed week shaded and the
 * curve dashed there (extrapolation).
 * @param i the channel's index (its colour)
 */
export function responseChart(c: ChannelAnalysis, i: number, kpi: string, width: number): Element {
  const r = c.responseCurve;
  const rows = Array.from(r.spend, (spend, j) => ({
    spend,
    mean: r.response.mean[j],
    q05: r.response.q05[j],
    q25: r.response.q25[j],
    q75: r.response.q75[j],
    q95: r.response.q95[j],
    beyond: r.beyondObserved[j] === 1,
  }));
  // the observed part ends at the first level past the largest week, so the two lines join
  const firstBeyond = rows.findIndex((d) => d.beyond);
  const observed = firstBeyond < 0 ? rows : rows.slice(0, firstBeyond + 1);
  const beyond = firstBeyond < 0 ? [] : rows.slice(Math.max(0, firstBeyond - 1));
  const colour = seriesColour(i);
  const legend = legendMarks(
    [
      { label: 'mean', colour, kind: 'line' },
      { label: '50% band', colour, kind: 'swatch', opacity: 0.4 },
      { label: '90% band', colour, kind: 'swatch', opacity: 0.15 },
      { label: 'current average spend', colour: '#000000', kind: 'dot' },
      { label: 'beyond observed spend', colour: '#5d6873', kind: 'swatch', opacity: 0.15 },
    ],
    width,
    56,
  );
  const maxSpend = r.spend[r.spend.length - 1];
  return Plot.plot({
    width,
    height: 300,
    marginLeft: 56,
    marginTop: legend.marginTop,
    x: { label: `${c.name}: weekly spend (currency)`, tickFormat: formatCompact, grid: true },
    y: { label: `${kpi} per week`, tickFormat: formatCompact, grid: true },
    marks: [
      Plot.rectX([{ x1: r.maxObserved, x2: maxSpend }], { x1: 'x1', x2: 'x2', fill: '#5d6873', fillOpacity: 0.1 }),
      Plot.text([{ x: (r.maxObserved + maxSpend) / 2 }], { x: 'x', frameAnchor: 'top', dy: 6, text: () => 'beyond observed spend', fill: '#5d6873' }),
      Plot.areaY(rows, { x: 'spend', y1: 'q05', y2: 'q95', fill: colour, fillOpacity: 0.15 }),
      Plot.areaY(rows, { x: 'spend', y1: 'q25', y2: 'q75', fill: colour, fillOpacity: 0.4 }),
      Plot.lineY(observed, { x: 'spend', y: 'mean', stroke: colour, strokeWidth: 2 }),
      Plot.lineY(beyond, { x: 'spend', y: 'mean', stroke: colour, strokeWidth: 2, strokeDasharray: '5,4' }),
      Plot.ruleX([r.current], { stroke: '#000000', strokeDasharray: '2,3' }),
      Plot.ruleX([r.atCurrent], { x: () => r.current, y1: 'q05', y2: 'q95', stroke: '#000000', strokeWidth: 1.5 }),
      Plot.dot([r.atCurrent], { x: () => r.current, y: 'mean', fill: '#000000', r: 4 }),
      Plot.ruleY([0]),
      ...legend.marks,
    ],
  });
}

/** A line under a response curve: the current spend and the response there, with its interval. */
export function responseCaption(c: ChannelAnalysis, kpi: string): string {
  const r = c.responseCurve;
  return `At the current average weekly spend of ${formatNumber(r.current, 4)}: ${formatEstimate(r.atCurrent)} ${kpi} per week (steady state). Largest observed week: ${formatNumber(r.maxObserved, 4)}.`;
}

/** The curve's points: spend, response with its 90% interval, and whether it is beyond observed spend. */
export function responseTable(c: ChannelAnalysis): TableData {
  const r = c.responseCurve;
  const rows: CsvCell[][] = Array.from(r.spend, (s, j) => [
    s,
    formatEstimate({ mean: r.response.mean[j], q05: r.response.q05[j], q25: r.response.q25[j], q75: r.response.q75[j], q95: r.response.q95[j] }),
    r.beyondObserved[j] ? 'yes' : 'no',
  ]);
  const csvRows: CsvCell[][] = Array.from(r.spend, (s, j) => [
    s,
    r.response.mean[j],
    r.response.q05[j],
    r.response.q25[j],
    r.response.q50[j],
    r.response.q75[j],
    r.response.q95[j],
    r.beyondObserved[j],
  ]);
  return {
    columns: ['weekly spend', 'response per week [90%]', 'beyond observed'],
    rows,
    csv: { columns: ['weekly_spend', 'mean', 'q05', 'q25', 'q50', 'q75', 'q95', 'beyond_observed'], rows: csvRows },
  };
}

/**
 * Adstock decay per channel (one panel each, shared axes): the share of a week's spend effect at
 * each lag, with 50% and 90% bands.
 */
export function adstockChart(a: FitAnalysis, width: number): Element {
  const rows = a.channels.flatMap((c, i) =>
    Array.from(c.adstock.weights.mean, (mean, lag) => ({
      channel: c.name,
      i,
      lag,
      mean,
      q05: c.adstock.weights.q05[lag],
      q25: c.adstock.weights.q25[lag],
      q75: c.adstock.weights.q75[lag],
      q95: c.adstock.weights.q95[lag],
    })),
  );
  const names = a.channels.map((c) => c.name);
  const legend = legendMarks(
    [
      { label: 'mean', colour: '#000000', kind: 'line' },
      { label: '50% band', colour: '#000000', kind: 'swatch', opacity: 0.4 },
      { label: '90% band', colour: '#000000', kind: 'swatch', opacity: 0.15 },
    ],
    width,
    48,
    24,
  );
  const L = a.channels[0]?.adstock.weights.mean.length ?? 1;
  return Plot.plot({
    width,
    height: 260,
    marginLeft: 48,
    marginTop: legend.marginTop,
    x: { label: 'weeks after the spend (lag)', ticks: Math.min(L, 5), tickFormat: 'd' },
    y: { label: 'weight of the spend at this lag', grid: true },
    fx: { label: null, domain: names, padding: 0.2 },
    color: { domain: names, range: a.channels.map((_, i) => seriesColour(i)) },
    marks: [
      Plot.frame({ stroke: '#d7dce1' }),
      Plot.areaY(rows, { fx: 'channel', x: 'lag', y1: 'q05', y2: 'q95', fill: 'channel', fillOpacity: 0.15 }),
      Plot.areaY(rows, { fx: 'channel', x: 'lag', y1: 'q25', y2: 'q75', fill: 'channel', fillOpacity: 0.4 }),
      Plot.lineY(rows, { fx: 'channel', x: 'lag', y: 'mean', stroke: 'channel', strokeWidth: 2 }),
      Plot.ruleY([0]),
      ...legend.marks,
    ],
  });
}

/** Per channel: peak lag and mean lag with intervals, weight in the week of spend. */
export function adstockTable(a: FitAnalysis): TableData {
  const rows: CsvCell[][] = a.channels.map((c) => {
    const w = c.adstock.weights;
    return [c.name, formatEstimate(c.adstock.peakLag), formatEstimate(c.adstock.meanLag), formatEstimate({ mean: w.mean[0], q05: w.q05[0], q25: w.q25[0], q75: w.q75[0], q95: w.q95[0] })];
  });
  const csvRows: CsvCell[][] = a.channels.flatMap((c) =>
    Array.from(c.adstock.weights.mean, (m, lag) => {
      const w = c.adstock.weights;
      return [c.name, lag, m, w.q05[lag], w.q25[lag], w.q50[lag], w.q75[lag], w.q95[lag]];
    }),
  );
  return {
    columns: ['channel', 'peak lag, weeks [90%]', 'mean lag, weeks [90%]', 'weight at lag 0 [90%]'],
    rows,
    csv: { columns: ['channel', 'lag', 'mean', 'q05', 'q25', 'q50', 'q75', 'q95'], rows: csvRows },
  };
}
