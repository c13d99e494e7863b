import { parquetMetadata, parquetRead, parquetSchema } from 'hyparquet';
import type { Compressors, FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from 'hyparquet';
import type { CheckResult } from '../core/check/result.ts';
import { IngestError } from './ingest-error.ts';

/*
 * Parquet -> typed CSV text, in plain JS (hyparquet), with no DuckDB: runs on the main thread or
 * in a worker (parquet.worker.ts). One row group is decoded at a time and handed out in batches of
 * CSV lines that DuckDB reads with explicit column types. The shortest round-trip number text that
 * String(x) writes parses back to the same float64, so numbers arrive bit-identical.
 */

/** SQL type a Parquet column lands as: numbers (any width, DECIMAL, INT64) as DOUBLE, so no BigInt leaks. */
export type ParquetSqlType = 'DOUBLE' | 'DATE' | 'TIMESTAMP' | 'BOOLEAN' | 'VARCHAR';

/** How one top-level Parquet column becomes a DuckDB column. */
interface ColumnPlan {
  /** Name in the file (hyparquet's key). */
  source: string;
  /** Name in DuckDB: the file's, made unique (DuckDB names are case-insensitive) and non-blank. */
  name: string;
  sqlType: ParquetSqlType;
  cell: (v: unknown) => string;
}

/** What the footer says, known before any row is decoded. */
export interface ParquetHead {
  /** Names as written in the file of the columns read (aligned with `columns`). */
  headerAsWritten: string[];
  /** Columns of the table, in file order. */
  columns: { name: string; type: ParquetSqlType }[];
  numRows: number;
  rowGroups: number;
  /** Warnings: columns left out (a type Carryover cannot hold, a repeated name) or renamed (names equal but for case). */
  findings: CheckResult[];
}

/** Rows [firstRow, firstRow + rows) as UTF-8 CSV lines (no header), in `columns` order. */
export interface CsvBatch {
  bytes: Uint8Array;
  firstRow: number;
  rows: number;
  /** Some text cell holds a line break (DuckDB must then read the batch serially). */
  multiline: boolean;
  /** Longest line, bytes. */
  longest: number;
}

/** Default cells (rows x columns) per CSV batch: ~10-20 MB of text, bounds memory. */
export const DEFAULT_BATCH_CELLS = 1_000_000;

const FIX = 'Export the file again as Parquet (snappy, gzip or zstd) or as CSV UTF-8.';

/**
 * Decodes one Parquet file into CSV batches, one row group in memory at a time. The constructor
 * reads the footer; throws IngestError('ingest.parquet_unreadable') naming the file when the
 * footer or a page cannot be decoded or a value cannot be stored.
 */
export class ParquetCsvDecoder {
  /** Columns and findings of the file. */
  readonly head: ParquetHead;
  private readonly buf: ArrayBuffer;
  private readonly metadata: FileMetaData;
  private readonly plans: ColumnPlan[];
  private readonly batchRows: number;
  private compressors: Compressors | undefined | null = null;
  private group = -1;
  private groupStart = 0;
  private groupRows = 0;
  private cols: ArrayLike<unknown>[] = [];
  private from = 0;

  /** @param bytes the whole file (past checkParquetFooter); @param batchCells rows x columns per batch */
  constructor(readonly file: string, bytes: Uint8Array, batchCells = DEFAULT_BATCH_CELLS) {
    this.buf = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
    let tree: SchemaTree;
    let planned: ReturnType<typeof planColumns>;
    try {
      this.metadata = parquetMetadata(this.buf, { parsers: PARSERS });
      tree = parquetSchema(this.metadata);
      normaliseLogicalTypes(this.metadata);
      planned = planColumns(file, tree);
    } catch (e) {
      throw unreadable(file, 'its footer (schema and row groups) cannot be decoded', e);
    }
    this.plans = planned.plans;
    if (this.plans.length === 0) {
      throw new IngestError('ingest.parquet_unreadable', file, `${file} has no column Carryover can read (${tree.children.length} columns in the file).`, FIX);
    }
    this.batchRows = Math.max(1, Math.floor(batchCells / this.plans.length));
    this.head = {
      headerAsWritten: this.plans.map((p) => p.source),
      columns: this.plans.map((p) => ({ name: p.name, type: p.sqlType })),
      numRows: Number(this.metadata.num_rows),
      rowGroups: this.metadata.row_groups.length,
      findings: planned.findings,
    };
  }

  /** The next batch of rows in file order, or null after the last row. */
  async next(): Promise<CsvBatch | null> {
    while (this.from >= this.groupRows) {
      if (this.group + 1 >= this.metadata.row_groups.length) return null;
      await this.readGroup(this.group + 1);
    }
    const from = this.from;
    const to = Math.min(this.groupRows, from + this.batchRows);
    this.from = to;
    try {
      const b = csvBatch(this.plans, this.cols, from, to);
      return { bytes: b.bytes, firstRow: this.groupStart + from, rows: to - from, multiline: b.multiline, longest: b.longest };
    } catch (e) {
      if (!(e instanceof CellError)) throw e;
      throw unreadable(this.file, `column '${this.plans[e.column].source}', row ${this.groupStart + e.row + 1} holds ${e.message}`);
    }
  }

  private async readGroup(g: number): Promise<void> {
    const { file, metadata, plans } = this;
    const groupStart = this.group < 0 ? 0 : this.groupStart + this.groupRows;
    const groupRows = Number(metadata.row_groups[g].num_rows);
    this.cols = [];
    if (!(groupRows >= 0) || groupStart + groupRows > Number(metadata.num_rows)) {
      throw unreadable(file, `row group ${g + 1} claims ${groupRows} rows, more than the file's ${metadata.num_rows}`);
    }
    if (groupRows > 0) {
      this.compressors ??= await compressorsFor(metadata);
      const data = new Map<string, ArrayLike<unknown>[]>(plans.map((p) => [p.source, []]));
      try {
        await parquetRead({
          file: this.buf,
          metadata,
          columns: plans.map((p) => p.source),
          rowStart: groupStart,
          rowEnd: groupStart + groupRows,
          compressors: this.compressors,
          parsers: PARSERS,
          onChunk: (c) => {
            if (c.rowStart < groupStart || c.rowEnd > groupStart + groupRows) throw new Error(`chunk of ${c.columnName} outside row group ${g + 1}`);
            data.get(c.columnName)?.push(c.columnData);
          },
        });
      } catch (e) {
        throw unreadable(file, `row group ${g + 1} of ${metadata.row_groups.length} cannot be decoded`, e);
      }
      this.cols = plans.map((p) => {
        const parts = data.get(p.source)!;
        const col = parts.length === 1 ? parts[0] : parts.flatMap((a) => Array.from(a));
        if (col.length !== groupRows) throw unreadable(file, `column '${p.source}' has ${col.length} values in row group ${g + 1}, which has ${groupRows} rows`);
        return col;
      });
    }
    this.group = g;
    this.groupStart = groupStart;
    this.groupRows = groupRows;
    this.from = 0;
  }
}

/**
 * One plan per readable top-level column. DuckDB names are case-insensitive, so names equal but
 * for case get a suffix; hyparquet keys columns by name, so an exact repeat cannot be read.
 */
function planColumns(file: string, tree: SchemaTree): { plans: ColumnPlan[]; findings: CheckResult[] } {
  const findings: CheckResult[] = [];
  const plans: ColumnPlan[] = [];
  const taken = new Map<string, string>();
  const skip = (source: string, why: string, fix: string) =>
    findings.push({ id: 'ingest.parquet_column_skipped', severity: 'warn', title: `Column '${source}' of ${file} was left out`, detail: `Column '${source}' of ${file} ${why}; the other columns were read.`, evidence: { file, column: source }, fix });
  tree.children.forEach((c, i) => {
    const source = c.element.name;
    if (typeof source !== 'string') throw new Error(`column ${i + 1} has no name`);
    if (plans.some((p) => p.source === source)) return skip(source, 'appears twice in the schema and only the first one can be read', `Rename one of the columns named '${source}' before exporting.`);
    const kind = columnKind(c);
    if (kind === null) return skip(source, `has the Parquet type ${c.element.logical_type?.type ?? c.element.converted_type}, which Carryover cannot hold`, `If you need '${source}', convert it to a number or text before exporting.`);
    const base = source.trim() === '' ? `column${i}` : source;
    let name = base;
    for (let k = 1; taken.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    const clash = taken.get(base.toLowerCase());
    if (clash !== undefined && source.trim() !== '') {
      findings.push({
        id: 'ingest.header_duplicate',
        severity: 'warn',
        title: `Column names '${clash}' and '${source}' differ only in case`,
        detail: `Columns '${clash}' and '${source}' of ${file} differ only in upper/lower case, which the database treats as the same name; '${source}' was read as '${name}'. Check which one is the right '${clash}'.`,
        evidence: { file, column: source, names: [clash, name] },
        fix: `Rename '${source}' (or '${clash}') so the names differ by more than case.`,
      });
    }
    taken.set(name.toLowerCase(), name);
    plans.push({ source, name, ...kind });
  });
  return { plans, findings };
}

function unreadable(file: string, what: string, e?: unknown): IngestError {
  const why = e === undefined ? '' : `: ${(e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200)}`;
  return new IngestError('ingest.parquet_unreadable', file, `${file} could not be read as Parquet: ${what}${why}.`, FIX);
}

/** A value that cannot be stored: `message` says what it is; column index and 0-based row within the group. */
class CellError extends Error {
  constructor(message: string, readonly column: number, readonly row: number) {
    super(message);
  }
}

const encoder = new TextEncoder();

/** A growable UTF-8 byte buffer: writing cells straight to bytes skips building line strings (~3x faster). */
class ByteSink {
  buf: Uint8Array;
  n = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(1024, capacity));
  }
  /** Appends `s` as UTF-8 (ASCII fast path). */
  write(s: string): void {
    const len = s.length;
    if (this.n + 3 * len > this.buf.length) this.grow(3 * len);
    const buf = this.buf;
    let n = this.n;
    for (let i = 0; i < len; i++) {
      const ch = s.charCodeAt(i);
      if (ch >= 128) {
        n += encoder.encodeInto(s.slice(i), buf.subarray(n)).written;
        break;
      }
      buf[n++] = ch;
    }
    this.n = n;
  }
  byte(b: number): void {
    if (this.n + 1 > this.buf.length) this.grow(1);
    this.buf[this.n++] = b;
  }
  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(2 * this.buf.length, this.n + extra + 1024));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }
}

