import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { based, isoDate, nameSome } from './sql.ts';
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
  for (const p of probes) {
    const rows = await ctx.db.query<{ row: number; value: string; n: number }>(
      `SELECT __row AS row, CAST(${ident(p.column)} AS VARCHAR) AS value, count(*) OVER () AS n FROM ${based(ctx)} b WHERE ${p.bad} ORDER BY __row LIMIT ${ctx.options.maxNamed}`,
    );
    if (rows.length) problems.push({ column: p.column, expected: p.kind, count: Number(rows[0]!.n), rows: rows.map((r) => ({ row: Number(r.row), value: r.value })) });
  }
  const dateType = ctx.columns.find((c) => c.name === m.date)?.type ?? 'unknown';
  const range = await ctx.db.query<{ first: string | null; last: string | null }>(
    `SELECT ${isoDate('min(__date)')} AS first, ${isoDate('max(__date)')} AS last FROM ${based(ctx)} b`,
  );
  const evidence = { dateType, first: range[0]?.first ?? null, last: range[0]?.last ?? null, problems };
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
      .map((p) => `"${p.column}" has ${p.count} value(s) that are not a ${p.expected}: rows ${nameSome(p.rows.map((r) => `${r.row} ("${r.value}")`), 5)}`)
      .join('; ') + '.',
    evidence,
    fix: 'Correct the named rows in the source file (dates as YYYY-MM-DD, numbers without units or thousands separators), or map a different column.',
  };
}
