import type { CheckResult } from '../../core/check/result.ts';
import { formatNumber } from '../../core/format/number.ts';
import { ident } from '../db.ts';
import { based, isoDate, nameSome, num } from './sql.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.kpi_values`: the KPI (revenue, orders, conversions) is a count or an amount >= 0. The
 * model's likelihood and its ROIs are scaled by the KPI's level: negative weeks fit to confident
 * nonsense (ROIs 100x too small) and an all-negative KPI cannot be fitted. Blocks naming the
 * column, the count and the first rows `{row, date, value}`; says when every value is negative
 * (a sign-flipped export).
 */
export async function checkKpiValues(ctx: CheckContext): Promise<CheckResult> {
  const k = ctx.mapping.kpi;
  const x = num(k);
  const [c] = await ctx.db.query<{ n: number; neg: number }>(`SELECT count(${x})::DOUBLE AS n, count(*) FILTER (WHERE ${x} < 0)::DOUBLE AS neg FROM ${ident(ctx.table)}`);
  const n = Number(c?.n ?? 0);
  const neg = Number(c?.neg ?? 0);
  if (neg === 0) {
    return { id: 'data.kpi_values', severity: 'info', title: 'The KPI is never negative', detail: `"${k}" has ${n} numeric values, none below 0.`, evidence: { column: k, values: n, negative: 0 } };
  }
  const rows = await ctx.db.query<{ row: number; date: string | null; value: number }>(
    `SELECT __row::DOUBLE AS row, ${isoDate('__date')} AS date, ${x} AS value FROM ${based(ctx)} b WHERE ${x} < 0 ORDER BY __row LIMIT ${ctx.options.maxNamed}`,
  );
  const named = rows.map((r) => ({ row: Number(r.row), date: r.date, value: Number(r.value) }));
  const all = neg === n;
  const list = nameSome(named.map((r) => `row ${r.row}${r.date ? ` (${r.date})` : ''} = ${formatNumber(r.value)}`), 5, neg);
  return {
    id: 'data.kpi_values',
    severity: 'block',
    title: all ? `Every value of the KPI "${k}" is negative` : `The KPI "${k}" has negative values`,
    detail: all
      ? `All ${n} values of "${k}" are below 0: ${list}. The column looks sign-flipped, or it is not an outcome a model of media can explain.`
      : `${neg} of ${n} values of "${k}" are below 0: ${list}. Revenue, orders or conversions cannot be negative; a model fitted to them gives confident but wrong ROIs.`,
    evidence: { column: k, values: n, negative: neg, all, rows: named },
    fix: all
      ? `Export "${k}" again with the sign of the outcome (revenue as a positive amount), or map a different KPI column.`
      : `Correct these rows at the source (returns and refunds belong in a separate control column, not in the KPI), or map a different KPI column.`,
  };
}
