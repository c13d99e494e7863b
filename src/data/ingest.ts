import type { CheckResult } from '../core/check/result.ts';
import type { ReadConfig } from '../core/spec/config.ts';
import { ident, literal, type Db } from './db.ts';
import { IngestError } from './ingest-error.ts';
import { checkParquetFooter, detectFormat, firstLongLine, firstRaggedLine, headerNames, inspectText, isBlankText, jsonOpening, unclosedQuoteLine, type FileFormat, type TextEncoding } from './ingest-bytes.ts';
import { readValueFormats } from './ingest-values.ts';
import { loadFindings } from './ingest-findings.ts';
import { loadParquet, type ParquetLoadOptions } from './parquet.ts';
import { formatNumber } from '../core/format/number.ts';

/** A dropped file: its name (for messages and format) and its bytes. */
export interface IngestInput {
  name: string;
  bytes: Uint8Array;
  /** The same bytes as a Blob (the dropped File, a fetched Blob): DuckDB then reads it without a copy. */
  blob?: Blob;
}

/** Options of one ingest: CSV read overrides (the config's `read` section), target table, preview size. */
export interface IngestOptions {
  read?: Partial<ReadConfig>;
  /** Table to create (replaced if it exists). Default `raw`. */
  table?: string;
  /** Rows in the preview. Default 20. */
  previewRows?: number;
  /** How Parquet is decoded (batch size, main thread or worker, stall timeout); defaults suit the app. */
  parquet?: ParquetLoadOptions;
}

/** What the CSV sniffer found (after user overrides); `overridden` lists the keys the user set. */
export interface SnifferFindings {
  delimiter: string;
  quote: string;
  escape: string;
  decimal: '.' | ',';
  /** strftime format of DATE columns, null when none was detected. */
  dateFormat: string | null;
  timestampFormat: string | null;
  header: boolean;
  encoding: TextEncoding;
  overridden: (keyof ReadConfig)[];
}

/** A column of the materialised table: name as DuckDB holds it and its SQL type (DATE, DOUBLE, BIGINT, VARCHAR...). */
export interface ColumnInfo {
  name: string;
  type: string;
}

/** The result of reading one file into DuckDB. */
export interface IngestResult {
  file: string;
  format: FileFormat;
  /** The DuckDB table holding every row as read. */
  table: string;
  rowCount: number;
  columns: ColumnInfo[];
  /** First rows; dates as ISO strings, numbers as numbers, NaN/Infinity as those numbers. */
  preview: Record<string, unknown>[];
  /** Null for Parquet (typed by its schema: numbers DOUBLE, DATE, TIMESTAMP, BOOLEAN, text VARCHAR). */
  sniff: SnifferFindings | null;
  /** Things read but worth saying (renamed headers, encoding fallback, formulas, columns kept as text). */
  findings: CheckResult[];
  /** Columns DuckDB could not type as the sniffer guessed and that were re-read as text: column -> first offending line. */
  textFallback: Record<string, number>;
}

let fileCounter = 0;
const MAX_TEXT_RETRIES = 50;

/**
 * Reads CSV, TSV or Parquet bytes into a DuckDB table with the sniffer's guesses and the user's
 * overrides (CSV), or the file's schema (Parquet, decoded in JS: no DuckDB extension is fetched).
 * Throws IngestError when nothing can be read (empty, binary, truncated, header only, damaged).
 */
