import { IngestError } from './ingest-error.ts';

/*
 * Byte-level inspection done before DuckDB sees a file: DuckDB-WASM hangs on some malformed
 * Parquet (measured: a 7-byte file starting with PAR1 never returns) and reports binary files
 * as "not utf-8", which tells a user nothing. These checks are pure and cheap.
 */

/** File formats Carryover reads. */
export type FileFormat = 'csv' | 'tsv' | 'parquet';
/** Text encodings DuckDB reads without an extension. */
export type TextEncoding = 'utf-8' | 'utf-16' | 'latin-1';

const startsWith = (b: Uint8Array, sig: number[]) => sig.every((v, i) => b[i] === v);
const PAR1 = [0x50, 0x41, 0x52, 0x31];

/** Picks the format from the file name and the first bytes; throws IngestError for spreadsheets and unknown binaries. */
export function detectFormat(file: string, bytes: Uint8Array): FileFormat {
  const ext = file.toLowerCase().split('.').pop() ?? '';
  if (startsWith(bytes, PAR1) || ext === 'parquet') return 'parquet';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0]) || ext === 'xlsx' || ext === 'xls') {
    throw new IngestError('ingest.spreadsheet', file, `${file} is a spreadsheet workbook (Excel/zip), not a CSV or Parquet file.`, 'Open it in your spreadsheet program and save the sheet as CSV (UTF-8), then drop the CSV here.');
  }
  return ext === 'tsv' || ext === 'tab' ? 'tsv' : 'csv';
}

/**
 * Checks the Parquet footer: `PAR1` at both ends and a metadata length that fits the file.
 * A truncated download fails here with a clear message instead of reaching DuckDB.
 */
export function checkParquetFooter(file: string, bytes: Uint8Array): void {
  const n = bytes.length;
  const fix = 'The file is incomplete: download or export it again (Parquet files cannot be repaired by hand).';
  if (n < 12 || !startsWith(bytes, PAR1)) {
    throw new IngestError('ingest.parquet_truncated', file, `${file} is not a complete Parquet file (${n} bytes; a Parquet file starts and ends with "PAR1").`, fix);
  }
  const tail = bytes.subarray(n - 4);
  if (!startsWith(tail, PAR1)) {
    throw new IngestError('ingest.parquet_truncated', file, `${file} is truncated: its last 4 bytes are not the Parquet end marker "PAR1" (${n} bytes read).`, fix);
  }
  const metaLen = bytes[n - 8] | (bytes[n - 7] << 8) | (bytes[n - 6] << 16) | (bytes[n - 5] << 24);
  if (metaLen <= 0 || metaLen > n - 12) {
    throw new IngestError('ingest.parquet_truncated', file, `${file} is damaged: its footer says the metadata is ${metaLen} bytes, but the file has only ${n} bytes.`, fix);
  }
}

/** What the byte scan found about a text file. */
export interface TextInspection {
  encoding: TextEncoding;
  /** Why this encoding: 'bom', 'valid utf-8', 'not valid utf-8' or 'user'. */
  reason: string;
  /** 1-based line of the first byte that is not valid UTF-8 (when the file fell back to latin-1). */
  invalidLine?: number;
  hasBom: boolean;
}

/** Decides the text encoding (UTF-16 by BOM, UTF-8 when valid, latin-1 otherwise) and rejects binary files. */
export function inspectText(file: string, bytes: Uint8Array, override?: TextEncoding): TextInspection {
  const utf16 = startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]);
  const hasBom = utf16 || startsWith(bytes, [0xef, 0xbb, 0xbf]);
  if (override) return { encoding: override, reason: 'user', hasBom };
  if (utf16) return { encoding: 'utf-16', reason: 'bom', hasBom };
  const head = bytes.subarray(0, 8192);
  let controls = 0;
  // Tab, LF, CR and ESC are text; other C0 bytes (NUL above all) mean binary.
  for (const b of head) if (b < 9 || (b > 13 && b < 32 && b !== 27)) controls++;
  if (controls > 0 && controls / head.length > 0.001) {
    throw new IngestError(
      'ingest.binary',
      file,
      `${file} is not a text file: its first ${head.length} bytes contain ${controls} binary control bytes.`,
      'Drop a CSV/TSV text file or a Parquet file. If this is an export from another tool, export it as CSV (UTF-8).',
    );
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { encoding: 'utf-8', reason: 'valid utf-8', hasBom };
  } catch {
    return { encoding: 'latin-1', reason: 'not valid utf-8', invalidLine: firstInvalidUtf8Line(bytes), hasBom };
  }
}

/** 1-based line of the first invalid UTF-8 sequence. */
function firstInvalidUtf8Line(bytes: Uint8Array): number {
  let line = 1;
  let lineStart = 0;
  const dec = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        dec.decode(bytes.subarray(lineStart, i));
      } catch {
        return line;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return line;
}

/**
 * Splits the header line with the sniffed delimiter and quote (names as written in the file,
 * before DuckDB renames duplicates to `x_1` and blanks to `column3`).
 */
