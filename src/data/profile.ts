import { ident, type Db } from './db.ts';

/** What a column holds, as the mapping heuristics see it. */
export type ColumnKind = 'number' | 'date' | 'text' | 'boolean';

/** Summary of one column: enough to propose its role without reading the rows again. */
export interface ColumnProfile {
  name: string;
  /** DuckDB type (DATE, DOUBLE, BIGINT, VARCHAR...). */
  type: string;
  kind: ColumnKind;
  nonNull: number;
  distinct: number;
  /** For numbers (and text that parses as numbers): min, max, mean of the parsed values; null otherwise. */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Share of non-null values that parse as a number, in [0, 1] (1 for numeric types). */
  numericShare: number;
  /** Share of non-null values that parse as a date, in [0, 1] (1 for DATE/TIMESTAMP). */
  dateShare: number;
  /** Share of parsed numbers that are whole, in [0, 1]. */
  integerShare: number;
  /** Most frequent value and its count (text and boolean columns). */
  top: { value: string; count: number } | null;
  /** Up to 5 distinct values as text, for display. */
  samples: string[];
}

/** Profile of a table: row count and one profile per column, in table order. */
export interface TableProfile {
  table: string;
  rowCount: number;
  columns: ColumnProfile[];
}

const kindOf = (type: string): ColumnKind =>
  /^(DATE|TIMESTAMP)/.test(type) ? 'date' : type === 'BOOLEAN' ? 'boolean' : /^(VARCHAR|BLOB|UUID|ENUM)/.test(type) ? 'text' : 'number';

/** Profiles every column of `table` with one SQL query per column. */
export async function profileTable(db: Db, table: string): Promise<TableProfile> {
  const cols = await db.query<{ column_name: string; column_type: string }>(`DESCRIBE ${ident(table)}`);
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM ${ident(table)}`);
  const out: ColumnProfile[] = [];
  for (const c of cols) {
    const q = ident(c.column_name);
    const kind = kindOf(c.column_type);
    const asNum = kind === 'number' ? `${q}::DOUBLE` : kind === 'text' ? `TRY_CAST(${q} AS DOUBLE)` : 'NULL::DOUBLE';
    const asDate = kind === 'date' ? `${q}::DATE` : kind === 'text' ? `TRY_CAST(${q} AS DATE)` : 'NULL::DATE';
    const [s] = await db.query<Record<string, number | null>>(
      `SELECT count(${q})::DOUBLE AS nn, count(DISTINCT ${q})::DOUBLE AS nd,
        min(x) FILTER (WHERE isfinite(x)) AS mn, max(x) FILTER (WHERE isfinite(x)) AS mx, avg(x) FILTER (WHERE isfinite(x)) AS av,
        count(x)::DOUBLE AS nx, count(x) FILTER (WHERE isfinite(x) AND x = round(x))::DOUBLE AS ni, count(d)::DOUBLE AS ndt
       FROM (SELECT ${q}, ${asNum} AS x, ${asDate} AS d FROM ${ident(table)})`,
    );
    const nn = s.nn ?? 0;
    let top: ColumnProfile['top'] = null;
    if (kind === 'text' || kind === 'boolean') {
      const t = await db.query<{ v: string; c: number }>(`SELECT ${q}::VARCHAR AS v, count(*)::DOUBLE AS c FROM ${ident(table)} WHERE ${q} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1`);
      top = t[0] ? { value: t[0].v, count: t[0].c } : null;
    }
    const samples = (
      await db.query<{ v: string }>(
        kind === 'date'
          ? `SELECT DISTINCT strftime(${q}::TIMESTAMP, '%Y-%m-%d') AS v FROM ${ident(table)} WHERE ${q} IS NOT NULL LIMIT 5`
          : `SELECT DISTINCT ${q}::VARCHAR AS v FROM ${ident(table)} WHERE ${q} IS NOT NULL LIMIT 5`,
      )
    ).map((r) => r.v);
    out.push({
      name: c.column_name,
      type: c.column_type,
      kind,
      nonNull: nn,
      distinct: s.nd ?? 0,
      min: s.mn ?? null,
      max: s.mx ?? null,
      mean: s.av ?? null,
      numericShare: nn ? (s.nx ?? 0) / nn : 0,
      dateShare: nn ? (s.ndt ?? 0) / nn : 0,
      integerShare: s.nx ? (s.ni ?? 0) / s.nx : 0,
      top,
      samples,
    });
  }
  return { table, rowCount: n, columns: out };
}
