import type { CheckResult } from '../core/check/result.ts';
import { ident, type Db } from './db.ts';
import type { MappingConfig } from './mapping.ts';

/** Magnitude above which a value is treated as broken: sums of a few such values overflow float64 checks. */
export const MAX_ABS_VALUE = 1e15;

/**
 * `data.non_finite`: NaN, Infinity or absurdly large numbers (|x| > 1e15) in a mapped numeric
 * column. DuckDB parses "NaN" and "Infinity" as numbers, so the type check passes them; the
 * model would silently turn them into NaN. Blocks naming the column and the first rows.
 * Rows are 1-based data rows (the file line is row + 1 with a header).
 */
export async function checkNonFinite(db: Db, table: string, m: MappingConfig): Promise<CheckResult> {
  const cols = [...new Set([m.kpi_col, ...Object.values(m.channel_map).flatMap((c) => (c.exposure ? [c.spend, c.exposure] : [c.spend])), ...m.controls])];
  const problems: { column: string; count: number; rows: { row: number; value: string }[] }[] = [];
  for (const c of cols) {
    const x = `TRY_CAST(${ident(c)} AS DOUBLE)`;
    const rows = await db.query<{ row: number; value: string; n: number }>(
      `SELECT row::DOUBLE AS row, value, (count(*) OVER ())::DOUBLE AS n FROM (
         SELECT row_number() OVER () AS row, CAST(${ident(c)} AS VARCHAR) AS value, ${x} AS x FROM ${ident(table)})
       WHERE isnan(x) OR isinf(x) OR abs(x) > ${MAX_ABS_VALUE} ORDER BY row LIMIT 10`,
    );
    if (rows.length) problems.push({ column: c, count: rows[0].n, rows: rows.map((r) => ({ row: r.row, value: r.value })) });
  }
  if (!problems.length) {
    return { id: 'data.non_finite', severity: 'info', title: 'All numbers are finite', detail: `${cols.length} mapped numeric columns hold only finite numbers below ${MAX_ABS_VALUE.toExponential()} in size.`, evidence: { columns: cols } };
  }
  return {
    id: 'data.non_finite',
    severity: 'block',
    title: 'NaN, Infinity or absurdly large numbers',
    detail: problems.map((p) => `'${p.column}' has ${p.count} such value(s): ${p.rows.slice(0, 5).map((r) => `row ${r.row} ("${r.value}")`).join(', ')}`).join('; ') + '.',
    evidence: { problems, maxAbs: MAX_ABS_VALUE },
    fix: 'Replace them in the source file with the real number, or leave the cell empty so the missing-data policy handles it.',
  };
}
