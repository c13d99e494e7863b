import { toCsv, type CsvCell } from '../format/csv.ts';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { ReportEstimate, ReportModel } from './report-model.ts';

const Q = ['mean', 'median', 'q05', 'q25', 'q75', 'q95'] as const;
const cols = (p: string) => Q.map((q) => `${p}_${q}`);
const vals = (e: ReportEstimate) => Q.map((q) => e[q]);

/**
 * The dashboard table: one row per channel, each estimate as mean, median, 50% and 90% bounds.
 * Columns: channel, spend, roi_*, mroi_*, contribution_*, media_share_*, label, flags.
 */
export function channelTable(m: ReportModel): { header: string[]; rows: CsvCell[][] } {
  const header = ['channel', 'spend', ...cols('roi'), ...cols('mroi'), ...cols('contribution'), ...cols('media_share'), 'label', 'flags'];
  const rows = m.channels.map((c) => [c.name, c.spend, ...vals(c.roi), ...vals(c.mroi), ...vals(c.contribution), ...vals(c.mediaShare), c.label ?? '', c.flags.join('; ')]);
  return { header, rows };
}

/** channelTable as CSV text. */
export function reportCsv(m: ReportModel): string {
  const t = channelTable(m);
  return toCsv(t.header, t.rows);
}

/** The whole report model as pretty JSON. */
export function reportJson(m: ReportModel): string {
  return JSON.stringify(m, null, 2);
}

/** channelTable as a Parquet file (strings UTF8, numbers DOUBLE; hyparquet-writer, no codec). */
export function reportParquet(m: ReportModel): Uint8Array {
  const t = channelTable(m);
  const columnData = t.header.map((name, j) => {
    const str = name === 'channel' || name === 'label' || name === 'flags';
    return str
      ? { name, data: t.rows.map((r) => String(r[j] ?? '')), type: 'STRING' as const }
      : { name, data: t.rows.map((r) => Number(r[j])), type: 'DOUBLE' as const };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}
