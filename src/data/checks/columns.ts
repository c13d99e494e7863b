import type { CheckResult } from '../../core/check/result.ts';
import { mappedColumns, type CheckContext, type CheckMapping } from './types.ts';

/**
 * `data.columns`: every mapped column exists in the table, and no column plays two roles
 * (e.g. the KPI also mapped as a channel). Blocks otherwise: nothing downstream can run.
 */
export async function checkColumns(ctx: CheckContext): Promise<CheckResult> {
  return columnsResult(ctx.mapping, ctx.columns.map((c) => c.name));
}

/**
 * The `data.columns` result for a mapping and the table's column names (pure): also the gate
 * before any SQL runs, so a config naming a column the file lacks gets this block, not a
 * DuckDB "Binder Error".
 * @param file when given, the message names the file and lists its columns
 */
export function columnsResult(mapping: CheckMapping, columns: readonly string[], file?: string): CheckResult {
  const present = new Set(columns);
  const lower = new Map(columns.map((c) => [c.toLowerCase(), c]));
  const mapped = mappedColumns(mapping).filter((c) => c.column !== '');
  const missing = mapped.filter((c) => !present.has(c.column));
  const seen = new Map<string, string>();
  const doubled: { column: string; roles: string[] }[] = [];
  for (const { column, role } of mapped) {
    const prev = seen.get(column);
    if (prev !== undefined && prev !== role) doubled.push({ column, roles: [prev, role] });
    else seen.set(column, role);
  }
  const evidence = {
    mapped: mapped.length,
    missing: missing.map((c) => ({ ...c, similar: lower.get(c.column.toLowerCase()) ?? null })),
    doubled,
    tableColumns: [...columns],
  };
  if (missing.length === 0 && doubled.length === 0) {
    return {
      id: 'data.columns',
      severity: 'info',
      title: 'All mapped columns are present',
      detail: `${mapped.length} mapped columns found in the table.`,
      evidence,
    };
  }
  const parts = [
    ...missing.map((c) => `${c.role} column "${c.column}" is not in ${file ?? 'the table'}${evidence.missing.find((m) => m.column === c.column)?.similar ? ` (did you mean "${lower.get(c.column.toLowerCase())}"?)` : ''}`),
    ...doubled.map((d) => `"${d.column}" is mapped as both ${d.roles.join(' and ')}`),
  ];
  return {
    id: 'data.columns',
    severity: 'block',
    title: 'The column mapping does not match the table',
    detail: parts.join('; ') + `.${missing.length && file ? ` Its columns are: ${columns.slice(0, 12).join(', ')}${columns.length > 12 ? `, ... (${columns.length} in all)` : ''}.` : ''}`,
    evidence,
    fix: 'Fix the column mapping on the Data screen (or data.date_col, data.kpi_col and data.channel_map in the config) so every role points at one existing column.',
  };
}
