import type { CheckResult } from '../core/check/result.ts';
import { ident, type Db } from './db.ts';

/*
 * Values written for people rather than for programs, read once at ingest so that every later
 * stage (profile, mapping, checks, model) sees plain numbers and dates: thousands separators and
 * currency signs ("$148,660.27", "148.660,27"), percentages ("9.8%"), timestamps with a time
 * zone ("2024-12-02T00:00:00+02:00") and Excel serial day numbers (44564) in a date column.
 * A column is converted only when every non-empty value has the same shape; each conversion is
 * reported as an info naming the column, a value as written and what it became.
 */

const CUR = '[$€£¥]';
/** `1,234,567.89` with optional sign and currency sign before or after; grouping by 3 required when a comma appears. */
const US_NUMBER = `^[-+]?\\s*${CUR}?\\s*[-+]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\\.[0-9]+)?\\s*${CUR}?$`;
/** `1.234.567,89` with optional sign and currency sign. */
const EU_NUMBER = `^[-+]?\\s*${CUR}?\\s*[-+]?([0-9]{1,3}(\\.[0-9]{3})+|[0-9]+)(,[0-9]+)?\\s*${CUR}?$`;
const PERCENT = '^[-+]?[0-9]+([.,][0-9]+)?\\s*%$';
/** Names a date column may have (the mapping's date names); an Excel serial is only read in such a column. */
const DATE_NAME = /^(date|ds|time|week|week_?start|week_?date|period|day|date_?week|dt|month|timestamp)$|date|week/i;
/** Excel serial days between 1954-10-03 and 2099-12-31: plausible marketing dates, not counts or week numbers. */
const EXCEL_MIN = 20_000;
const EXCEL_MAX = 73_050;
/** The ISO date that starts a zoned timestamp, with the rest: `2024-12-02T00:00:00+02:00`, `2024-12-02 00:00:00Z`. */
const ZONED = '^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.]+)?\\s*(Z|z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)?\\s*$';

interface Conversion {
  id: 'ingest.number_format' | 'ingest.timezone' | 'ingest.excel_dates';
  column: string;
  type: 'DOUBLE' | 'DATE';
  /** SQL of the new value from the old column `c` (quoted). */
  using: (c: string) => string;
  /** A value as written and as read, for the message. */
  sample: { written: string; read: string };
  rule: string;
}

const nonEmpty = (q: string) => `${q} IS NOT NULL AND trim(CAST(${q} AS VARCHAR)) <> ''`;

/** How every non-empty value of a text column is written, if they all share one of the convertible shapes. */
async function textShape(db: Db, table: string, column: string): Promise<'us' | 'eu' | 'both' | 'percent' | 'zoned' | null> {
  const q = ident(column);
  const v = `trim(${q})`;
  const [r] = await db.query<Record<string, number>>(
    `SELECT count(*)::DOUBLE AS n,
      count(*) FILTER (WHERE regexp_full_match(${v}, '${US_NUMBER}'))::DOUBLE AS us,
      count(*) FILTER (WHERE regexp_full_match(${v}, '${EU_NUMBER}'))::DOUBLE AS eu,
      count(*) FILTER (WHERE regexp_matches(${v}, '${CUR}|[0-9],[0-9]{3}|[0-9]\\.[0-9]{3}|,'))::DOUBLE AS marked,
      count(*) FILTER (WHERE regexp_full_match(${v}, '${PERCENT}'))::DOUBLE AS pct,
      count(*) FILTER (WHERE regexp_full_match(${v}, '${ZONED}') AND regexp_matches(${v}, '(Z|z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$'))::DOUBLE AS zoned_marked,
      count(*) FILTER (WHERE regexp_full_match(${v}, '${ZONED}'))::DOUBLE AS zoned
     FROM ${ident(table)} WHERE ${nonEmpty(q)}`,
  );
  const n = r?.n ?? 0;
  if (n === 0) return null;
  if (r.pct === n) return 'percent';
  if (r.zoned === n && r.zoned_marked > 0) return 'zoned';
  if (r.marked === 0) return null;
  if (r.us === n && r.eu === n) return 'both';
  return r.us === n ? 'us' : r.eu === n ? 'eu' : null;
}

/** The first non-empty value of a column as text. */
async function firstValue(db: Db, table: string, column: string): Promise<string> {
  const q = ident(column);
  const [r] = await db.query<{ v: string }>(`SELECT CAST(${q} AS VARCHAR) AS v FROM ${ident(table)} WHERE ${nonEmpty(q)} LIMIT 1`);
  return r?.v ?? '';
}

const usSql = (c: string) => `TRY_CAST(regexp_replace(trim(${c}), '[$€£¥,\\s]', '', 'g') AS DOUBLE)`;
const euSql = (c: string) => `TRY_CAST(replace(regexp_replace(trim(${c}), '[$€£¥.\\s]', '', 'g'), ',', '.') AS DOUBLE)`;
const pctSql = (c: string) => `TRY_CAST(replace(regexp_replace(trim(${c}), '[%\\s]', '', 'g'), ',', '.') AS DOUBLE) / 100`;
const zonedSql = (c: string) => `TRY_CAST(substr(trim(${c}), 1, 10) AS DATE)`;
const excelSql = (c: string) => `CAST(DATE '1899-12-30' + CAST(${c} AS INTEGER) AS DATE)`;

