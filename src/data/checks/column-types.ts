import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { based, dateOf, nameSome } from './sql.ts';
import { dateFacts } from './table-facts.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.types`: the date column parses as a date and the KPI, exposure and control columns hold
 * numbers. Blocks naming the rows whose value does not parse (spend has its own check,
 * `data.spend_values`). Evidence: per column, the count and the first rows `{row, value}`.
 */
export async function checkColumnTypes(ctx: CheckContext): Promise<CheckResult> {
  const m = ctx.mapping;
  const numeric = [m.kpi, ...m.channels.flatMap((c) => (c.exposure ? [c.exposure] : [])), ...m.controls];
  const probes = [
    { column: m.date, kind: 'date', bad: `${ident(m.date)} IS NOT NULL AND __date IS NULL` },
    ...numeric.map((c) => ({ column: c, kind: 'number', bad: `${ident(c)} IS NOT NULL AND TRY_CAST(${ident(c)} AS DOUBLE) IS NULL` })),
  ];
  const problems: { column: string; expected: string; count: number; rows: { row: number; value: string }[] }[] = [];
  // one scan counts every probe's bad values; rows are named only for probes that found some
  const [counts] = await ctx.db.query<Record<string, number>>(
    `SELECT ${probes.map((p, i) => `CAST(count(*) FILTER (WHERE ${p.bad}) AS DOUBLE) AS n${i}`).join(', ')} FROM (SELECT ${dateOf(m.date)} AS __date, * FROM ${ident(ctx.table)})`,
  );
  for (const [i, p] of probes.entries()) {
    const count = Number(counts?.[`n${i}`] ?? 0);
    if (count === 0) continue;
    const rows = await ctx.db.query<{ row: number; value: string }>(
      `SELECT __row AS row, CAST(${ident(p.column)} AS VARCHAR) AS value FROM ${based(ctx)} b WHERE ${p.bad} ORDER BY __row LIMIT ${ctx.options.maxNamed}`,
    );
    problems.push({ column: p.column, expected: p.kind, count, rows: rows.map((r) => ({ row: Number(r.row), value: r.value })) });
  }
  const dateType = ctx.columns.find((c) => c.name === m.date)?.type ?? 'unknown';
  const dates = await dateFacts(ctx);
  const evidence = { dateType, first: dates[0]?.iso ?? null, last: dates.at(-1)?.iso ?? null, problems };
  if (problems.length === 0) {
    return {
      id: 'data.types',
      severity: 'info',
      title: 'Dates parse and numeric columns hold numbers',
      detail: `Date column "${m.date}" (${dateType}) spans ${evidence.first} to ${evidence.last}; ${numeric.length} numeric columns parse.`,
      evidence,
    };
  }
  return {
    id: 'data.types',
    severity: 'block',
    title: 'Some values are not of the expected type',
    detail: problems
      .map((p) => `"${p.column}" has ${p.count} value(s) that are not a ${p.expected}: rows ${nameSome(p.rows.map((r) => `${r.row} ("${r.value}")`), 5, p.count)}`)
      .join('; ') + '.',
    evidence,
    fix: 'Correct the named rows in the source file (dates as YYYY-MM-DD, numbers without units or thousands separators), or map a different column.',
  };
}