/** CSV bytes of rows [from, to): one line per row, cells rendered by each column's plan. */
function csvBatch(plans: ColumnPlan[], cols: ArrayLike<unknown>[], from: number, to: number) {
  const nc = plans.length;
  const sink = new ByteSink((to - from) * nc * 12);
  const isText = plans.map((p) => p.sqlType === 'VARCHAR');
  let multiline = false;
  let longest = 0;
  for (let r = from; r < to; r++) {
    const start = sink.n;
    for (let c = 0; c < nc; c++) {
      let cell: string;
      try {
        cell = plans[c].cell(cols[c][r]);
      } catch (e) {
        throw new CellError(e instanceof Error ? e.message : String(e), c, r);
      }
      if (c > 0) sink.byte(44); // ,
      sink.write(cell);
      if (isText[c] && !multiline && (cell.includes('\n') || cell.includes('\r'))) multiline = true;
    }
    sink.byte(10); // \n
    if (sink.n - start > longest) longest = sink.n - start;
  }
  return { bytes: sink.buf.subarray(0, sink.n), multiline, longest };
}

/*
 * Parsers give DuckDB-ready text for dates and timestamps (no Date objects, no lost microseconds):
 * DATE 'YYYY-MM-DD', TIMESTAMP 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC wall clock, as DuckDB reads Parquet).
 */
