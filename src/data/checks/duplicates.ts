import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { dateOf, isoDate, keyExpr, nameSome } from './sql.ts';
import { dateFacts, keyFacts, keyIdOf } from './table-facts.ts';
import type { CheckContext } from './types.ts';

/** Above this many keys with duplicates, the (key, date) grouping scans every key instead of a list. */
const MAX_SUSPECT_KEYS = 500;

/**
 * `data.duplicates`: more than one row for the same week (and geo / product key).
 * Exact copies (identical in every column) warn: cleaning drops them. Conflicting rows (same
 * week, different values) block: summing them may double-count and keeping one may lose data,
 * so the user decides (cleaning.duplicates or fix the source). Names the dates and rows.
 */
export async function checkDuplicates(ctx: CheckContext): Promise<CheckResult> {
  const all = ctx.columns.map((c) => ident(c.name)).join(', ');
  // A duplicate period is a key with more dated rows than distinct dates (or, for national data,
  // a date with several rows): found from the shared per-key / per-date counts, so the grouping
  // by (key, date) below, one group per row, runs only on the keys that have duplicates.
  let where = '';
  if (ctx.mapping.keys.length) {
    const suspects = (await keyFacts(ctx)).keys.filter((k) => k.rows > k.dates);
    if (suspects.length === 0) where = 'AND false';
    else if (suspects.length <= MAX_SUSPECT_KEYS) where = `AND __kid IN (${suspects.map((k) => k.id).join(', ')})`;
  } else if (!(await dateFacts(ctx)).some((d) => d.rows > 1)) where = 'AND false';
  const groups =
    where === 'AND false'
      ? []
      : await ctx.db.query<{ key: string; date: string | null; n: number; distinctRows: number; rows: number[] }>(
          `SELECT ${keyExpr(ctx.mapping)} AS key, __iso AS date, __n AS n, __distinct AS distinctRows, __rows AS rows FROM (
             SELECT ${ctx.mapping.keys.map((k) => `any_value(${ident(k)}) AS ${ident(k)}`).concat(`__date`).join(', ')}, ${isoDate('__date')} AS __iso, CAST(count(*) AS INTEGER) AS __n,
                    CAST(count(DISTINCT row(${all})) AS INTEGER) AS __distinct, list(__row ORDER BY __row) AS __rows
             FROM (SELECT row_number() OVER () AS __row, ${dateOf(ctx.mapping.date)} AS __date, ${await keyIdOf(ctx)} AS __kid, * FROM ${ident(ctx.table)}) b
             WHERE __date IS NOT NULL ${where} GROUP BY __kid, __date HAVING count(*) > 1)
           ORDER BY __date, 1`,
        );
  const label = (g: { key: string; date: string | null }) => (g.key ? `${g.date} [${g.key}]` : `${g.date}`);
  const describe = (g: (typeof groups)[number]) => ({
    date: g.date,
    ...(g.key ? { key: g.key } : {}),
    rows: Array.from(g.rows, Number),
  });
  const exact = groups.filter((g) => Number(g.distinctRows) === 1);
  const conflicting = groups.filter((g) => Number(g.distinctRows) > 1);
  const evidence = {
    duplicatePeriods: groups.length,
    exactCopies: exact.reduce((s, g) => s + Number(g.n) - 1, 0),
    conflictingPeriods: conflicting.length,
    conflicting: conflicting.slice(0, ctx.options.maxNamed).map(describe),
    exact: exact.slice(0, ctx.options.maxNamed).map(describe),
  };
  if (conflicting.length > 0) {
    return {
      id: 'data.duplicates',
      severity: 'block',
      title: 'Conflicting rows for the same week',
      detail: `${conflicting.length} week(s) have several rows with different values: ${nameSome(conflicting.map((g) => `${label(g)} rows ${Array.from(g.rows, Number).join('+')}`), 5)}.`,
      evidence,
      fix: 'Fix the source, or let cleaning merge them (cleaning.duplicates: sum spend/KPI, keep the last row for the rest) and override this check with the reason.',
    };
  }
  if (exact.length > 0) {
    return {
      id: 'data.duplicates',
      severity: 'warn',
      title: 'Exact duplicate rows',
      detail: `${evidence.exactCopies} row(s) are exact copies of another row: ${nameSome(exact.map((g) => `${label(g)} rows ${Array.from(g.rows, Number).join('+')}`), 5)}. Cleaning drops the copies.`,
      evidence,
      fix: 'Nothing to do if cleaning.duplicates.drop_exact_duplicates is on; otherwise remove the copies at the source.',
    };
  }
  return { id: 'data.duplicates', severity: 'info', title: 'One row per week', detail: 'No week (and key) appears twice.', evidence };
}
