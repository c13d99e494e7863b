import type { CsvCell } from '../../core/format/csv.ts';

/** What a DataTable shows, and optionally a CSV with the full-precision numbers behind text cells. */
export interface TableData {
  columns: string[];
  rows: CsvCell[][];
  csv?: { columns: string[]; rows: CsvCell[][] };
}

/** CSV columns of an estimate under a prefix: mean, median, 5%, 25%, 75%, 95%, sd. */
export function estimateColumns(prefix: string): string[] {
  return ['mean', 'median', 'q05', 'q25', 'q75', 'q95', 'sd'].map((k) => `${prefix}_${k}`);
}

/** The cells of estimateColumns for an estimate (empty when absent). */
export function estimateCells(e: { mean: number; median: number; q05: number; q25: number; q75: number; q95: number; sd: number } | undefined): CsvCell[] {
  return e ? [e.mean, e.median, e.q05, e.q25, e.q75, e.q95, e.sd] : [null, null, null, null, null, null, null];
}
