import { isoDate } from '../checks/sql.ts';
import { ident } from '../db.ts';
import { columnStats, numericRoles, rowCount, toChanges, type CleanContext, type LineageEntry } from './lineage.ts';

/**
 * Duplicate resolution on a working table (helper columns `__row`, `__date`, `__key`):
 * 1. `drop_exact_duplicates`: rows identical in every original column keep their first copy;
 * 2. merge each (key, week) with several rows into one: additive columns (roles in
 *    `duplicates.additive_roles` plus `additive_columns`) are summed (`merge_sum`); every other
 *    column keeps the last row's value (`merge_keep_last`; the latest non-empty one when the last
 *    row's cell is empty). The merged row sits at its first row's position.
 * Writes `dst`; returns one lineage entry per rule that changed something.
 * @param original the original column names (without helper columns)
 */
export async function dedupe(ctx: CleanContext, src: string, dst: string, original: readonly string[]): Promise<LineageEntry[]> {
  const { db, config } = ctx;
  const cfg = config.duplicates;
  const out: LineageEntry[] = [];
  if (cfg.policy === 'none') {
    await db.exec(`CREATE OR REPLACE TABLE ${ident(dst)} AS SELECT * FROM ${ident(src)}`);
    return out;
  }
  const rows0 = await rowCount(db, src);
  const mid = `${dst}__exact`;
  if (cfg.drop_exact_duplicates) {
    const all = original.map(ident).join(', ');
    await db.exec(`CREATE OR REPLACE TABLE ${ident(mid)} AS SELECT * FROM ${ident(src)} QUALIFY row_number() OVER (PARTITION BY ${all} ORDER BY __row) = 1 ORDER BY __row`);
    const rows1 = await rowCount(db, mid);
    if (rows1 < rows0) {
      const dropped = await db.query<{ date: string | null; key: string; before: number; after: number }>(
        `SELECT ${isoDate('__date')} AS date, __key AS key, CAST(count(*) AS INTEGER) AS before, 1 AS after FROM ${ident(src)} GROUP BY __date, __key, ${original.map(ident).join(', ')} HAVING count(*) > 1 ORDER BY date LIMIT ${ctx.maxChanges}`,
      );
      out.push({
        step: 'dedupe',
        rule: 'drop_exact_duplicates',
        column: null,
        detail: `Dropped ${rows0 - rows1} row(s) identical in every column to an earlier row (an exact copy is not extra spend).`,
        rowsBefore: rows0,
        rowsAfter: rows1,
        cellsChanged: (rows0 - rows1) * original.length,
        before: null,
        after: null,
        params: {},
        changes: toChanges(dropped),
      });
    }
  } else {
    await db.exec(`CREATE OR REPLACE TABLE ${ident(mid)} AS SELECT * FROM ${ident(src)}`);
  }

  const rowsMid = await rowCount(db, mid);
  const roles = numericRoles(ctx.mapping);
  const additive = new Set([...roles.filter((r) => cfg.additive_roles.includes(r.role)).map((r) => r.column), ...cfg.additive_columns]);
  const keepLast = original.filter((c) => !additive.has(c) && c !== ctx.mapping.date);
  const sumCols = original.filter((c) => additive.has(c));
  const before = new Map(await Promise.all(sumCols.map(async (c) => [c, await columnStats(db, mid, c)] as const)));
  await db.exec(
    `CREATE OR REPLACE TABLE ${ident(dst)} AS SELECT min(__row) AS __row, __date, __key,
       ${original
         .map((c) =>
           c === ctx.mapping.date
             ? `any_value(${ident(c)}) AS ${ident(c)}`
             : additive.has(c)
               ? `sum(TRY_CAST(${ident(c)} AS DOUBLE)) AS ${ident(c)}`
               : `arg_max(${ident(c)}, __row) AS ${ident(c)}`,
         )
         .join(', ')}
     FROM ${ident(mid)} GROUP BY __date, __key ORDER BY __row`,
  );
  const rows2 = await rowCount(db, dst);
  if (rows2 < rowsMid) {
    for (const c of sumCols) {
      const changes = await db.query<{ date: string | null; key: string; before: number | null; after: number | null }>(
        `SELECT ${isoDate('__date')} AS date, __key AS key, arg_max(TRY_CAST(${ident(c)} AS DOUBLE), __row) AS before, sum(TRY_CAST(${ident(c)} AS DOUBLE)) AS after
         FROM ${ident(mid)} GROUP BY __date, __key HAVING count(*) > 1 ORDER BY __date, __key`,
      );
      const changed = changes.filter((r) => r.before !== r.after);
      out.push({
        step: 'dedupe',
        rule: 'merge_sum',
        column: c,
        detail: `Summed "${c}" over the rows of ${changes.length} week(s) that had several rows (additive column).`,
        rowsBefore: rowsMid,
        rowsAfter: rows2,
        cellsChanged: changed.length,
        before: before.get(c) ?? null,
        after: await columnStats(db, dst, c),
        params: { mergedPeriods: changes.length },
        changes: toChanges(changed.slice(0, ctx.maxChanges)),
      });
    }
    const groups = await db.query<{ date: string | null; key: string; before: number; after: number }>(
      `SELECT ${isoDate('__date')} AS date, __key AS key, CAST(count(*) AS INTEGER) AS before, 1 AS after FROM ${ident(mid)} GROUP BY __date, __key HAVING count(*) > 1 ORDER BY __date, __key`,
    );
    out.push({
      step: 'dedupe',
      rule: 'merge_keep_last',
      column: null,
      detail: `Merged ${groups.length} week(s) with several rows into one row each (${rowsMid - rows2} row(s) removed); non-additive columns (${keepLast.length}) keep the last row's value.`,
      rowsBefore: rowsMid,
      rowsAfter: rows2,
      cellsChanged: rowsMid - rows2,
      before: null,
      after: null,
      params: { additive: sumCols, keepLast },
      changes: toChanges(groups.slice(0, ctx.maxChanges)),
    });
  }
  await db.exec(`DROP TABLE ${ident(mid)}`);
  return out;
}
