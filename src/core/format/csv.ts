/** One cell of a table export: text, a number (written in full precision), or empty. */
export type CsvCell = string | number | null | undefined;

/**
 * RFC 4180 CSV of a header and rows: fields with a comma, quote, CR/LF are quoted, quotes doubled;
 * numbers in full precision (a re-import reads the same value); NaN/Infinity spelled out; null empty.
 * A text cell starting with = + - @ (a spreadsheet formula) gets a leading apostrophe, so a
 * downloaded table never runs a formula when opened in a spreadsheet.
 * @param header column names, length C
 * @param rows each of length C
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const line = (cells: readonly CsvCell[]) => cells.map(csvField).join(',');
  return [line(header), ...rows.map(line)].join('\r\n') + '\r\n';
}

function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  const s = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A file name made from a title: lower case, words joined by '-', nothing a file system rejects. */
export function fileSlug(title: string): string {
  const s = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return s.slice(0, 80) || 'export';
}
