import { ident, literal } from '../db.ts';
import type { CheckContext, CheckMapping } from './types.ts';

/** A column read as DOUBLE; text that is not a number becomes NULL. */
export function num(column: string): string {
  return `TRY_CAST(${ident(column)} AS DOUBLE)`;
}

/** A column read as DATE; NULL where it does not parse. */
export function dateOf(column: string): string {
  return `TRY_CAST(${ident(column)} AS DATE)`;
}

/** SQL text of a DATE as ISO YYYY-MM-DD (DuckDB would hand dates back as epoch ms). */
export function isoDate(expr: string): string {
  return `strftime(${expr}, '%Y-%m-%d')`;
}

/** The geo / product key of a row as one label ('' for national data). */
export function keyExpr(m: CheckMapping): string {
  if (m.keys.length === 0) return `''`;
  return `concat_ws(' / ', ${m.keys.map((k) => `coalesce(CAST(${ident(k)} AS VARCHAR), '(missing)')`).join(', ')})`;
}

/**
 * The input table with three helper columns: `__row` (1-based position in the table, the row
 * number a user sees in their file without its header), `__date` (the period as DATE) and
 * `__key` (geo / product label). Use as `FROM ${based(ctx)} b`.
 */
export function based(ctx: Pick<CheckContext, 'table' | 'mapping'>): string {
  return `(SELECT row_number() OVER () AS __row, ${dateOf(ctx.mapping.date)} AS __date, ${keyExpr(ctx.mapping)} AS __key, * FROM ${ident(ctx.table)})`;
}

/** `IN (...)` list of string literals. */
export function inList(values: readonly string[]): string {
  return `(${values.map(literal).join(', ')})`;
}

/** Rounds for evidence: numbers a person reads, not 15 digits. */
export function round(x: number | null | undefined, digits = 4): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Names the first `max` items and says how many more there are, e.g. `2019-01-07, 2019-01-14 (+3 more)`.
 * @param total how many there are in all when `items` is only the first ones fetched (default items.length)
 */
export function nameSome(items: readonly string[], max: number, total = items.length): string {
  const shown = items.slice(0, max).join(', ');
  const n = Math.max(total, items.length);
  return n > Math.min(max, items.length) ? `${shown} (+${n - Math.min(max, items.length)} more)` : shown;
}
