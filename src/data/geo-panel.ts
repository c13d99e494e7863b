import type { CheckResult } from '../core/check/result.ts';
import { geoDatasetFromLong, type GeoDataset, type LongTable } from '../core/model/geo-dataset.ts';
import { ident, type Db } from './db.ts';
import type { MappingConfig } from './mapping.ts';

/*
 * The geo model's input from the cleaned weekly table: one panel unit per kept key value (a geo,
 * or a geo x product pair labelled "geo / product"), every unit on the same weeks. The problems
 * the model cannot take (a unit missing weeks, an empty cell, a population that is missing, zero
 * or changing) are found here in SQL and named by unit, column and week; the values then go
 * through core's geoDatasetFromLong, the one builder of a GeoDataset.
 */

/** The geo model's input: the panel, and revenue per KPI per unit-week when data.revenue_per_kpi is mapped. */
export interface GeoPanel {
  dataset: GeoDataset;
  /**
   * Revenue per KPI unit: a column's values per unit-week, geo-major [G * N] (index g * N + t),
   * currency per KPI unit > 0; or one constant. Absent when not mapped.
   */
  revenuePerKpi?: { name: string; values: Float64Array } | { name: null; value: number };
  /** The key columns whose values label the units, e.g. ['geo'] or ['geo', 'product']. */
  keys: string[];
}

/** A GeoPanel, or the finding that says why none could be built (never a panel with NaN in it). */
export type GeoPanelResult = { ok: true; panel: GeoPanel } | { ok: false; result: CheckResult };

/** Most examples a finding lists (the rest are counted). */
const MAX_NAMED = 5;

/**
 * Builds the geo panel from a weekly table with one row per week and kept key.
 * @param table cleaned weekly table at the grain (DuckDB name)
 * @param keys the kept key columns, geo first (keptKeys(level, m.keys)), at least one
 * @returns the panel, or a `data.geo_panel` warning naming unit, column and week (the national fit stays available)
 */