export function headerNames(bytes: Uint8Array, encoding: TextEncoding, delimiter: string, quote: string): string[] {
  const label = encoding === 'latin-1' ? 'latin1' : encoding === 'utf-16' ? 'utf-16le' : 'utf-8';
  const text = new TextDecoder(label).decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
  const names: string[] = [];
  let cur = '';
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote && ch === quote) {
      if (inQuote && text[i + 1] === quote) {
        cur += ch;
        i++;
      } else inQuote = !inQuote;
    } else if (!inQuote && ch === delimiter) {
      names.push(cur);
      cur = '';
    } else if (!inQuote && (ch === '\n' || ch === '\r')) break;
    else cur += ch;
  }
  names.push(cur);
  return names.map((s) => s.replace(/^\uFEFF/, '').trim());
}

/**
 * First line whose field count differs from the header's (quote-aware; quoted newlines stay in
 * their field). Returns null when every line agrees. Used to name the line the sniffer tripped on.
 */
export function firstRaggedLine(bytes: Uint8Array, encoding: TextEncoding, delimiter: string, quote: string): { line: number; fields: number; expected: number } | null {
  const label = encoding === 'latin-1' ? 'latin1' : encoding === 'utf-16' ? 'utf-16le' : 'utf-8';
  const text = new TextDecoder(label).decode(bytes);
  let line = 1;
  let recordLine = 1;
  let fields = 1;
  let expected = -1;
  let inQuote = false;
  let empty = true;
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (i < text.length && quote && ch === quote) {
      inQuote = !inQuote;
      empty = false;
    } else if (i < text.length && inQuote) {
      if (ch === '\n') line++;
    } else if (ch === delimiter) {
      fields++;
      empty = false;
    } else if (i === text.length || ch === '\n') {
      if (!empty) {
        if (expected < 0) expected = fields;
        else if (fields !== expected) return { line: recordLine, fields, expected };
      }
      line++;
      recordLine = line;
      fields = 1;
      empty = true;
    } else if (ch !== '\r') empty = false;
  }
  return null;
}

/** True when the bytes hold nothing but spaces, tabs, line breaks and a UTF-8 BOM (scans until the first other byte). */
export function isBlankText(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (!(b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || (i < 3 && (b === 0xef || b === 0xbb || b === 0xbf)))) return false;
  }
  return true;
}

/**
 * The opening of a JSON document or JSON-lines file (`[{"`, `{"`, `[[`, `[1`...), read from the
 * first 256 bytes after a BOM and blanks; null for anything else. DuckDB's CSV sniffer reads
 * JSON as one odd column, which sends the user after the delimiter instead of the format.
 */
export function jsonOpening(bytes: Uint8Array): string | null {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 256)).replace(/^\uFEFF/, '');
  const m = /^\s*(\[\s*[{["\d-]|\{\s*"[^"\n]*"\s*:)/.exec(head);
  return m ? head.trim().replace(/\s+/g, ' ').slice(0, 30) : null;
}

/** First line longer than `limit` bytes (1-based, counting the header) and its length in bytes; null when none. */
export function firstLongLine(bytes: Uint8Array, limit: number): { line: number; bytes: number } | null {
  let line = 1;
  let start = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    if (end - start > limit) return { line, bytes: end - start };
    line++;
    start = end + 1;
  }
  return null;
}

/**
 * Line (1-based) where a field opens a quote that is never closed: RFC 4180 quoting, where a
 * quote opens only at the start of a field, `""` inside a quoted field is a literal quote, and
 * the closing quote ends the field. A quote that "closes" with more text after it (`"ok"` on a
 * later line closing `"spring sale`) is the same mistake seen later: its opening line is named.
 * Null when every quote closes where its field ends. Works on the bytes (delimiter and quote are ASCII), so a file
 * with no quote character costs one native indexOf.
 */
export function unclosedQuoteLine(bytes: Uint8Array, delimiter: string, quote = '"'): number | null {
  const q = quote.charCodeAt(0);
  const d = delimiter.charCodeAt(0);
  if (bytes.indexOf(q) < 0) return null;
  let line = 1;
  let openedAt = 0;
  let inQuote = false;
  let fieldStart = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inQuote) {
      if (b === q) {
        if (bytes[i + 1] === q) i++;
        else {
          const next = bytes[i + 1];
          if (next !== undefined && next !== d && next !== 0x0a && next !== 0x0d && next !== 0x20) return openedAt;
          inQuote = false;
        }
      } else if (b === 0x0a) line++;
      continue;
    }
    if (b === q && fieldStart) {
      inQuote = true;
      openedAt = line;
      fieldStart = false;
    } else if (b === d) fieldStart = true;
    else if (b === 0x0a) {
      line++;
      fieldStart = true;
    } else if (b !== 0x0d && b !== 0x20) fieldStart = false;
  }
  return inQuote ? openedAt : null;
}