const PARSERS: Partial<ParquetParsers> = {
  dateFromDays: (days: number) => isoDate(days),
  timestampFromMilliseconds: (ms: bigint) => isoTimestamp(BigInt(ms) * 1000n),
  timestampFromMicroseconds: (us: bigint) => isoTimestamp(BigInt(us)),
  timestampFromNanoseconds: (ns: bigint) => isoTimestamp(floorDiv(BigInt(ns), 1000n)),
};

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const floorDiv = (a: bigint, b: bigint) => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** Days since 1970-01-01 -> 'YYYY-MM-DD' (proleptic Gregorian; H. Hinnant's civil_from_days). */
export function isoDate(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y < 0 ? '-' : ''}${pad(Math.abs(y), 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** Microseconds since the epoch -> 'YYYY-MM-DD HH:MM:SS.ffffff'. */
export function isoTimestamp(us: bigint): string {
  const day = 86_400_000_000n;
  const days = floorDiv(us, day);
  const t = Number(us - days * day);
  const s = Math.floor(t / 1e6);
  return `${isoDate(Number(days))} ${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}.${pad(t % 1e6, 6)}`;
}

/*
 * hyparquet applies DATE and DECIMAL by converted_type only; writers that set just the logical
 * type would hand back day counts and unscaled integers. Copying the logical type over fixes that.
 */
function normaliseLogicalTypes(m: FileMetaData): void {
  for (const e of m.schema) {
    const lt = e.logical_type;
    if (!lt || e.converted_type) continue;
    if (lt.type === 'DATE') e.converted_type = 'DATE';
    if (lt.type === 'DECIMAL') Object.assign(e, { converted_type: 'DECIMAL', scale: lt.scale, precision: lt.precision });
  }
}

const numberCell = (v: unknown): string => {
  if (typeof v === 'number') return v === v ? (v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v)) : 'nan';
  if (typeof v === 'bigint') return String(v);
  return v == null ? '' : String(v);
};
const quote = (s: string) => `"${s.includes('"') ? s.replaceAll('"', '""') : s}"`;
const textCell = (v: unknown): string => {
  if (v == null) return '';
  if (typeof v === 'string') return quote(v);
  if (v instanceof Uint8Array) return quote(Array.from(v, (b) => b.toString(16).padStart(2, '0')).join(''));
  if (typeof v === 'object') return quote(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x)));
  return quote(String(v));
};
/*
 * Dates outside years 1..9999 are corrupt pages or sentinels no export means as a real date; a
 * CSV reader would not take them either, and DuckDB cannot turn them into timestamps later.
 */
