import * as Plot from '@observablehq/plot';
import type { FitEvaluation } from '../../core/evaluation/fit-evaluation.ts';
import { PPC_P_LOW } from '../../core/evaluation/health.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { formatEstimate } from '../../core/format/estimate.ts';
import { formatNumber } from '../../core/format/number.ts';
import { OKABE_ITO } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';
import { marginFor, weekX, type WeekAxis } from './weeks.ts';
import type { TableData } from './table-data.ts';

const pct = (v: number) => `${formatNumber(v * 100, 3)}%`;

/** In-sample accuracy and coverage: one number each (of the posterior-mean fit; coverage against its nominal level). */
export function accuracyTable(e: FitEvaluation): TableData {
  const m = e.inSample;
  const rows: CsvCell[][] = [
    ['MAPE', pct(m.mape), 'of the posterior-mean fit; one number, no interval'],
    ['R²', formatNumber(m.r2, 4), 'of the posterior-mean fit'],
    ['NRMSE', formatNumber(m.nrmse, 4), 'RMSE / range of the KPI'],
    ...m.coverage.map((c): CsvCell[] => [`coverage of the ${pct(c.level)} interval`, pct(c.share), `share of the ${m.weeks} weeks inside it; ${pct(c.level)} if calibrated`]),
  ];
  const csv: CsvCell[][] = [
    ['mape', m.mape, ''],
    ['r2', m.r2, ''],
    ['nrmse', m.nrmse, ''],
    ...m.coverage.map((c): CsvCell[] => [`coverage_${c.level}`, c.share, c.level]),
  ];
  return { columns: ['metric', 'in sample', 'note'], rows, csv: { columns: ['metric', 'value', 'nominal'], rows: csv } };
}

/**
 * Posterior predictive p-values per statistic on [0, 1], the tails where the health card warns
 * (below PPC_P_LOW or above 1 - PPC_P_LOW) shaded.
 */
export function ppcChart(e: FitEvaluation, width: number): Element {
  const names = e.ppc.map((p) => p.statistic.replace(/_/g, ' '));
  const rows = e.ppc.map((p, i) => ({ name: names[i], p: p.pValue }));
  const marginLeft = marginFor(names);
  const legend = legendMarks(
    [
      { label: 'p-value', colour: OKABE_ITO[0], kind: 'dot' },
      { label: `warning zone (p < ${PPC_P_LOW} or > ${1 - PPC_P_LOW})`, colour: '#D55E00', kind: 'swatch', opacity: 0.15 },
    ],
    width,
    marginLeft,
  );
  return Plot.plot({
    width,
    height: legend.marginTop + 40 + 28 * rows.length,
    marginLeft,
    marginRight: 20,
    marginTop: legend.marginTop,
    x: { label: 'posterior predictive p-value: P(replicated statistic >= observed)', domain: [0, 1], grid: true },
    y: { label: null, domain: names },
    marks: [
      Plot.rectX([{ x1: 0, x2: PPC_P_LOW }, { x1: 1 - PPC_P_LOW, x2: 1 }], { x1: 'x1', x2: 'x2', fill: '#D55E00', fillOpacity: 0.15 }),
      Plot.ruleX([0.5], { stroke: '#5d6873', strokeDasharray: '4,3' }),
      Plot.dot(rows, { x: 'p', y: 'name', r: 5, fill: OKABE_ITO[0] }),
      ...legend.marks,
    ],
  });
}

/** Each statistic: observed, replicated mean with its 90% interval, p-value. */
export function ppcTable(e: FitEvaluation): TableData {
  const rows: CsvCell[][] = e.ppc.map((p) => [
    p.statistic.replace(/_/g, ' '),
    p.observed,
    formatEstimate({ mean: p.replicatedMean, q05: p.q05, q25: NaN, q75: NaN, q95: p.q95 }),
    p.pValue,
  ]);
  const csv: CsvCell[][] = e.ppc.map((p) => [p.statistic, p.observed, p.replicatedMean, p.q05, p.q95, p.pValue]);
  return {
    columns: ['statistic', 'observed', 'replicated [90%]', 'p-value'],
    rows,
    csv: { columns: ['statistic', 'observed', 'replicated_mean', 'replicated_q05', 'replicated_q95', 'p_value'], rows: csv },
  };
}

/** Pareto k-hat of each week's leave-one-out weights, with the threshold past which its elpd is unreliable. */
export function paretoKChart(e: FitEvaluation, weeks: WeekAxis, width: number): Element {
  const k = e.loo.kThreshold;
  const rows = e.loo.pointwise.map((p, t) => ({ x: weeks.values[t], k: p.k, bad: p.k > k ? `k > ${k}` : `k <= ${k}` }));
  const legend = legendMarks(
    [
      { label: `k <= ${k}`, colour: OKABE_ITO[0], kind: 'dot' },
      { label: `k > ${k}: this week's LOO estimate is unreliable`, colour: '#D55E00', kind: 'dot' },
    ],
    width,
    48,
  );
  return Plot.plot({
    width,
    height: 260,
    marginLeft: 48,
    marginTop: legend.marginTop,
    ...weekX(weeks),
    y: { label: 'Pareto k-hat', grid: true, domain: [Math.min(0, ...rows.map((r) => r.k)), Math.max(1, ...rows.map((r) => r.k))] },
    color: { domain: [`k <= ${k}`, `k > ${k}`], range: [OKABE_ITO[0], '#D55E00'] },
    marks: [Plot.ruleY([k], { stroke: '#D55E00', strokeDasharray: '4,3' }), Plot.dot(rows, { x: 'x', y: 'k', fill: 'bad', r: 2.5 }), ...legend.marks],
  });
}

/** PSIS-LOO totals (elpd with its standard error) and the weeks past the k threshold. */
export function looTable(e: FitEvaluation, weeks: WeekAxis): TableData {
  const l = e.loo;
  const worst = [...l.badK].sort((a, b) => l.pointwise[b].k - l.pointwise[a].k).slice(0, 5);
  const rows: CsvCell[][] = [
    ['elpd_loo', `${formatNumber(l.elpdLoo, 5)} ± ${formatNumber(l.se, 3)} (se)`],
    ['p_loo (effective parameters)', formatNumber(l.pLoo, 4)],
    ['lpd (in sample)', formatNumber(l.lpd, 5)],
    [`weeks with k > ${l.kThreshold}`, `${l.badK.length} of ${l.pointwise.length}${worst.length ? ` (worst: ${worst.map((t) => `${weeks.cell(t)} k=${formatNumber(l.pointwise[t].k, 3)}`).join(', ')})` : ''}`],
    ['draws', l.nDraws],
  ];
  const csv: CsvCell[][] = l.pointwise.map((p, t) => [weeks.cell(t), p.elpd, p.pLoo, p.k]);
  return { columns: ['PSIS-LOO', 'value'], rows, csv: { columns: ['week', 'elpd_loo', 'p_loo', 'pareto_k'], rows: csv } };
}

/** Prior vs posterior of every parameter: contraction (1 - var ratio) and the z-score of the move. */
export function contractionTable(e: FitEvaluation): TableData {
  const rows: CsvCell[][] = e.contraction.map((c) => [c.name, c.priorMean, c.priorSd, c.posteriorMean, c.posteriorSd, c.contraction, c.z]);
  return { columns: ['parameter', 'prior mean', 'prior sd', 'posterior mean', 'posterior sd', 'contraction', 'z'], rows };
}
