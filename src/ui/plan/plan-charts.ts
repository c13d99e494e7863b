import * as Plot from '@observablehq/plot';
import { formatNumber } from '../../core/format/number.ts';
import type { Interval } from '../../core/optimizer/summary.ts';
import type { ResponseBand } from '../../core/optimizer/plan-report.ts';
import { seriesColour } from '../primitives/palette.ts';

const short = (v: number) => formatNumber(v, 3);
/** Axis ticks in SI form (1.2M, 350k) so long numbers never overlap. */
const si = (v: number) => {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
};

/** A mark on a response curve: the current or a recommended plan's spend, with its value's interval. */
export interface CurveMark {
  label: string;
  spend: number;
  value: Interval;
  /** symbol and colour of the mark */ symbol: 'circle' | 'diamond' | 'triangle';
  colour: string;
}

/**
 * One channel's horizon response curve: mean line, 50% and 90% bands, and the marked plans with
 * their 90% interval as a vertical rule.
 * @param colourIndex the channel's index in mapping order (its colour on every chart)
 */
export function curveChart(band: ResponseBand, colourIndex: number, marks: readonly CurveMark[], metricLabel: string, width: number): Element {
  const pts = band.spend.map((s, g) => ({ s, ...band.value[g] }));
  const colour = seriesColour(colourIndex);
  return Plot.plot({
    width,
    height: 230,
    marginLeft: 56,
    marginBottom: 38,
    x: { label: `${band.channel} horizon spend`, tickFormat: si, ticks: Math.max(3, Math.floor(width / 90)) },
    y: { label: metricLabel, tickFormat: si, grid: true, ticks: 5 },
    symbol: { domain: marks.map((m) => m.label), range: marks.map((m) => m.symbol), legend: false },
    marks: [
      Plot.areaY(pts, { x: 's', y1: 'q05', y2: 'q95', fill: colour, fillOpacity: 0.15 }),
      Plot.areaY(pts, { x: 's', y1: 'q25', y2: 'q75', fill: colour, fillOpacity: 0.3 }),
      Plot.lineY(pts, { x: 's', y: 'mean', stroke: colour, strokeWidth: 2 }),
      Plot.ruleX(marks, { x: 'spend', y1: (m: CurveMark) => m.value.q05, y2: (m: CurveMark) => m.value.q95, stroke: (m: CurveMark) => m.colour, strokeWidth: 1.5 }),
      Plot.dot(marks, {
        x: 'spend', y: (m: CurveMark) => m.value.mean, symbol: 'label', r: 5, fill: (m: CurveMark) => m.colour, stroke: 'white',
        title: (m: CurveMark) => `${m.label}: spend ${short(m.spend)}, value ${short(m.value.mean)} (90% ${short(m.value.q05)} to ${short(m.value.q95)})`,
      }),
      Plot.ruleY([0], { stroke: '#888' }),
    ],
  });
}

/** One plan's outcome for the comparison chart. */
export interface OutcomeRow {
  name: string;
  /** the plan's value over the posterior */ value: Interval;
  colour: string;
}

/**
 * The outcome distribution of each plan as an interval plot: 90% whisker, 50% box, mean tick,
 * one row per plan (names in the left margin, sized to the longest).
 */
export function outcomeChart(rows: readonly OutcomeRow[], metricLabel: string, width: number): Element {
  const longest = Math.max(...rows.map((r) => r.name.length), 4);
  const data = rows.map((r) => ({ name: r.name, colour: r.colour, ...r.value }));
  return Plot.plot({
    width,
    height: 46 + 34 * rows.length,
    marginLeft: Math.min(260, 12 + 6.5 * longest),
    marginBottom: 38,
    x: { label: `${metricLabel} over the horizon (incremental over no spend)`, tickFormat: si, grid: true, ticks: Math.max(3, Math.floor(width / 110)) },
    y: { label: null, domain: rows.map((r) => r.name) },
    marks: [
      Plot.ruleY(data, { y: 'name', x1: 'q05', x2: 'q95', stroke: 'colour', strokeWidth: 2 }),
      Plot.barX(data, { y: 'name', x1: 'q25', x2: 'q75', fill: 'colour', fillOpacity: 0.45, insetTop: 6, insetBottom: 6 }),
      Plot.tickX(data, { y: 'name', x: 'mean', stroke: 'black', strokeWidth: 2, insetTop: 4, insetBottom: 4 }),
      Plot.tip(data, Plot.pointerY({ y: 'name', x: 'mean', title: (d: (typeof data)[number]) => `${d.name}: mean ${short(d.mean)}; 50% ${short(d.q25)} to ${short(d.q75)}; 90% ${short(d.q05)} to ${short(d.q95)}` })),
    ],
  });
}
