import type { CheckResult } from '../core/check/result.ts';
import { ident, type Db } from './db.ts';

/** What ingest knows when it looks at the loaded table. */
export interface LoadFacts {
  file: string;
  table: string;
  columns: { name: string; type: string }[];
  /** Column names as written in the file (the Parquet schema's; empty for header-less CSV). */
  headerAsWritten: string[];
  textFallback: Record<string, number>;
  /** Null for Parquet. */
  sniff: { delimiter: string; header: boolean } | null;
  rowCount: number;
}

/** Lines of the file above the first data row (the header; none in Parquet, whose rows count from 1). */
const headerLines = (f: LoadFacts) => (f.sniff === null || f.sniff.header === false ? 0 : 1);
/** How a place in the file is named: CSV lines count the header, Parquet rows do not. */
const where = (f: LoadFacts) => (f.sniff === null ? 'Row' : 'Line');

/**
 * Findings about a table that was read: renamed or blank headers, a single column (wrong
 * delimiter), columns re-read as text, and spreadsheet formulas in cells. Each names the file,
 * the column and the line, and says how to fix it.
 */
export async function loadFindings(db: Db, f: LoadFacts): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const { file } = f;
  // DuckDB matches names without case, so 'revenue' and 'Revenue' collide like exact duplicates
  // (in CSV; the Parquet loader names its own renames).
  const seen = new Map<string, number[]>();
  const norm = (h: string) => (f.sniff === null ? h : h.toLowerCase());
  f.headerAsWritten.forEach((h, i) => seen.set(norm(h), [...(seen.get(norm(h)) ?? []), i + 1]));
  for (const [key, pos] of seen) {
    const written = [...new Set(pos.map((p) => f.headerAsWritten[p - 1]!))];
    const h = written[0] ?? key;
    if (h === '') {
      out.push({
        id: 'ingest.header_blank',
        severity: 'warn',
        title: `Blank column name in ${file}`,
        detail: `Column ${pos.join(', ')} of ${file} has no name in the header; it was named ${pos.map((p) => `'${f.columns[p - 1]?.name ?? `column${p}`}'`).join(', ')}.`,
        evidence: { file, positions: pos, names: pos.map((p) => f.columns[p - 1]?.name) },
        fix: 'Give every column a name in the header line (or delete the empty column).',
      });
    } else if (pos.length > 1 && written.length > 1) {
      const names = written.map((w) => `'${w}'`).join(' and ');
      out.push({
        id: 'ingest.header_duplicate',
        severity: 'warn',
        title: `Column names ${names} differ only in case`,
        detail: `Columns ${pos.join(', ')} of ${file} are named ${pos.map((p) => `'${f.headerAsWritten[p - 1]}'`).join(', ')}, which differ only in upper/lower case; they were read as ${pos.map((p) => `'${f.columns[p - 1]?.name}'`).join(', ')}, and only the first is proposed for the model. Check which one is the right '${h}'.`,
        evidence: { file, column: h, written, positions: pos, names: pos.map((p) => f.columns[p - 1]?.name) },
        fix: `Rename one of ${names} in the header so the names differ by more than case (e.g. 'revenue_net').`,
      });
    } else if (pos.length > 1) {
      out.push({
        id: 'ingest.header_duplicate',
        severity: 'warn',
        title: `Column name '${h}' appears ${pos.length} times`,
        detail: `Columns ${pos.join(', ')} of ${file} are all named '${h}'; they were read as ${pos.map((p) => `'${f.columns[p - 1]?.name}'`).join(', ')}, and only the first is proposed for the model. Check which one is the right '${h}'.`,
        evidence: { file, column: h, positions: pos, names: pos.map((p) => f.columns[p - 1]?.name) },
        fix: `Rename the duplicates of '${h}' in the header so every column name is unique.`,
      });
    }
  }
  if (f.columns.length === 1) {
    const name = f.columns[0].name;
    const hint = /[;|\t,]/.exec(name)?.[0];
    out.push({
      id: 'ingest.single_column',
      severity: 'block',
      title: `Only one column found in ${file}`,
      detail: `${file} was read as a single column '${name.slice(0, 80)}'${hint ? `; the header contains '${hint === '\t' ? 'TAB' : hint}', which looks like the real delimiter` : ''}. A model needs at least a date, a KPI and one spend column.`,
      evidence: { file, column: name, delimiter: f.sniff?.delimiter ?? null },
      fix: hint ? `Set read.delimiter: "${hint === '\t' ? '\\t' : hint}" in the config (or choose it in the import options).` : 'Choose the delimiter in the import options (read.delimiter in the config).',
    });
  }
  for (const [col, line] of Object.entries(f.textFallback)) {
    const sample = await db.query<{ v: string }>(`SELECT ${ident(col)} AS v FROM ${ident(f.table)} WHERE ${ident(col)} IS NOT NULL LIMIT 3`);
    out.push({
      id: 'ingest.column_as_text',
      severity: 'warn',
      title: `Column '${col}' mixes formats and was read as text`,
      detail: `In ${file}, column '${col}' changes format at line ${line} (values such as ${sample.map((s) => `'${s.v}'`).join(', ')}), so it was kept as text.`,
      evidence: { file, column: col, row: line },
      fix: `Write every value of '${col}' the same way (one date format, plain numbers), then load the file again.`,
    });
  }
  for (const c of f.columns.filter((c) => c.type === 'VARCHAR')) {
    const q = ident(c.name);
    const hit = await db.query<{ r: number; v: string; n: number }>(
      `SELECT (min(rowid) + ${headerLines(f) + 1})::DOUBLE AS r, arg_min(${q}, rowid) AS v, count(*)::DOUBLE AS n FROM ${ident(f.table)} WHERE regexp_matches(${q}, '^\\s*[=+@-]\\s*[A-Za-z]+\\s*\\(')`,
    );
    if (hit[0] && hit[0].n > 0) {
      out.push({
        id: 'ingest.formula',
        severity: 'warn',
        title: `Spreadsheet formula in column '${c.name}'`,
        detail: `${where(f)} ${hit[0].r} of ${file}, column '${c.name}', holds '${String(hit[0].v).slice(0, 60)}' (${hit[0].n} such cell${hit[0].n > 1 ? 's' : ''}). Formulas are kept as plain text and never evaluated; exports from Carryover quote them.`,
        evidence: { file, column: c.name, row: hit[0].r, count: hit[0].n },
        fix: `Paste values instead of formulas in your spreadsheet (copy the column, "paste values only"), then export again.`,
      });
    }
  }
  return out;
}
