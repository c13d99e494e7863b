import type { CheckResult } from '../check/result.ts';
import type { GovernanceConfig } from '../spec/config-governance.ts';
import type { WeeklyTable } from './canonical.ts';
import { ksTwoSample, populationStabilityIndex, psiBins, psiNoiseLevel } from './drift-stats.ts';
import { diffMapping, type MappingChange, type MappingSnapshot } from './mapping-diff.ts';
import { dataDriftChecks } from './data-drift-checks.ts';
import { assertWeeklyTable, overlapRows, sameSeries, valueChanged as changed } from './table-overlap.ts';

/** One side of a data comparison: the cleaned table and the column roles it was fitted with. */
export interface DataSide {
  table: WeeklyTable;
  mapping: MappingSnapshot;
}

/** Dates covered by a table. */
export interface Coverage {
  first: string | null;
  last: string | null;
  weeks: number;
}

/** A column renamed between the tables: same values under another name on the overlapping weeks. */
export interface ColumnRename {
  from: string;
  to: string;
  /** Overlapping weeks on which both had a value (all equal within tolerance). */
  matchedWeeks: number;
}

/** One restated value: an overlapping week whose value changed beyond the tolerance. */
export interface RestatedCell {
  date: string;
  previous: number;
  current: number;
  /** (current - previous) / |previous|; Infinity when previous was 0, NaN when one side is missing. */
  relChange: number;
}

/** The restatements of one column (named as in the current table). */
export interface Backfill {
  column: string;
  /** Name in the previous table when the column was renamed. */
  previousName: string;
  /** Whether the column plays a part in the current mapping (KPI, spend, exposure, control). */
  mapped: boolean;
  /** The channel whose spend or exposure column this is, in the current mapping. */
  channel?: string;
  cells: RestatedCell[];
  /** Dates of the restated weeks, ascending. */
  weeks: string[];
  /** Largest |relChange| among finite ones (0 when none is finite). */
  maxAbsRelChange: number;
}

/** Distribution shift of one column over one window. */
export interface ColumnShift {
  column: string;
  /** `overlap`: the same weeks before and after (restatement); `new-weeks`: new weeks vs the previous history. */
  window: 'overlap' | 'new-weeks';
  mapped: boolean;
  psi: number;
  /** PSI that sampling noise alone exceeds 1% of the time at these sample sizes (psiNoiseLevel). */
  psiNoise: number;
  ksD: number;
  ksP: number;
  n1: number;
  n2: number;
  level: 'none' | 'moderate' | 'major';
}

/** A column's missing share before and after, percent of rows. */
export interface MissingnessChange {
  column: string;
  previousPct: number;
  currentPct: number;
  changePct: number;
}

/** Everything that changed in the data between two runs (facts; `checks` carries the verdicts). */
export interface DataDriftReport {
  schema: { added: string[]; dropped: string[]; renamed: ColumnRename[] };
  mapping: MappingChange[];
  coverage: {
    previous: Coverage;
    current: Coverage;
    overlapWeeks: number;
    addedWeeks: string[];
    droppedWeeks: string[];
    /** Whole weeks from the current data's last week to the review date (null without a review date). */
    stalenessWeeks: number | null;
  };
  missingness: MissingnessChange[];
  shifts: ColumnShift[];
  backfills: Backfill[];
  checks: CheckResult[];
}

/** Thresholds of the data drift report (the config's governance.data). */
export type DataDriftThresholds = GovernanceConfig['data'];

/** Fewest new weeks for a new-weeks distribution comparison to mean anything. */
const MIN_NEW_WEEKS = 8;

function coverage(t: WeeklyTable): Coverage {
  return { first: t.dates[0] ?? null, last: t.dates[t.dates.length - 1] ?? null, weeks: t.dates.length };
}

/** Columns dropped from the previous table whose values reappear, unique, under a new name. */
export function detectColumnRenames(prev: WeeklyTable, cur: WeeklyTable, th: DataDriftThresholds): ColumnRename[] {
  const rows = overlapRows(prev, cur);
  const dropped = Object.keys(prev.columns).filter((c) => !(c in cur.columns));
  const added = Object.keys(cur.columns).filter((c) => !(c in prev.columns));
  const out: ColumnRename[] = [];
  const taken = new Set<string>();
  for (const from of dropped) {
    const hits = added.filter((to) => !taken.has(to)).map((to) => ({ to, n: sameSeries(prev.columns[from]!, cur.columns[to]!, rows, th) })).filter((h) => h.n > 0);
    if (hits.length === 1) {
      out.push({ from, to: hits[0]!.to, matchedWeeks: hits[0]!.n });
      taken.add(hits[0]!.to);
    }
  }
  return out;
}

function mappedColumns(m: MappingSnapshot): Set<string> {
  const s = new Set<string>([m.kpi_col, ...m.controls]);
  for (const c of Object.values(m.channel_map)) {
    s.add(c.spend);
    if (c.exposure) s.add(c.exposure);
  }
  return s;
}

function pick(col: Float64Array, idx: readonly number[]): Float64Array {
  return Float64Array.from(idx, (i) => col[i]!);
}

function missingPct(col: Float64Array): number {
  if (col.length === 0) return 0;
  let n = 0;
  for (const x of col) if (Number.isNaN(x)) n++;
  return (100 * n) / col.length;
}

