import { ident } from '../db.ts';
import { dateOf, isoDate, keyExpr } from './sql.ts';
import type { CheckContext } from './types.ts';

/*
 * Facts about the input table that several checks read: the distinct dates (coverage, periods,
 * freshness, data-to-parameter ratio, types, key coverage) and the geo / product keys with their
 * dated rows and distinct dates (duplicates, key coverage, the grouping of outliers). Each is one
 * scan; inside runAllChecks it is computed once (ctx.memo) instead of once per check.
 */

/** `fn()` once per memo and key; without a memo (a check run on its own) every call computes. */
export function once<T>(ctx: Pick<CheckContext, 'memo'>, key: string, fn: () => Promise<T>): Promise<T> {
  const memo = ctx.memo;
  if (!memo) return fn();
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    memo.set(key, p);
    // a failed fact is recomputed (and fails again, visibly) by the next check that asks
    p.catch(() => memo.delete(key));
  }
  return p;
}

/** One distinct non-NULL date of the table. */
export interface DateFact {
  /** YYYY-MM-DD (DuckDB's strftime). */
  iso: string;
  /** Days since 1970-01-01. */
  day: number;
  /** English weekday name (DuckDB's dayname). */
  weekday: string;
  /** Rows on this date, >= 1. */
  rows: number;
  /** 1-based position of its first row in the table. */
  firstRow: number;
}

/** The distinct non-NULL dates of the table, ascending (one scan: a group by date). */
export function dateFacts(ctx: Pick<CheckContext, 'db' | 'table' | 'mapping' | 'memo'>): Promise<DateFact[]> {
  return once(ctx, 'dates', async () => {
    const rows = await ctx.db.query<{ iso: string; day: number; weekday: string; n: number; r: number }>(
      `SELECT ${isoDate('__date')} AS iso, CAST(date_diff('day', DATE '1970-01-01', __date) AS DOUBLE) AS day, dayname(__date) AS weekday,
              CAST(count(*) AS DOUBLE) AS n, CAST(min(__row) AS DOUBLE) AS r
       FROM (SELECT row_number() OVER () AS __row, ${dateOf(ctx.mapping.date)} AS __date FROM ${ident(ctx.table)})
       WHERE __date IS NOT NULL GROUP BY __date ORDER BY __date`,
    );
    return rows.map((r) => ({ iso: r.iso, day: Number(r.day), weekday: r.weekday, rows: Number(r.n), firstRow: Number(r.r) }));
  });
}

/** One geo / product key: its label and its dated rows. */
export interface KeyFact {
  /** SQL literal of the key's `keyId` value (for `IN (...)` lists). */
  id: string;
  /** The key as checks show it (`keyExpr`: 'geo / product'). */
  label: string;
  /** Rows with a date. */
  rows: number;
  /** Distinct dates; rows > dates means duplicate periods. */
  dates: number;
}

/** The keys of a keyed table and the SQL that identifies a row's key. */
export interface KeyFacts {
  /**
   * SQL over the input table's columns: a value per row that is equal exactly when the rows' key
   * labels are equal. A 64-bit hash of the raw key columns when that is one-to-one with the labels
   * on this table (checked), else the label itself.
   */
  keyId: string;
  /** Keys with at least one row, ordered by distinct dates then label (SQL order). */
  keys: KeyFact[];
}

/**
 * Keys of the table (mapping.keys non-empty), one scan grouped by the key. Grouping by the label
 * text would build a string per row; the hash of the raw columns is used instead once every hash
 * holds one raw key and every label one hash (else it falls back to the label).
 */
export function keyFacts(ctx: Pick<CheckContext, 'db' | 'table' | 'mapping' | 'memo'>): Promise<KeyFacts> {
  return once(ctx, 'keys', async () => {
    const keys = ctx.mapping.keys;
    if (keys.length === 0) throw new Error('keyFacts needs mapped key columns');
    const hashed = `hash(${keys.map(ident).join(', ')})`;
    const one = (c: string) => `(count(${ident(c)}) = 0 OR (count(${ident(c)}) = count(*) AND min(${ident(c)}) = max(${ident(c)})))`;
    const grouped = async (id: string, checkRaw: boolean) => {
      const m = { ...ctx.mapping, keys: keys.map((_, i) => `__k${i}`) };
      return ctx.db.query<{ id: string; label: string; n: number; d: number; same: boolean }>(
        `SELECT CAST(__kid AS VARCHAR) AS id, ${keyExpr(m)} AS label, n, d, same FROM (
           SELECT __kid, ${keys.map((k, i) => `any_value(${ident(k)}) AS __k${i}`).join(', ')},
                  CAST(count(__date) AS DOUBLE) AS n, CAST(count(DISTINCT __date) AS DOUBLE) AS d,
                  ${checkRaw ? keys.map(one).join(' AND ') : 'true'} AS same
           FROM (SELECT ${id} AS __kid, ${dateOf(ctx.mapping.date)} AS __date, ${keys.map(ident).join(', ')} FROM ${ident(ctx.table)})
           GROUP BY __kid)
         ORDER BY d, label`,
      );
    };
    let keyId = hashed;
    let rows = await grouped(hashed, true);
    const labels = new Set(rows.map((r) => r.label));
    if (labels.size !== rows.length || rows.some((r) => !r.same)) {
      keyId = keyExpr(ctx.mapping);
      rows = await grouped(keyId, false);
    }
    const lit = keyId === hashed ? (id: string) => `CAST('${id}' AS UBIGINT)` : (id: string) => `'${id.replaceAll("'", "''")}'`;
    return { keyId, keys: rows.map((r) => ({ id: lit(r.id), label: r.label, rows: Number(r.n), dates: Number(r.d) })) };
  });
}

/**
 * SQL of a value identifying a row's geo / product key (label-exact, see KeyFacts.keyId);
 * `0` for national data.
 */
export async function keyIdOf(ctx: Pick<CheckContext, 'db' | 'table' | 'mapping' | 'memo'>): Promise<string> {
  return ctx.mapping.keys.length ? (await keyFacts(ctx)).keyId : '0';
}

/** Median step in days between consecutive distinct dates (the lower median); null with fewer than two dates. */
export function medianStepDays(dates: readonly DateFact[]): number | null {
  const steps = dates.slice(1).map((d, i) => d.day - dates[i]!.day).sort((a, b) => a - b);
  return steps.length ? steps[Math.floor((steps.length - 1) / 2)]! : null;
}

/**
 * What one date of the table stands for, from the median step: 'week' for weekly data (or a
 * single date), else 'month', 'quarter' or 'period'. Checks count "weeks" only when they are weeks.
 */
export function periodUnit(dates: readonly DateFact[]): 'week' | 'month' | 'quarter' | 'period' {
  const s = medianStepDays(dates);
  if (s === null || (s >= 6 && s <= 8)) return 'week';
  if (s >= 27 && s <= 32) return 'month';
  if (s >= 88 && s <= 93) return 'quarter';
  return 'period';
}