/** Reads a converted sample the way the table will hold it. */
async function convertSample(db: Db, written: string, sql: (c: string) => string, type: 'DOUBLE' | 'DATE'): Promise<string> {
  const lit = `'${written.replaceAll("'", "''")}'`;
  const [r] = await db.query<{ v: number | string | null }>(`SELECT ${type === 'DATE' ? `strftime(${sql(lit)}, '%Y-%m-%d')` : sql(lit)} AS v`);
  return r?.v === null || r?.v === undefined ? '?' : typeof r.v === 'number' ? `the number ${String(r.v)}` : r.v;
}

/** The conversions a table needs (none for a table whose columns are already plain). */
async function conversions(db: Db, table: string, delimiter: string | null): Promise<Conversion[]> {
  const cols = await db.query<{ column_name: string; column_type: string }>(`DESCRIBE ${ident(table)}`);
  const out: Conversion[] = [];
  for (const c of cols) {
    const q = ident(c.column_name);
    if (c.column_type === 'VARCHAR') {
      const shape = await textShape(db, table, c.column_name);
      if (shape === null) continue;
      const written = await firstValue(db, table, c.column_name);
      // "1,234" is a thousand in a comma-separated file (the cell had to be quoted) and a decimal elsewhere.
      const kind = shape === 'both' ? (delimiter === ',' ? 'us' : 'eu') : shape;
      const plan = {
        us: { id: 'ingest.number_format', type: 'DOUBLE', sql: usSql, rule: 'thousands separator "," and currency signs removed, "." read as the decimal point' },
        eu: { id: 'ingest.number_format', type: 'DOUBLE', sql: euSql, rule: 'thousands separator "." and currency signs removed, "," read as the decimal point' },
        percent: { id: 'ingest.number_format', type: 'DOUBLE', sql: pctSql, rule: 'percentages read as fractions (9.8% is 0.098)' },
        zoned: {
          id: 'ingest.timezone',
          type: 'DATE',
          sql: zonedSql,
          rule: 'each timestamp was read as the calendar date written before its time, ignoring the zone (local date as written): a week that starts at local midnight stays on its own day, where converting to UTC would move +hh:mm zones to the day before',
        },
      } as const satisfies Record<string, { id: Conversion['id']; type: Conversion['type']; sql: (c: string) => string; rule: string }>;
      const p = plan[kind];
      out.push({ id: p.id, column: c.column_name, type: p.type, using: p.sql, sample: { written, read: await convertSample(db, written, p.sql, p.type) }, rule: p.rule });
    } else if (/^(BIGINT|INTEGER|SMALLINT|HUGEINT|UBIGINT|UINTEGER|DOUBLE|FLOAT|DECIMAL)/.test(c.column_type) && DATE_NAME.test(c.column_name)) {
      const [r] = await db.query<{ n: number; ok: number }>(
        `SELECT count(${q})::DOUBLE AS n, count(*) FILTER (WHERE ${q} = round(${q}) AND ${q} BETWEEN ${EXCEL_MIN} AND ${EXCEL_MAX})::DOUBLE AS ok FROM ${ident(table)}`,
      );
      if (!r || r.n === 0 || r.ok !== r.n) continue;
      const written = await firstValue(db, table, c.column_name);
      out.push({
        id: 'ingest.excel_dates',
        column: c.column_name,
        type: 'DATE',
        using: excelSql,
        sample: { written, read: await convertSample(db, written, excelSql, 'DATE') },
        rule: 'whole numbers between 20000 and 73050 read as Excel serial day numbers (days since 1899-12-30)',
      });
    }
  }
  return out;
}

const TITLE = {
  'ingest.number_format': (c: Conversion) => `Column '${c.column}' read as numbers`,
  'ingest.timezone': (c: Conversion) => `Column '${c.column}' holds timestamps with a time zone: read as dates`,
  'ingest.excel_dates': (c: Conversion) => `Column '${c.column}' holds Excel serial dates: read as dates`,
} satisfies Record<Conversion['id'], (c: Conversion) => string>;

const FIX = {
  'ingest.number_format': 'If this reading is wrong, export plain numbers (no thousands separators, currency signs or %), or set read.decimal in the config.',
  'ingest.timezone': 'If the dates should be converted to UTC first, export them as UTC dates (YYYY-MM-DD).',
  'ingest.excel_dates': 'Format the column as dates (YYYY-MM-DD) in the spreadsheet before exporting, if this reading is wrong.',
} satisfies Record<Conversion['id'], string>;

/**
 * Converts text columns that hold formatted numbers, percentages or zoned timestamps, and
 * date-named numeric columns that hold Excel serial days, in place (column order and rows kept).
 * @param delimiter the CSV delimiter (decides "1,234" between a thousand and a decimal); null for Parquet
 * @returns one info per converted column: the column, a value as written and as read, the rule
 */
export async function readValueFormats(db: Db, table: string, file: string, delimiter: string | null): Promise<CheckResult[]> {
  const found = await conversions(db, table, delimiter);
  for (const c of found) {
    await db.exec(`ALTER TABLE ${ident(table)} ALTER ${ident(c.column)} TYPE ${c.type} USING (${c.using(ident(c.column))})`);
  }
  return found.map((c) => ({
    id: c.id,
    severity: 'info',
    title: TITLE[c.id](c),
    detail: `In ${file}, column '${c.column}' holds values written like '${c.sample.written}', read as ${c.sample.read}: ${c.rule}.`,
    evidence: { file, column: c.column, written: c.sample.written, read: c.sample.read, rule: c.rule },
    fix: FIX[c.id],
  }));
}
