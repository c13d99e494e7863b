import type { CheckResult } from '../core/check/result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import { ident, literal, type Db } from './db.ts';
import type { MappingConfig } from './mapping.ts';

/** A Dataset, or the block that says why none could be built (never a Dataset with NaN in it). */
export type DatasetResult = { ok: true; dataset: Dataset } | { ok: false; result: CheckResult };

/**
 * The single adapter from a cleaned, weekly, one-row-per-week table to the model's Dataset.
 * Channels are named by their channel_map key; every value must be finite (a NaN or a missing
 * cell blocks with the column and week named).
 * @param where optional SQL filter (one key's rows of a geo table)
 */
export async function toDataset(db: Db, table: string, m: MappingConfig, where = ''): Promise<DatasetResult> {
  const channels = Object.entries(m.channel_map);
  const rpkCol = typeof m.revenue_per_kpi === 'string' ? m.revenue_per_kpi : null;
  const numeric = [m.kpi_col, ...channels.map(([, c]) => c.spend), ...m.controls, ...(rpkCol ? [rpkCol] : [])];
  const factors = Object.keys(m.factor_controls);
  const cols = [
    `strftime(TRY_CAST(${ident(m.date_col)} AS DATE), '%Y-%m-%d') AS __date`,
    ...numeric.map((c, i) => `TRY_CAST(${ident(c)} AS DOUBLE) AS n${i}`),
    ...factors.map((f, i) => `CAST(${ident(f)} AS VARCHAR) AS f${i}`),
  ];
  const rows = await db.query<Record<string, unknown>>(`SELECT ${cols.join(', ')} FROM ${ident(table)} ${where ? `WHERE ${where}` : ''} ORDER BY 1`);
  const n = rows.length;
  const dates = rows.map((r) => r.__date as string | null);
  const block = (detail: string, evidence: Record<string, unknown>, fix: string): DatasetResult => ({
    ok: false,
    result: { id: 'data.model_input', severity: 'block', title: 'The cleaned table cannot be handed to the model', detail, evidence, fix },
  });
  const badDate = dates.findIndex((d) => !d);
  if (n === 0) return block(`No rows are left in ${table}${where ? ` for ${where}` : ''}.`, { table }, 'Check the filters in data.filters and the date column.');
  if (badDate >= 0) return block(`Row ${badDate + 1} of the cleaned table has no valid date in '${m.date_col}'.`, { column: m.date_col, row: badDate + 1 }, `Fix the date of that row or map another date column.`);
  for (let i = 1; i < n; i++) {
    if (dates[i] === dates[i - 1]) {
      return block(`Week ${dates[i]} appears more than once after cleaning${where ? ` (${where})` : ''}.`, { column: m.date_col, date: dates[i] }, 'Resolve duplicate rows (cleaning.duplicates) or choose a grain that keeps the key (data.grain.level).');
    }
  }
  const values: Float64Array[] = numeric.map(() => new Float64Array(n));
  for (let j = 0; j < numeric.length; j++) {
    for (let i = 0; i < n; i++) {
      const v = rows[i][`n${j}`];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        return block(
          `Column '${numeric[j]}' has ${v === null || v === undefined ? 'no value' : `the value ${String(v)}`} in week ${dates[i]}: the model needs a finite number in every week.`,
          { column: numeric[j], date: dates[i], value: v === null || v === undefined ? null : String(v) },
          `Fill or correct '${numeric[j]}' for ${dates[i]} (or enable imputation in cleaning.missing_data).`,
        );
      }
      values[j][i] = v;
    }
  }
  if (rpkCol) {
    const rpk = values[numeric.length - 1];
    const bad = rpk.findIndex((v) => !(v > 0));
    if (bad >= 0) {
      return block(
        `Revenue per KPI '${rpkCol}' is ${rpk[bad]} in week ${dates[bad]}: it must be above 0 in every week (it turns the KPI into revenue).`,
        { column: rpkCol, date: dates[bad], value: rpk[bad] },
        `Correct '${rpkCol}' for ${dates[bad]}, or remove data.revenue_per_kpi to read ROI in KPI units.`,
      );
    }
  }
  return {
    ok: true,
    dataset: {
      dates: dates as string[],
      target: { name: m.kpi_col, values: values[0] },
      channels: channels.map(([name], k) => ({ name, spend: values[1 + k] })),
      controls: m.controls.map((name, k) => ({ name, values: values[1 + channels.length + k] })),
      factors: factors.map((name, k) => ({ name, levels: rows.map((r) => String(r[`f${k}`] ?? m.factor_controls[name])), baseline: m.factor_controls[name] })),
      ...revenuePerKpi(m, rpkCol ? values[numeric.length - 1] : null),
    },
  };
}

/** One Dataset per key value of a table that kept a key (geo model); keys in sorted order. */
export async function toDatasetsByKey(db: Db, table: string, m: MappingConfig, key: string): Promise<{ key: string; result: DatasetResult }[]> {
  const keys = await db.query<{ k: string }>(`SELECT DISTINCT CAST(${ident(key)} AS VARCHAR) AS k FROM ${ident(table)} ORDER BY 1`);
  const out: { key: string; result: DatasetResult }[] = [];
  for (const { k } of keys) out.push({ key: k, result: await toDataset(db, table, m, `CAST(${ident(key)} AS VARCHAR) = ${literal(k)}`) });
  return out;
}

/** The Dataset's revenue per KPI from the mapping: a per-week column, a constant, or none. */
function revenuePerKpi(m: MappingConfig, column: Float64Array | null): Pick<Dataset, 'revenuePerKpi'> {
  if (column && typeof m.revenue_per_kpi === 'string') return { revenuePerKpi: { name: m.revenue_per_kpi, values: column } };
  if (typeof m.revenue_per_kpi === 'number') return { revenuePerKpi: { name: null, value: m.revenue_per_kpi } };
  return {};
}
