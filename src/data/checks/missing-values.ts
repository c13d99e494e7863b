import type { CheckResult, Severity } from '../../core/check/result.ts';
import { SEVERITY_RANK } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { based, isoDate, nameSome, round } from './sql.ts';
import { mappedColumns, type CheckContext } from './types.ts';

/**
 * `data.missing_values`: empty cells per mapped column. A missing date or KPI blocks (the week
 * cannot be placed or explained); spend, exposure and controls warn, and block above
 * `missing_values.block_missing_pct` (20%); factors and keys warn. Evidence per column:
 * count, % of rows and the first weeks.
 */
export async function checkMissingValues(ctx: CheckContext): Promise<CheckResult> {
  const cols = mappedColumns(ctx.mapping);
  const counts = await ctx.db.query<Record<string, number>>(
    `SELECT CAST(count(*) AS INTEGER) AS __n, ${cols.map((c, i) => `CAST(count(*) FILTER (WHERE ${ident(c.column)} IS NULL) AS INTEGER) AS m${i}`).join(', ')} FROM ${ident(ctx.table)}`,
  );
  const n = Number(counts[0]?.__n ?? 0);
  const found: { column: string; role: string; missing: number; pct: number | null; weeks: string[]; severity: Severity }[] = [];
  for (const [i, c] of cols.entries()) {
    const missing = Number(counts[0]?.[`m${i}`] ?? 0);
    if (missing === 0) continue;
    const pct = (100 * missing) / n;
    const weeks = await ctx.db.query<{ w: string }>(
      `SELECT coalesce(${isoDate('__date')}, 'row ' || __row) AS w FROM ${based(ctx)} b WHERE ${ident(c.column)} IS NULL ORDER BY __row LIMIT ${ctx.options.maxNamed}`,
    );
    const severity: Severity =
      c.role === 'date' || c.role === 'kpi'
        ? 'block'
        : (c.role === 'spend' || c.role === 'exposure' || c.role === 'control') && pct > ctx.config.missing_values.block_missing_pct
          ? 'block'
          : 'warn';
    found.push({ column: c.column, role: c.role, missing, pct: round(pct, 2), weeks: weeks.map((w) => w.w), severity });
  }
  const evidence = { rows: n, columns: found };
  if (found.length === 0) {
    return { id: 'data.missing_values', severity: 'info', title: 'No missing values', detail: `All ${cols.length} mapped columns are complete over ${n} rows.`, evidence };
  }
  const severity = found.reduce<Severity>((w, f) => (SEVERITY_RANK[f.severity] > SEVERITY_RANK[w] ? f.severity : w), 'info');
  return {
    id: 'data.missing_values',
    severity,
    title: 'Missing values',
    detail: found.map((f) => `"${f.column}" (${f.role}) misses ${f.missing} of ${n} (${f.pct}%): ${nameSome(f.weeks, 3, f.missing)}`).join('; ') + '.',
    evidence,
    fix:
      severity === 'block'
        ? 'Fill the missing dates and KPI values at the source; spend gaps can be handled by cleaning.missing_data (paused vs outage).'
        : 'Cleaning fills spend gaps (paused campaign -> 0, tracking outage -> imputed) and interpolates controls; check the lineage afterwards.',
  };
}
