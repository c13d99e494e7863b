import * as Plot from '@observablehq/plot';
import { formatCompact } from '../../core/format/number.ts';
import type { CsvCell } from '../../core/format/csv.ts';
import { defaultRankBins, rankHistogram } from '../../core/diagnostics/rank-plot.ts';
import { quantileSorted } from '../../core/diagnostics/quantile.ts';
import { seriesColour } from '../primitives/palette.ts';
import { legendMarks } from '../primitives/legend.ts';

/** A table beside a diagnostic chart: shown rows and the CSV's. */
export interface DiagnosticTable {
  columns: string[];
  rows: CsvCell[][];
}

const chainLabel = (c: number) => `chain ${c + 1}`;

/**
 * ArviZ-style rank plot of one parameter: one histogram row per chain of where its draws rank
 * among all chains' draws, with the flat line every chain would follow if they all mixed.
 * @param chains [chain][iteration] draws of the parameter
 */
export function rankChart(name: string, chains: readonly Float64Array[], width: number): Element {
  const h = rankHistogram(chains, defaultRankBins(chains[0].length));
  const labels = chains.map((_, c) => chainLabel(c));
  const rows = h.counts.flatMap((counts, c) => counts.map((count, b) => ({ chain: labels[c], x1: h.edges[b], x2: h.edges[b + 1], count })));
  return Plot.plot({
    width,
    height: 40 + 56 * chains.length,
    marginLeft: 40,
    marginRight: 64,
    marginTop: 24,
    x: { label: `rank of ${name} among all chains' draws`, tickFormat: formatCompact },
    y: { label: 'draws', ticks: 2 },
    fy: { label: null, domain: labels },
    color: { domain: labels, range: labels.map((_, c) => seriesColour(c)) },
    marks: [
      Plot.rectY(rows, { x1: 'x1', x2: 'x2', y: 'count', fy: 'chain', fill: 'chain', fillOpacity: 0.8, inset: 0.5 }),
      Plot.ruleY([h.expected], { stroke: '#000000', strokeDasharray: '4,3' }),
      Plot.frame({ stroke: '#d7dce1' }),
    ],
  });
}

/** The rank plot's counts per chain and bin. */
export function rankTable(chains: readonly Float64Array[]): DiagnosticTable {
  const h = rankHistogram(chains, defaultRankBins(chains[0].length));
  const columns = ['rank from', 'rank to', ...chains.map((_, c) => chainLabel(c)), 'if mixed'];
  const rows: CsvCell[][] = Array.from(h.counts[0], (_, b) => [h.edges[b], h.edges[b + 1], ...h.counts.map((c) => c[b]), h.expected]);
  return { columns, rows };
}

/**
 * Trace plot of one parameter: each chain's draws by iteration (after warmup), in its colour;
 * chains that mix overlap as one band with no trend.
 */
export function traceChart(name: string, chains: readonly Float64Array[], width: number): Element {
  const labels = chains.map((_, c) => chainLabel(c));
  const rows = chains.flatMap((draws, c) => Array.from(draws, (y, i) => ({ chain: labels[c], i: i + 1, y })));
  const legend = legendMarks(labels.map((l, c) => ({ label: l, colour: seriesColour(c), kind: 'line' as const })), width, 56);
  return Plot.plot({
    width,
    height: 260,
    marginLeft: 56,
    marginTop: legend.marginTop,
    x: { label: 'draw (after warmup)' },
    y: { label: name, grid: true, tickFormat: '~g' },
    color: { domain: labels, range: labels.map((_, c) => seriesColour(c)), legend: false },
    marks: [
      Plot.lineY(rows, { x: 'i', y: 'y', z: 'chain', stroke: 'chain', strokeWidth: 0.8, strokeOpacity: 0.8 }),
      ...legend.marks,
    ],
  });
}

/** Per chain: mean, sd and the 5% / 95% quantiles of its draws (chains that agree have similar rows). */
export function traceTable(chains: readonly Float64Array[]): DiagnosticTable {
  const rows: CsvCell[][] = chains.map((d, c) => {
    const n = d.length;
    let m = 0;
    for (const v of d) m += v;
    m /= n;
    let ss = 0;
    for (const v of d) ss += (v - m) ** 2;
    const sorted = Float64Array.from(d).sort();
    return [chainLabel(c), n, m, n > 1 ? Math.sqrt(ss / (n - 1)) : 0, quantileSorted(sorted, 0.05), quantileSorted(sorted, 0.95)];
  });
  return { columns: ['chain', 'draws', 'mean', 'sd', '5%', '95%'], rows };
}