export async function ingestFile(db: Db, input: IngestInput, opts: IngestOptions = {}): Promise<IngestResult> {
  const { name: file, bytes } = input;
  const table = opts.table ?? 'raw';
  if (bytes.length === 0 || isBlankText(bytes)) {
    throw new IngestError('ingest.empty', file, `${file} is empty (${bytes.length} bytes${bytes.length ? ' of spaces and blank lines only' : ''}, no header and no rows).`, 'Export the data again; the file should start with a header line such as "date,revenue,tv_spend".');
  }
  const format = detectFormat(file, bytes);
  const json = format === 'parquet' ? null : jsonOpening(bytes);
  if (json !== null) {
    throw new IngestError('ingest.unsupported_format', file, `${file} is JSON, not CSV: it starts with '${json}'.`, 'Export the data as CSV (a header line such as "date,revenue,tv_spend", then one row per date) or as Parquet; JSON is not read.');
  }
  // Never let DuckDB fetch an extension: the app makes no off-origin request, and in node an
  // autoload attempt without network hangs instead of failing.
  await db.exec('SET autoinstall_known_extensions = false');
  await db.exec('SET autoload_known_extensions = false');
  let sniff: SnifferFindings | null = null;
  let textFallback: Record<string, number> = {};
  let headerAsWritten: string[] = [];
  const extra: CheckResult[] = [];
  // Parquet is decoded in JS (hyparquet): nothing is registered with DuckDB but CSV batches.
  const vname = format === 'parquet' ? null : `upload_${++fileCounter}.csv`;
  if (vname) await db.registerFile(vname, bytes, input.blob);
  try {
    if (format === 'parquet') {
      checkParquetFooter(file, bytes);
      const p = await loadParquet(db, file, bytes, table, opts.parquet);
      headerAsWritten = p.headerAsWritten;
      extra.push(...p.findings);
    } else {
      const read = opts.read ?? {};
      const text = inspectText(file, bytes, read.encoding);
      // DuckDB's sniffer takes about a minute over a 10 MB line before it fails, naming line 1.
      const long = bytes.length > MAX_LINE_BYTES ? firstLongLine(bytes, MAX_LINE_BYTES) : null;
      if (long) throw tooLongLine(file, long, MAX_LINE_BYTES);
      let r = await readCsv(db, { file, vname: vname!, table, format, encoding: text.encoding, bytes }, read);
      if (read.delimiter === undefined) {
        // The sniffer falls back to one column when rows disagree on the field count; reading
        // with the delimiter the header suggests names the offending line instead.
        const cols = await db.query<{ column_name: string }>(`DESCRIBE ${ident(table)}`);
        const hint = cols.length === 1 ? /[,;\t|]/.exec(cols[0].column_name)?.[0] : undefined;
        if (hint) {
          try {
            r = await readCsv(db, { file, vname: vname!, table, format, encoding: text.encoding, bytes }, { ...read, delimiter: hint });
          } catch (e) {
            const rag = firstRaggedLine(bytes, text.encoding, hint, '"');
            if (!rag) throw e;
            const d = hint === '\t' ? 'TAB' : `'${hint}'`;
            throw new IngestError('ingest.csv_unreadable', file, `Line ${rag.line} of ${file} has ${rag.fields} fields separated by ${d}, but the header has ${rag.expected}.`, `Fix line ${rag.line} (a missing or extra ${d}, or an unclosed quote) and load the file again.`, undefined, rag.line);
          }
        }
      }
      sniff = r.sniff;
      textFallback = r.textFallback;
      headerAsWritten = sniff.header ? headerNames(bytes, text.encoding, sniff.delimiter, sniff.quote === '(empty)' ? '' : sniff.quote) : [];
      extra.push(...r.findings);
      if (text.reason === 'not valid utf-8') {
        extra.push({
          id: 'ingest.encoding',
          severity: 'warn',
          title: `${file} is not UTF-8; read as Latin-1`,
          detail: `Line ${text.invalidLine} of ${file} has bytes that are not valid UTF-8, so the file was read as Latin-1 (Windows Western). Accented letters may look wrong if the file uses another encoding.`,
          evidence: { file, row: text.invalidLine, encoding: 'latin-1' },
          fix: 'Save the file as "CSV UTF-8" in your spreadsheet program, or set read.encoding in the config.',
        });
      }
    }
    extra.push(...(await readValueFormats(db, table, file, sniff?.delimiter ?? null)));
    const columns = (await db.query<{ column_name: string; column_type: string }>(`DESCRIBE ${ident(table)}`)).map((c) => ({ name: c.column_name, type: c.column_type }));
    const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::DOUBLE AS n FROM ${ident(table)}`);
    if (n === 0) {
      throw new IngestError('ingest.no_rows', file, `${file} has a header (${columns.length} columns: ${columns.slice(0, 5).map((c) => c.name).join(', ')}${columns.length > 5 ? ', ...' : ''}) but no data rows.`, 'Export the data again including the rows, one row per date (and per geo/product if any).');
    }
    const findings = [...extra, ...(await loadFindings(db, { file, table, columns, headerAsWritten, textFallback, sniff, rowCount: n }))];
    const preview = await previewRows(db, table, columns, opts.previewRows ?? 20);
    return { file, format, table, rowCount: n, columns, preview, sniff, findings, textFallback };
  } finally {
    if (vname) await db.dropFile(vname).catch(() => undefined);
  }
}

/** The file readCsv reads: its name for messages, the registered name, the target table, and its bytes (named lines). */
interface CsvSource {
  file: string;
  vname: string;
  table: string;
  format: FileFormat;
  encoding: TextEncoding;
  bytes: Uint8Array;
}

const MAX_LINE_BYTES = 4194304;

/**
 * Sniffs, then materialises, re-reading columns as text when a value breaks the sniffed type.
 * Timestamps with a zone are read as text here (DuckDB-WASM has no time-zone casts without the
 * ICU extension) and turned into dates by readValueFormats.
 */
async function readCsv(db: Db, src: CsvSource, read: Partial<ReadConfig>) {
  const { file, vname, table, format, encoding } = src;
  const overridden = (Object.keys(read) as (keyof ReadConfig)[]).filter((k) => read[k] !== undefined);
  // 8 MB read buffers instead of DuckDB's default 16 x max_line_size (64 MB here): bench:data's
  // 1M-row file peaks at 932-935 MB instead of 978-994 MB (target 1 GB), for ~1.5 s more ingest.
  const args: string[] = ['auto_detect=true', 'sample_size=-1', `max_line_size=${MAX_LINE_BYTES}`, 'buffer_size=8388608'];
  const delim = read.delimiter ?? (format === 'tsv' ? '\t' : undefined);
  if (delim !== undefined) args.push(`delim=${literal(delim)}`);
  if (read.quote !== undefined) args.push(`quote=${literal(read.quote)}`);
  if (read.header !== undefined) args.push(`header=${read.header}`);
  if (read.date_format) args.push(`dateformat=${literal(read.date_format)}`);
  if (encoding !== 'utf-8') args.push(`encoding=${literal(encoding)}`);
  let s: Record<string, unknown>;
  try {
    [s] = await db.query(`SELECT Delimiter, Quote, Escape, HasHeader, DateFormat, TimestampFormat FROM sniff_csv(${literal(vname)}, ${args.join(', ')})`);
  } catch (e) {
    throw csvError(src, e);
  }
  // The sniffer drops quoting when a quote never closes (the rest of the file would be one
  // cell): every quoted value then reads as text with its quotes, and the mapping finds no KPI.
  if (read.quote === undefined && String(s.Quote) === '(empty)' && encoding !== 'utf-16') {
    const line = unclosedQuoteLine(src.bytes, String(s.Delimiter));
    if (line !== null) throw unclosedQuote(file, line);
  }
  const findings: CheckResult[] = [];
  let decimal: '.' | ',' = read.decimal ?? '.';
  const textFallback: Record<string, number> = {};
  const zoned: string[] = [];
  const create = async () => {
    const a = [...args];
    if (decimal === ',') a.push(`decimal_separator=','`);
    const cols = [...Object.keys(textFallback), ...zoned];
    if (cols.length) a.push(`types={${cols.map((c) => `${literal(c)}: 'VARCHAR'`).join(', ')}}`);
    await db.exec(`CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM read_csv(${literal(vname)}, ${a.join(', ')})`);
  };
  for (let attempt = 0; ; attempt++) {
    try {
      await create();
      break;
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const m = /Error when converting column "((?:[^"]|"")+)"/.exec(msg);
      if (!m || attempt >= MAX_TEXT_RETRIES || m[1] in textFallback) throw csvError(src, e);
      textFallback[m[1]] = lineOf(msg) ?? 0;
    }
  }
  const described = await db.query<{ column_name: string; column_type: string }>(`DESCRIBE ${ident(table)}`);
  zoned.push(...described.filter((c) => c.column_type === 'TIMESTAMP WITH TIME ZONE').map((c) => c.column_name));
  if (zoned.length) await create();
  if (read.decimal === undefined && s.Delimiter !== ',') {
    const comma = await decimalCommaColumns(db, table);
    if (comma.length) {
      decimal = ',';
      await create();
      const types = await db.query<{ column_name: string; column_type: string }>(`DESCRIBE ${ident(table)}`);
      comma.splice(0, comma.length, ...comma.filter((c) => types.find((t) => t.column_name === c)?.column_type !== 'VARCHAR'));
      findings.push({
        id: 'ingest.decimal_comma',
        severity: 'info',
        title: 'Numbers use a decimal comma',
        detail: `Columns ${comma.map((c) => `'${c}'`).join(', ')} of ${file} hold numbers written like 1234,56, so "," was read as the decimal separator.`,
        evidence: { file, columns: comma },
        fix: 'If these are not decimals, set read.decimal: "." in the config.',
      });
    }
  }
  const sniff: SnifferFindings = {
    delimiter: String(s.Delimiter),
    quote: String(s.Quote),
    escape: String(s.Escape),
    decimal,
    dateFormat: (s.DateFormat as string | null) ?? null,
    timestampFormat: (s.TimestampFormat as string | null) ?? null,
    header: Boolean(s.HasHeader),
    encoding,
    overridden,
  };
  return { sniff, findings, textFallback };
}

/** Text columns whose every non-empty value looks like `-1.234,56` (and at least one has a comma). */
async function decimalCommaColumns(db: Db, table: string): Promise<string[]> {
  const cols = (await db.query<{ column_name: string; column_type: string }>(`DESCRIBE ${ident(table)}`)).filter((c) => c.column_type === 'VARCHAR');
  const out: string[] = [];
  for (const c of cols) {
    const q = ident(c.column_name);
    const [r] = await db.query<{ bad: number; comma: number }>(
      `SELECT count(*) FILTER (WHERE NOT regexp_full_match(trim(${q}), '-?[0-9]+(,[0-9]+)?'))::DOUBLE AS bad,
              count(*) FILTER (WHERE contains(${q}, ','))::DOUBLE AS comma
       FROM ${ident(table)} WHERE ${q} IS NOT NULL AND trim(${q}) <> ''`,
    );
    if (r.bad === 0 && r.comma > 0) out.push(c.column_name);
  }
  return out;
}

function tooLongLine(file: string, long: { line: number; bytes: number } | null, limit: number): IngestError {
  const at = long ? `Line ${long.line} of ${file} is ${formatNumber(long.bytes)} bytes long` : `A line of ${file} is too long`;
  return new IngestError(
    'ingest.csv_unreadable',
    file,
    `${at}: DuckDB reads lines of at most ${formatNumber(limit)} bytes ("maximum line size exceeded"). A cell that large is not weekly data, or a quote left open joined many lines.`,
    `Remove or shorten the huge cell${long ? ` on line ${long.line}` : ''} (or close its quote), then load the file again.`,
    undefined,
    long?.line,
  );
}

function unclosedQuote(file: string, line: number): IngestError {
  return new IngestError(
    'ingest.csv_unreadable',
    file,
    `Line ${line} of ${file} opens a quote (") that is never closed, so everything after it would be read as one cell.`,
    `Close the quote on line ${line} (or remove it; a quote inside a value is written twice: ""), then load the file again.`,
    undefined,
    line,
  );
}

function csvError(src: Pick<CsvSource, 'file' | 'bytes' | 'encoding'>, e: unknown): IngestError {
  const { file } = src;
  const msg = e instanceof Error ? e.message : String(e);
  const size = /Maximum line size of (\d+) bytes exceeded/.exec(msg);
  // DuckDB counts lines within its read buffer, so its line number is wrong for a huge cell.
  if (size) return tooLongLine(file, firstLongLine(src.bytes, Number(size[1])), Number(size[1]));
  if (src.encoding !== 'utf-16' && /quote|unterminated/i.test(msg)) {
    const open = unclosedQuoteLine(src.bytes, /delimiter = (\S)/.exec(msg)?.[1] ?? ',');
    if (open !== null) return unclosedQuote(file, open);
  }
  const line = lineOf(msg);
  const where = line ? ` (line ${line})` : '';
  if (/not utf-8 encoded|Invalid unicode/i.test(msg)) {
    return new IngestError('ingest.csv_unreadable', file, `${file} has text that is not valid in the chosen encoding${where}.`, 'Save the file as "CSV UTF-8", or set read.encoding (utf-8, utf-16, latin-1) in the config.', undefined, line);
  }
  const cols = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(msg);
  if (cols) {
    return new IngestError('ingest.csv_unreadable', file, `Line ${line} of ${file} has ${cols[2]} fields but the header has ${cols[1]}.`, `Fix line ${line} (a missing or extra delimiter, or an unclosed quote), or set read.delimiter / read.quote in the config.`, undefined, line);
  }
  return new IngestError('ingest.csv_unreadable', file, `${file} could not be read as CSV${where}: ${firstLine(e)}`, 'Check the delimiter, quote and header settings (config section read), or export the file again as CSV UTF-8.', undefined, line);
}

const lineOf = (msg: string) => {
  const m = /Line: (\d+)/.exec(msg);
  return m ? Number(m[1]) : undefined;
};
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n').find((l) => l.trim() && !/^Invalid Input Error: *$/.test(l))?.trim() ?? 'unknown error';

/** First rows in JSON-friendly form: DATE/TIMESTAMP as ISO text, integers/DECIMAL as DOUBLE, other types as text. */
export async function previewRows(db: Db, table: string, columns: ColumnInfo[], limit: number): Promise<Record<string, unknown>[]> {
  const sel = columns.map((c) => `${selectPlain(c)} AS ${ident(c.name)}`).join(', ');
  return db.query(`SELECT ${sel} FROM ${ident(table)} LIMIT ${Math.max(0, Math.floor(limit))}`);
}

/** A SELECT expression that turns a column into plain JSON-friendly values. */
export function selectPlain(c: ColumnInfo): string {
  const q = ident(c.name);
  if (/^(DATE|TIMESTAMP)/.test(c.type)) return `strftime(${q}::TIMESTAMP, '%Y-%m-%d')`;
  if (/^(DECIMAL|HUGEINT|UBIGINT|BIGINT|INTEGER|SMALLINT|TINYINT|UINTEGER|USMALLINT|UTINYINT)/.test(c.type)) return `${q}::DOUBLE`;
  if (/^(VARCHAR|BOOLEAN|DOUBLE|FLOAT|REAL)$/.test(c.type)) return q;
  return `${q}::VARCHAR`;
}
