import type { CheckResult } from '../../core/check/result.ts';
import { mappedColumns, type CheckContext } from './types.ts';

/**
 * `data.columns`: every mapped column exists in the table, and no column plays two roles
 * (e.g. the KPI also mapped as a channel). Blocks otherwise: nothing downstream can run.
 */
export async function checkColumns(ctx: CheckContext): Promise<CheckResult> {
  const present = new Set(ctx.columns.map((c) => c.name));
  const lower = new Map(ctx.columns.map((c) => [c.name.toLowerCase(), c.name]));
  const mapped = mappedColumns(ctx.mapping);
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
    tableColumns: ctx.columns.map((c) => c.name),
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
    ...missing.map((c) => `${c.role} column "${c.column}" is not in the table${evidence.missing.find((m) => m.column === c.column)?.similar ? ` (did you mean "${lower.get(c.column.toLowerCase())}"?)` : ''}`),
    ...doubled.map((d) => `"${d.column}" is mapped as both ${d.roles.join(' and ')}`),
  ];
  return {
    id: 'data.columns',
    severity: 'block',
    title: 'The column mapping does not match the table',
    detail: parts.join('; ') + '.',
    evidence,
    fix: 'Fix the column mapping on the Data screen so every role points at one existing column.',
  };
}