const inRange = (iso: string, what: string): string => {
  if (!/^\d{4}-/.test(iso) || iso.startsWith('0000')) throw new Error(`the ${what} ${iso}, outside the years 1 to 9999`);
  return iso;
};
const dateCell = (v: unknown): string => (v == null ? '' : inRange(typeof v === 'number' ? isoDate(v) : v instanceof Date ? v.toISOString().slice(0, 10) : String(v), 'date'));
const timestampCell = (v: unknown): string => (v == null ? '' : inRange(v instanceof Date ? v.toISOString().replace('T', ' ').replace('Z', '') : String(v), 'timestamp'));
const boolCell = (v: unknown): string => (v == null ? '' : v ? 'true' : 'false');
const timeCell = (unit: 'MILLIS' | 'MICROS' | 'NANOS') => (v: unknown): string => {
  if (v == null) return '';
  const us = unit === 'MILLIS' ? BigInt(v as number) * 1000n : unit === 'MICROS' ? BigInt(v as bigint) : BigInt(v as bigint) / 1000n;
  return quote(isoTimestamp(us).slice(11));
};

/** The SQL type and cell renderer of a top-level column, or null when Carryover cannot hold it. */
function columnKind(c: SchemaTree): Pick<ColumnPlan, 'sqlType' | 'cell'> | null {
  const e: SchemaElement = c.element;
  const lt = e.logical_type?.type;
  const ct = e.converted_type;
  if (c.children.length > 0) return lt === 'VARIANT' ? null : { sqlType: 'VARCHAR', cell: textCell };
  if (lt === 'INTERVAL' || ct === 'INTERVAL' || lt === 'BSON' || ct === 'BSON') return null;
  if (lt === 'DATE' || ct === 'DATE') return { sqlType: 'DATE', cell: dateCell };
  if (lt === 'TIMESTAMP' || ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS' || (e.type === 'INT96' && !ct)) return { sqlType: 'TIMESTAMP', cell: timestampCell };
  if (e.logical_type?.type === 'TIME') return { sqlType: 'VARCHAR', cell: timeCell(e.logical_type.unit) };
  if (ct === 'TIME_MILLIS' || ct === 'TIME_MICROS') return { sqlType: 'VARCHAR', cell: timeCell(ct === 'TIME_MILLIS' ? 'MILLIS' : 'MICROS') };
  if (lt === 'DECIMAL' || ct === 'DECIMAL' || lt === 'FLOAT16' || lt === 'INTEGER' || /^U?INT_/.test(ct ?? '')) return { sqlType: 'DOUBLE', cell: numberCell };
  if (lt === 'STRING' || lt === 'ENUM' || lt === 'JSON' || lt === 'UUID' || ct === 'UTF8' || ct === 'ENUM' || ct === 'JSON') return { sqlType: 'VARCHAR', cell: textCell };
  if (e.type === 'BOOLEAN') return { sqlType: 'BOOLEAN', cell: boolCell };
  if (e.type === 'INT32' || e.type === 'INT64' || e.type === 'FLOAT' || e.type === 'DOUBLE') return { sqlType: 'DOUBLE', cell: numberCell };
  return { sqlType: 'VARCHAR', cell: textCell };
}

/** hyparquet decodes uncompressed and snappy pages itself; other codecs load their decoders on demand. */
async function compressorsFor(m: FileMetaData): Promise<Compressors | undefined> {
  const codecs = new Set(m.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data?.codec)));
  codecs.delete('UNCOMPRESSED');
  codecs.delete('SNAPPY');
  codecs.delete(undefined);
  if (codecs.size === 0) return undefined;
  const c = await import('hyparquet-compressors');
  return { GZIP: c.decompressGzip, BROTLI: c.decompressBrotli, ZSTD: (input) => c.decompressZstd(input), LZ4: c.decompressLz4, LZ4_RAW: c.decompressLz4Raw };
}
