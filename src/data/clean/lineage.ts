import type { CleaningConfig } from '../../core/spec/config-cleaning.ts';
import type { CheckMapping } from '../checks/types.ts';
import { ident, type Db } from '../db.ts';
import type { OutlierContext } from './outlier-weeks.ts';

/** Cleaning steps, in the order `cleanTable` runs them. */
export type CleanStep = 'types' | 'dedupe' | 'impute' | 'winsorize';

/** Summary of one numeric column at one moment (NULL-aware). */
export interface ColumnStats {
  min: number | null;
  max: number | null;
  /** Empty cells. */
  nulls: number;
  sum: number | null;
}

/** One changed cell (or merged period), for the user to audit. */
export interface CellChange {
  /** Week start, ISO YYYY-MM-DD. */
  date: string | null;
  /** Geo / product label, when keys are mapped. */
  key?: string;
  before: number | string | null;
  after: number | string | null;
}

/**
 * What one rule of one cleaning step did to one column (or, `column: null`, to whole rows):
 * the rule, counts before and after, and the first changed cells.
 */
export interface LineageEntry {
  step: CleanStep;
  /**
   * Machine name of the rule, e.g. `drop_exact_duplicates`, `merge_sum`, `merge_keep_last`,
   * `exposure_x_median_cpu`, `paused_zero_exposure`, `paused_long_run`, `neighbour_interpolation`,
   * `zero_fill`, `interpolate`, `winsorize` (percentile cap), `cap_flagged` (KPI outlier weeks;
   * written with cellsChanged 0 when no week was capped, saying why), `cast_numeric`.
   */
  rule: string;
  column: string | null;
  /** One sentence a person reads: what was done and why. */
  detail: string;
  rowsBefore: number;
  rowsAfter: number;
  cellsChanged: number;
  /** Column stats before and after the whole step (null for row-level entries). */
  before: ColumnStats | null;
  after: ColumnStats | null;
  /** Rule parameters (percentile and cap, run length, median cost per unit...). */
  params: Record<string, unknown>;
  /** First changed cells, at most `maxChanges` (cellsChanged is the full count). */
  changes: CellChange[];
}

/** What every cleaning step receives. */
export interface CleanContext {
  db: Db;
  mapping: CheckMapping;
  config: CleaningConfig;
  /** Most changed cells listed per lineage entry. */
  maxChanges: number;
  /** The outlier check's rule and the factor baselines the KPI outlier pass reads. */
  outliers: OutlierContext;
}

/** Row count of a table. */
export async function rowCount(db: Db, table: string): Promise<number> {
  const [r] = await db.query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM ${ident(table)}`);
  return Number(r?.n ?? 0);
}

/** Min, max, empty cells and sum of a numeric column. */
export async function columnStats(db: Db, table: string, column: string): Promise<ColumnStats> {
  const c = `TRY_CAST(${ident(column)} AS DOUBLE)`;
  const [r] = await db.query<{ mn: number | null; mx: number | null; nulls: number; s: number | null }>(
    `SELECT min(${c}) AS mn, max(${c}) AS mx, CAST(count(*) - count(${c}) AS INTEGER) AS nulls, sum(${c}) AS s FROM ${ident(table)}`,
  );
  return { min: num(r?.mn), max: num(r?.mx), nulls: Number(r?.nulls ?? 0), sum: num(r?.s) };
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

/** Maps query rows `{date, key, before, after}` to CellChange (key only when non-empty). */
export function toChanges(rows: readonly { date: string | null; key: string; before: unknown; after: unknown }[]): CellChange[] {
  const v = (x: unknown): number | string | null => (x === null || x === undefined ? null : typeof x === 'string' ? x : Number(x));
  return rows.map((r) => ({ date: r.date, ...(r.key ? { key: r.key } : {}), before: v(r.before), after: v(r.after) }));
}

/** Numeric columns of the mapping with their cleaning role. */
export function numericRoles(m: CheckMapping): { column: string; role: 'kpi' | 'spend' | 'exposure' | 'controls' }[] {
  return [
    { column: m.kpi, role: 'kpi' as const },
    ...m.channels.map((c) => ({ column: c.spend, role: 'spend' as const })),
    ...m.channels.flatMap((c) => (c.exposure ? [{ column: c.exposure, role: 'exposure' as const }] : [])),
    ...m.controls.map((c) => ({ column: c, role: 'controls' as const })),
  ];
}

/** true when some lineage entry changed a value or a row (entries that only explain, such as "no week capped", change none). */
export function cleaningChanged(lineage: readonly LineageEntry[]): boolean {
  return lineage.some((e) => e.cellsChanged > 0 || e.rowsAfter !== e.rowsBefore);
}
