import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { based, isoDate, nameSome } from './sql.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.spend_values`: spend (and exposure) must be numbers >= 0. Blocks naming each row with a
 * negative or non-numeric value `{row, date, column, value}` (row = 1-based position in the table).
 */
export async function checkSpendValues(ctx: CheckContext): Promise<CheckResult> {
  const cols = ctx.mapping.channels.flatMap((c) => [c.spend, ...(c.exposure ? [c.exposure] : [])]);
  const found: { row: number; date: string | null; column: string; value: string; problem: 'negative' | 'not a number' }[] = [];
  let total = 0;
  const bad = (c: string) => `${ident(c)} IS NOT NULL AND (TRY_CAST(${ident(c)} AS DOUBLE) IS NULL OR TRY_CAST(${ident(c)} AS DOUBLE) < 0 OR isnan(TRY_CAST(${ident(c)} AS DOUBLE)))`;
  // one scan counts every column's bad cells; rows are named only for columns that have some
  const [counts] = cols.length
    ? await ctx.db.query<Record<string, number>>(
        `SELECT ${cols.map((c, i) => `CAST(count(*) FILTER (WHERE ${bad(c)}) AS DOUBLE) AS n${i}, CAST(count(${ident(c)}) AS DOUBLE) AS v${i}, CAST(count(TRY_CAST(${ident(c)} AS DOUBLE)) AS DOUBLE) AS x${i}`).join(', ')} FROM ${ident(ctx.table)}`,
      )
    : [];
  // A column with no number at all (levels such as 'high' / 'low') is named as a whole, with samples.
  const textColumns: { column: string; values: number; samples: string[] }[] = [];
  for (const [i, c] of cols.entries()) {
    const n = Number(counts?.[`n${i}`] ?? 0);
    if (n === 0) continue;
    total += n;
    if (Number(counts?.[`x${i}`] ?? 0) === 0) {
      const samples = await ctx.db.query<{ v: string }>(`SELECT DISTINCT CAST(${ident(c)} AS VARCHAR) AS v FROM ${ident(ctx.table)} WHERE ${ident(c)} IS NOT NULL ORDER BY 1 LIMIT 3`);
      textColumns.push({ column: c, values: Number(counts?.[`v${i}`] ?? n), samples: samples.map((x) => x.v) });
    }
    const rows = await ctx.db.query<{ row: number; date: string | null; value: string; problem: 'negative' | 'not a number' }>(
      `SELECT __row AS row, ${isoDate('__date')} AS date, CAST(${ident(c)} AS VARCHAR) AS value,
              CASE WHEN TRY_CAST(${ident(c)} AS DOUBLE) IS NULL THEN 'not a number' ELSE 'negative' END AS problem
       FROM ${based(ctx)} b
       WHERE ${bad(c)}
       ORDER BY __row LIMIT ${ctx.options.maxNamed}`,
    );
    for (const r of rows) found.push({ row: Number(r.row), date: r.date, column: c, value: r.value, problem: r.problem });
  }
  const evidence = { columns: cols.length, badCount: total, rows: found.slice(0, ctx.options.maxNamed), textColumns };
  if (total === 0) {
    return { id: 'data.spend_values', severity: 'info', title: 'Spend is numeric and non-negative', detail: `${cols.length} spend/exposure columns checked.`, evidence };
  }
  return {
    id: 'data.spend_values',
    severity: 'block',
    title: 'Negative or non-numeric spend',
    detail: `${textColumns.map((t) => `Column "${t.column}" holds text, not amounts: all ${t.values} values are words such as ${t.samples.map((v) => `"${v}"`).join(', ')}. `).join('')}${total} cell(s): ${nameSome(found.map((b) => `row ${b.row} (${b.date ?? 'no date'}) ${b.column} = "${b.value}" is ${b.problem}`), 5, total)}.`,
    evidence,
    fix: textColumns.length
      ? `Map spend columns that hold amounts in currency; a column of levels (${textColumns.map((t) => `"${t.column}"`).join(', ')}) can be a factor control instead. Correct any other cells at the source.`
      : 'Correct these cells at the source (refunds and credits belong in a separate column, not negative spend).',
  };
}
