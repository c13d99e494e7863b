import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { quantiles } from '../../src/core/diagnostics/quantile.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import type { WeeklyTable } from '../../src/core/governance/canonical.ts';
import type { MappingSnapshot } from '../../src/core/governance/mapping-diff.ts';
import type { PosteriorStat, RunSummary } from '../../src/core/governance/run-summary.ts';

/** Path of the Robyn demo CSV (208 weeks, 2015-11-23 to 2019-11-11). */
export const ROBYN_PATH = fileURLToPath(new URL('../../public/demo/robyn_simulated_weekly.csv', import.meta.url));

/** The Robyn demo as raw bytes and as a weekly table of its numeric columns (`events` is text: left out). */
export function readRobyn(): { bytes: Uint8Array; table: WeeklyTable } {
  const bytes = new Uint8Array(readFileSync(ROBYN_PATH));
  const lines = new TextDecoder().decode(bytes).trim().split(/\r?\n/);
  const header = lines[0]!.split(',').map((h) => h.replace(/"/g, ''));
  const rows = lines.slice(1).map((l) => l.split(',').map((c) => c.replace(/"/g, '')));
  const columns: Record<string, Float64Array> = {};
  header.forEach((h, j) => {
    if (j === 0) return;
    const col = Float64Array.from(rows, (r) => (r[j] === '' ? NaN : Number(r[j])));
    if (col.some((x) => !Number.isNaN(x))) columns[h] = col;
  });
  return { bytes, table: { dates: rows.map((r) => r[0]!), columns } };
}

/** The first n rows of a table (a copy). */
export function headRows(t: WeeklyTable, n: number): WeeklyTable {
  return { dates: t.dates.slice(0, n), columns: Object.fromEntries(Object.entries(t.columns).map(([k, v]) => [k, v.slice(0, n)])) };
}

/** A deep copy of a table. */
export function copyTable(t: WeeklyTable): WeeklyTable {
  return { dates: [...t.dates], columns: Object.fromEntries(Object.entries(t.columns).map(([k, v]) => [k, v.slice()])) };
}

/** The Robyn demo's mapping (as in the demo's config). */
export const ROBYN_MAPPING: MappingSnapshot = {
  date_col: 'DATE',
  kpi_col: 'revenue',
  channel_map: {
    tv: { spend: 'tv_S' },
    ooh: { spend: 'ooh_S' },
    print: { spend: 'print_S' },
    facebook: { spend: 'facebook_S', exposure: 'facebook_I' },
    search: { spend: 'search_S', exposure: 'search_clicks_P' },
  },
  controls: ['competitor_sales_B'],
};

/** Summary of draws, draws kept. */
export function statOf(draws: Float64Array): PosteriorStat {
  const [q05, q25, q50, q75, q95] = quantiles(draws, [0.05, 0.25, 0.5, 0.75, 0.95]);
  let m = 0;
  for (const x of draws) m += x;
  m /= draws.length;
  let v = 0;
  for (const x of draws) v += (x - m) ** 2;
  return { mean: m, sd: Math.sqrt(v / (draws.length - 1)), q05: q05!, q25: q25!, q50: q50!, q75: q75!, q95: q95!, draws };
}

/** Normal draws N(mean, sd^2), seeded. */
export function normalDraws(rng: Rng, mean: number, sd: number, n = 1000): Float64Array {
  return Float64Array.from({ length: n }, () => mean + sd * rng.normal());
}

/** A run with one entry per channel: [name, roi mean, roi sd, share mean, share sd]. */
export function makeRun(runId: string, seed: number, channels: [string, number, number, number, number][], kernel = 'fused'): RunSummary {
  const rng = new Rng(seed);
  return {
    runId,
    kernel,
    channels: channels.map(([name, rm, rs, sm, ss]) => ({ name, roi: statOf(normalDraws(rng, rm, rs)), share: statOf(normalDraws(rng, sm, ss)) })),
    diagnostics: { maxRhat: 1.003, minEssBulk: 850, divergences: 0 },
    checks: [],
  };
}