/** A shift counts only when it is beyond noise (KS significant or PSI above its noise level); PSI then grades it. */
function shiftLevel(psi: number, psiNoise: number, ksP: number, th: DataDriftThresholds): ColumnShift['level'] {
  const real = ksP < th.ks_p_value || psi > psiNoise;
  if (!real) return 'none';
  if (psi > th.psi_major) return 'major';
  return psi > th.psi_warn || ksP < th.ks_p_value ? 'moderate' : 'none';
}

/**
 * The data drift report between a previous run's data and the current one: schema and mapping
 * diffs, coverage and missingness changes, PSI/KS per column (overlapping weeks, and new weeks
 * against the previous history), restatements by week and column, taxonomy changes.
 * @param previous the earlier run's cleaned table and mapping
 * @param current the refresh's cleaned table and mapping
 * @param asOf review date (YYYY-MM-DD) for the freshness check; none: not checked
 * @throws Error naming the table and column/row when a table is malformed (assertWeeklyTable)
 */
export function compareData(previous: DataSide, current: DataSide, th: DataDriftThresholds, asOf?: string): DataDriftReport {
  const prev = previous.table;
  const cur = current.table;
  assertWeeklyTable(prev, 'previous');
  assertWeeklyTable(cur, 'current');
  const renamed = detectColumnRenames(prev, cur, th);
  const renamedFrom = new Map(renamed.map((r) => [r.to, r.from]));
  const renamedTo = new Set(renamed.map((r) => r.from));
  const schema = {
    added: Object.keys(cur.columns).filter((c) => !(c in prev.columns) && !renamedFrom.has(c)),
    dropped: Object.keys(prev.columns).filter((c) => !(c in cur.columns) && !renamedTo.has(c)),
    renamed,
  };
  const rows = overlapRows(prev, cur);
  const prevDates = new Set(prev.dates);
  const curDates = new Set(cur.dates);
  const addedIdx = cur.dates.flatMap((d, j) => (prevDates.has(d) ? [] : [j]));
  const cov = {
    previous: coverage(prev),
    current: coverage(cur),
    overlapWeeks: rows.length,
    addedWeeks: addedIdx.map((j) => cur.dates[j]!),
    droppedWeeks: prev.dates.filter((d) => !curDates.has(d)),
    stalenessWeeks: asOf && cur.dates.length ? Math.floor((Date.parse(asOf) - Date.parse(cur.dates[cur.dates.length - 1]!)) / (7 * 86_400_000)) : null,
  };
  const mapped = mappedColumns(current.mapping);
  const channelOf = new Map<string, string>();
  for (const [ch, cols] of Object.entries(current.mapping.channel_map)) {
    channelOf.set(cols.spend, ch);
    if (cols.exposure) channelOf.set(cols.exposure, ch);
  }
  // current name -> previous name, for every column present on both sides
  const pairs: [string, string][] = [
    ...Object.keys(cur.columns).filter((c) => c in prev.columns).map((c): [string, string] => [c, c]),
    ...renamed.map((r): [string, string] => [r.to, r.from]),
  ];
  const missingness: MissingnessChange[] = [];
  const shifts: ColumnShift[] = [];
  const backfills: Backfill[] = [];
  const allPrev = prev.dates.map((_, i) => i);
  for (const [name, prevName] of pairs) {
    const a = prev.columns[prevName]!;
    const b = cur.columns[name]!;
    const previousPct = missingPct(a);
    const currentPct = missingPct(b);
    missingness.push({ column: name, previousPct, currentPct, changePct: currentPct - previousPct });
    const isMapped = mapped.has(name);
    const windows: [ColumnShift['window'], Float64Array, Float64Array][] = [
      ['overlap', pick(a, rows.map((r) => r[0])), pick(b, rows.map((r) => r[1]))],
    ];
    if (addedIdx.length >= MIN_NEW_WEEKS) windows.push(['new-weeks', pick(a, allPrev), pick(b, addedIdx)]);
    for (const [window, x, y] of windows) {
      const ks = ksTwoSample(x, y);
      const bins = psiBins(ks.n1, ks.n2);
      // a half-count floor: an empty bin among few new weeks is noise, not an infinite shift
      const { psi, edges } = populationStabilityIndex(x, y, { bins, floor: 0.5 / Math.max(1, Math.min(ks.n1, ks.n2)) });
      const psiNoise = psiNoiseLevel(edges.length + 1, ks.n1, ks.n2);
      const level = Number.isNaN(psi) ? 'none' : shiftLevel(psi, psiNoise, ks.pValue, th);
      shifts.push({ column: name, window, mapped: isMapped, psi, psiNoise, ksD: ks.d, ksP: ks.pValue, n1: ks.n1, n2: ks.n2, level });
    }
    const cells: RestatedCell[] = [];
    for (const [i, j] of rows) {
      if (changed(a[i]!, b[j]!, th)) cells.push({ date: cur.dates[j]!, previous: a[i]!, current: b[j]!, relChange: (b[j]! - a[i]!) / Math.abs(a[i]!) });
    }
    if (cells.length > 0) {
      const finite = cells.map((c) => Math.abs(c.relChange)).filter(Number.isFinite);
      const channel = channelOf.get(name);
      backfills.push({ column: name, previousName: prevName, mapped: isMapped, ...(channel ? { channel } : {}), cells, weeks: cells.map((c) => c.date), maxAbsRelChange: finite.length ? Math.max(...finite) : 0 });
    }
  }
  const mapping = diffMapping(previous, current, renamed, th);
  const report = { schema, mapping, coverage: cov, missingness, shifts, backfills, checks: [] as CheckResult[] };
  report.checks = dataDriftChecks(report, th);
  return report;
}