export async function toGeoPanel(db: Db, table: string, m: MappingConfig, keys: readonly string[]): Promise<GeoPanelResult> {
  if (!keys.length) throw new Error('toGeoPanel: no key column kept at this grain');
  const unitName = keys.length > 1 ? `${keys.join(' x ')}` : keys[0];
  const unit = keys.length > 1 ? `concat_ws(' / ', ${keys.map((k) => `CAST(${ident(k)} AS VARCHAR)`).join(', ')})` : `CAST(${ident(keys[0])} AS VARCHAR)`;
  const date = `strftime(TRY_CAST(${ident(m.date_col)} AS DATE), '%Y-%m-%d')`;
  const channels = Object.entries(m.channel_map);
  const rpkCol = typeof m.revenue_per_kpi === 'string' ? m.revenue_per_kpi : null;
  const pop = m.population_col ?? null;
  const numeric = [...new Set([m.kpi_col, ...channels.map(([, c]) => c.spend), ...m.controls, ...(rpkCol ? [rpkCol] : []), ...(pop ? [pop] : [])])];
  const factors = Object.keys(m.factor_controls);
  const warn = (title: string, detail: string, evidence: Record<string, unknown>, fix: string): GeoPanelResult => ({
    ok: false,
    result: { id: 'data.geo_panel', severity: 'warn', title, detail: `${detail} The geo fit is unavailable until this is fixed; the national fit (every ${unitName} summed) still runs.`, evidence, fix },
  });
  const src = `(SELECT ${unit} AS __unit, ${date} AS __date, * FROM ${ident(table)})`;

  const [blank] = await db.query<{ n: number; col: string | null; row_date: string | null }>(
    `SELECT count(*)::DOUBLE AS n, arg_min(CASE WHEN __unit IS NULL THEN 'key' ELSE 'date' END, __date) AS col, min(__date) AS row_date FROM ${src} WHERE __unit IS NULL OR __date IS NULL`,
  );
  if (blank.n > 0) {
    return warn(`${blank.n} row(s) have no ${blank.col === 'key' ? unitName : 'valid date'}`, `The cleaned table has ${blank.n} row(s) without a ${blank.col === 'key' ? `${unitName} value` : `date in '${m.date_col}'`}${blank.row_date ? ` (e.g. week ${blank.row_date})` : ''}.`, { column: blank.col === 'key' ? keys[0] : m.date_col, rows: blank.n }, 'Fill the key or date of those rows, or drop them before loading.');
  }

  const dup = await db.query<{ u: string; d: string; n: number }>(`SELECT __unit AS u, __date AS d, count(*)::DOUBLE AS n FROM ${src} GROUP BY 1, 2 HAVING count(*) > 1 ORDER BY 1, 2 LIMIT ${MAX_NAMED}`);
  if (dup.length) {
    return warn(`${unitName} '${dup[0].u}' has week ${dup[0].d} more than once`, `After cleaning, ${dup.map((x) => `'${x.u}' ${x.d} (${x.n} rows)`).join(', ')} appear more than once.`, { column: keys[0], geo: dup[0].u, date: dup[0].d }, 'Resolve duplicate rows (cleaning.duplicates), or map the second key (product) so each row is one unit-week.');
  }

  const gaps = await db.query<{ u: string; d: string; total: number }>(
    `WITH u AS (SELECT DISTINCT __unit FROM ${src}), w AS (SELECT DISTINCT __date FROM ${src}),
          missing AS (SELECT u.__unit AS u, w.__date AS d FROM u CROSS JOIN w EXCEPT SELECT __unit, __date FROM ${src})
     SELECT u, d, (SELECT count(*) FROM missing)::DOUBLE AS total FROM missing ORDER BY u, d LIMIT ${MAX_NAMED}`,
  );
  if (gaps.length) {
    const total = gaps[0].total;
    return warn(
      `${unitName} '${gaps[0].u}' has no row for week ${gaps[0].d}`,
      `The geo model needs every ${unitName} on every week; ${total} ${unitName}-week(s) are missing: ${gaps.map((g) => `'${g.u}' ${g.d}`).join(', ')}${total > gaps.length ? `, and ${total - gaps.length} more` : ''}.`,
      { column: keys[0], geo: gaps[0].u, date: gaps[0].d, missing: total },
      `Add the missing weeks for '${gaps[0].u}', drop that ${unitName} with data.filters, or fit at national grain.`,
    );
  }

  for (const c of numeric) {
    const [bad] = await db.query<{ u: string; d: string; v: string | null }>(
      `SELECT __unit AS u, __date AS d, CAST(${ident(c)} AS VARCHAR) AS v FROM ${src}
       WHERE TRY_CAST(${ident(c)} AS DOUBLE) IS NULL OR NOT isfinite(TRY_CAST(${ident(c)} AS DOUBLE)) ORDER BY 1, 2 LIMIT 1`,
    );
    if (bad) {
      const what = c === pop ? 'Population' : `Column '${c}'`;
      return warn(
        `${what} has no usable value for ${unitName} '${bad.u}' in week ${bad.d}`,
        `${what} is ${bad.v === null ? 'empty' : `'${bad.v}'`} for ${unitName} '${bad.u}' in week ${bad.d}: the geo model needs a finite number in every ${unitName}-week.`,
        { column: c, geo: bad.u, date: bad.d, value: bad.v },
        `Fill or correct '${c}' for '${bad.u}' on ${bad.d} (or enable imputation in cleaning.missing_data).`,
      );
    }
  }

  if (pop) {
    const p = `TRY_CAST(${ident(pop)} AS DOUBLE)`;
    const [bad] = await db.query<{ u: string; d: string; v: number }>(`SELECT __unit AS u, __date AS d, ${p} AS v FROM ${src} WHERE ${p} <= 0 ORDER BY 1, 2 LIMIT 1`);
    if (bad) {
      return warn(`Population of ${unitName} '${bad.u}' is ${bad.v} in week ${bad.d}`, `Column '${pop}' must be above 0 for every ${unitName}: KPI and spend are divided by it (per capita).`, { column: pop, geo: bad.u, date: bad.d, value: bad.v }, `Correct '${pop}' for '${bad.u}', or unset data.population_col to fit totals.`);
    }
    const [moving] = await db.query<{ u: string; lo: number; hi: number; dlo: string; dhi: string }>(
      `SELECT __unit AS u, min(${p}) AS lo, max(${p}) AS hi, arg_min(__date, ${p}) AS dlo, arg_max(__date, ${p}) AS dhi FROM ${src} GROUP BY 1 HAVING min(${p}) <> max(${p}) ORDER BY 1 LIMIT 1`,
    );
    if (moving) {
      return warn(`Population of ${unitName} '${moving.u}' changes over time`, `Column '${pop}' is ${moving.lo} in week ${moving.dlo} and ${moving.hi} in week ${moving.dhi} for '${moving.u}'; the geo model takes one population per ${unitName}.`, { column: pop, geo: moving.u, low: moving.lo, high: moving.hi }, `Use one value per ${unitName} in '${pop}' (e.g. the latest census figure).`);
    }
  }

  if (rpkCol) {
    const [bad] = await db.query<{ u: string; d: string; v: number }>(`SELECT __unit AS u, __date AS d, TRY_CAST(${ident(rpkCol)} AS DOUBLE) AS v FROM ${src} WHERE TRY_CAST(${ident(rpkCol)} AS DOUBLE) <= 0 ORDER BY 1, 2 LIMIT 1`);
    if (bad) {
      return warn(`Revenue per KPI '${rpkCol}' is ${bad.v} for ${unitName} '${bad.u}' in week ${bad.d}`, `It must be above 0 in every ${unitName}-week (it turns the KPI into revenue).`, { column: rpkCol, geo: bad.u, date: bad.d, value: bad.v }, `Correct '${rpkCol}' for '${bad.u}' on ${bad.d}, or remove data.revenue_per_kpi to read ROI in KPI units.`);
    }
  }

  // geo-major, weeks ascending: the order geoDatasetFromLong sorts to, so row g * N + t is (g, t)
  const cols = [`__unit`, `__date`, ...numeric.map((c, i) => `TRY_CAST(${ident(c)} AS DOUBLE) AS n${i}`), ...factors.map((f, i) => `CAST(${ident(f)} AS VARCHAR) AS f${i}`)];
  const rows = await db.query<Record<string, unknown>>(`SELECT ${cols.join(', ')} FROM ${src} ORDER BY __unit, __date`);
  const long: LongTable = { [m.date_col]: rows.map((r) => r.__date as string), [keys[0]]: rows.map((r) => r.__unit as string) };
  numeric.forEach((c, i) => (long[c] = rows.map((r) => r[`n${i}`] as number)));
  factors.forEach((f, i) => (long[f] = rows.map((r) => (r[`f${i}`] as string | null) ?? m.factor_controls[f])));
  let dataset: GeoDataset;
  try {
    dataset = geoDatasetFromLong(long, {
      date: m.date_col,
      target: m.kpi_col,
      channels: channels.map(([, c]) => c.spend),
      controls: m.controls,
      factorControls: m.factor_controls,
      geo: keys[0],
      ...(pop ? { population: pop } : {}),
    });
  } catch (e) {
    return warn('The geo panel cannot be built', e instanceof Error ? e.message : String(e), { table }, 'Fix the value named, or fit at national grain.');
  }
  // channels are named by their channel_map key, as in the national Dataset
  dataset = { ...dataset, channels: dataset.channels.map((c, i) => ({ ...c, name: channels[i][0] })) };
  const panel: GeoPanel = { dataset, keys: [...keys] };
  if (rpkCol) {
    const j = numeric.indexOf(rpkCol);
    panel.revenuePerKpi = { name: rpkCol, values: Float64Array.from(rows, (r) => r[`n${j}`] as number) };
  } else if (typeof m.revenue_per_kpi === 'number') panel.revenuePerKpi = { name: null, value: m.revenue_per_kpi };
  return { ok: true, panel };
}
