import type { CheckResult, Severity } from '../../core/check/result.ts';
import { formatNumber } from '../../core/format/number.ts';
import { ident } from '../db.ts';
import { num } from './sql.ts';
import type { CheckContext } from './types.ts';

/** One constant column in words: a channel that never spent, a column with no usable number, or the value it always has. */
function describe(c: { column: string; role: string; value: string | null }): string {
  // NULL here means no usable value: the checks read a view where NaN, infinite and absurdly
  // large numbers are already NULL (data.non_finite names them), so "empty" would mislead.
  if (c.value === null) return `"${c.column}" (${c.role}) has no usable value in any row (every cell is empty, text, infinite, not-a-number or larger than 1e15)`;
  const x = Number(c.value);
  const shown = c.value.trim() !== '' && Number.isFinite(x) ? formatNumber(x) : c.value;
  if (c.role === 'spend' && x === 0) return `"${c.column}" (spend) is 0 in every row: a channel that never spent cannot be measured`;
  return `"${c.column}" (${c.role}) is always ${shown}`;
}

/**
 * `data.constant_columns`: a column with one distinct value carries no signal. A constant KPI,
 * spend or numeric control blocks (the model scales by its mean / sd: a zero sd or all-zero
 * spend makes the fit undefined); a constant exposure or single-level factor warns.
 */
export async function checkConstantColumns(ctx: CheckContext): Promise<CheckResult> {
  const m = ctx.mapping;
  const cols = [
    { column: m.kpi, role: 'kpi', numeric: true },
    ...m.channels.map((c) => ({ column: c.spend, role: 'spend', numeric: true })),
    ...m.channels.flatMap((c) => (c.exposure ? [{ column: c.exposure, role: 'exposure', numeric: true }] : [])),
    ...m.controls.map((c) => ({ column: c, role: 'control', numeric: true })),
    ...m.factors.map((c) => ({ column: c, role: 'factor', numeric: false })),
  ];
  if (cols.length === 0) return { id: 'data.constant_columns', severity: 'info', title: 'No columns to check', detail: '', evidence: {} };
  // at most one distinct non-NULL value <=> min = max (or no value): two cheap aggregates
  // instead of a distinct count, which hashes every value of every column
  const [row] = await ctx.db.query<Record<string, boolean | string | null>>(
    `SELECT ${cols
      .map((c, i) => {
        const x = c.numeric ? num(c.column) : ident(c.column);
        return `coalesce(min(${x}) = max(${x}), true) AS k${i}, CAST(min(${x}) AS VARCHAR) AS v${i}`;
      })
      .join(', ')} FROM ${ident(ctx.table)}`,
  );
  const constant = cols
    .map((c, i) => ({ ...c, constant: row?.[`k${i}`] !== false, value: (row?.[`v${i}`] ?? null) as string | null }))
    .filter((c) => c.constant)
    .map((c) => ({ column: c.column, role: c.role, value: c.value, severity: (c.role === 'exposure' || c.role === 'factor' ? 'warn' : 'block') as Severity }));
  const evidence = { checked: cols.length, constant };
  if (constant.length === 0) {
    return { id: 'data.constant_columns', severity: 'info', title: 'No constant columns', detail: `${cols.length} mapped columns vary.`, evidence };
  }
  const severity: Severity = constant.some((c) => c.severity === 'block') ? 'block' : 'warn';
  return {
    id: 'data.constant_columns',
    severity,
    title: 'Constant columns',
    detail: constant.map(describe).join('; ') + '.',
    evidence,
    fix: 'Remove constant columns from the mapping (a channel that never spent cannot be measured), or check the export.',
  };
}
