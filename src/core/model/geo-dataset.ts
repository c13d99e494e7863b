
/**
 * A geo panel (weekly, cleaned): every series is geo-major, index g * N + t.
 * Produced from a long table by geoDatasetFromLong; produced directly by src/core/synthetic.
 */
export interface GeoDataset {
  /** Week start dates, ISO `YYYY-MM-DD`, ascending, shared by every geo. [N] */
  dates: string[];
  /** Geo labels in panel order. [G] */
  geos: string[];
  /** Population of each geo (people, > 0): per-capita scaling of KPI and spend. [G] */
  population: Float64Array;
  /** KPI name and values in original units (totals per geo, not per capita). [G * N] */
  target: { name: string; values: Float64Array };
  /** Paid channels: spend per geo-week in currency >= 0. each [G * N] */
  channels: { name: string; spend: Float64Array }[];
  /** Numeric controls per geo-week in original units. each [G * N] */
  controls: { name: string; values: Float64Array }[];
  /** Categorical controls: one level label per geo-week and the baseline level. levels [G * N] */
  factors: { name: string; levels: string[]; baseline: string }[];
}

/** Columns of a long table (one row per geo and week) for the geo model; names as in the file. */
export interface GeoDataMapping {
  date: string;
  target: string;
  /** spend columns, one per channel */
  channels: string[];
  controls: string[];
  /** categorical column -> baseline level */
  factorControls: Record<string, string>;
  /** geo key column (from the data stage's keys) */ geo: string;
  /** population column, constant within a geo; absent = every geo has population 1 (no per-capita scaling) */
  population?: string;
}

/** A long table as columns (e.g. DuckDB output): each column one value per row, all the same length. */
export type LongTable = Record<string, ArrayLike<string | number | null | undefined>>;

/**
 * Builds a GeoDataset from a long table with one row per (date, geo). Geos are sorted by label,
 * dates ascending; every geo must have every date exactly once.
 * @throws naming the column, row (1-based) and fix on a missing column, a missing or non-numeric
 *   value, a duplicated or missing (geo, date), or a population that is not positive and constant per geo
 */
export function geoDatasetFromLong(table: LongTable, m: GeoDataMapping): GeoDataset {
  const col = (name: string) => {
    const c = table[name];
    if (!c) throw new Error(`Column "${name}" is not in the table (columns: ${Object.keys(table).join(', ')}); fix the mapping.`);
    return c;
  };
  const dateCol = col(m.date);
  const geoCol = col(m.geo);
  const nRows = dateCol.length;
  const text = (c: ArrayLike<unknown>, name: string, r: number) => {
    const v = c[r];
    if (v === null || v === undefined || v === '') throw new Error(`Column "${name}" row ${r + 1} is empty; fill or drop the row.`);
    return String(v);
  };
  const num = (c: ArrayLike<unknown>, name: string, r: number) => {
    const v = c[r];
    const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(x)) throw new Error(`Column "${name}" row ${r + 1} is not a number (${String(v)}); clean the value.`);
    return x;
  };
  const dates = [...new Set(Array.from({ length: nRows }, (_, r) => text(dateCol, m.date, r)))].sort();
  const geos = [...new Set(Array.from({ length: nRows }, (_, r) => text(geoCol, m.geo, r)))].sort();
  const N = dates.length, G = geos.length;
  const dIdx = new Map(dates.map((d, i) => [d, i]));
  const gIdx = new Map(geos.map((g, i) => [g, i]));
  if (nRows !== G * N) {
    const seen = new Set<string>();
    for (let r = 0; r < nRows; r++) {
      const key = `${text(geoCol, m.geo, r)}|${text(dateCol, m.date, r)}`;
      if (seen.has(key)) throw new Error(`Row ${r + 1} repeats geo "${text(geoCol, m.geo, r)}" on ${text(dateCol, m.date, r)}; aggregate duplicates first.`);
      seen.add(key);
    }
    for (const g of geos) for (const d of dates) if (!seen.has(`${g}|${d}`)) throw new Error(`Geo "${g}" has no row for ${d}; every geo needs every week (fill the gap or drop the geo).`);
  }
  const row = new Int32Array(G * N).fill(-1);
  for (let r = 0; r < nRows; r++) {
    const k = gIdx.get(text(geoCol, m.geo, r))! * N + dIdx.get(text(dateCol, m.date, r))!;
    if (row[k] >= 0) throw new Error(`Row ${r + 1} repeats geo "${geos[Math.floor(k / N)]}" on ${dates[k % N]}; aggregate duplicates first.`);
    row[k] = r;
  }
  const series = (name: string) => {
    const c = col(name);
    return Float64Array.from(row, (r) => num(c, name, r));
  };
  const population = new Float64Array(G).fill(1);
  if (m.population) {
    const pc = col(m.population);
    for (let g = 0; g < G; g++) {
      const r0 = row[g * N];
      const p = num(pc, m.population, r0);
      if (!(p > 0)) throw new Error(`Population of geo "${geos[g]}" is ${p} (column "${m.population}" row ${r0 + 1}); it must be > 0.`);
      for (let t = 1; t < N; t++) {
        const r = row[g * N + t];
        if (num(pc, m.population, r) !== p) throw new Error(`Population of geo "${geos[g]}" changes over time (column "${m.population}" row ${r + 1}); the geo model needs one population per geo.`);
      }
      population[g] = p;
    }
  }
  const spend = (name: string) => {
    const s = series(name);
    const bad = s.findIndex((v) => v < 0);
    if (bad >= 0) throw new Error(`Column "${name}" row ${row[bad] + 1} has negative spend ${s[bad]}; spend must be >= 0.`);
    return s;
  };
  return {
    dates,
    geos,
    population,
    target: { name: m.target, values: series(m.target) },
    channels: m.channels.map((name) => ({ name, spend: spend(name) })),
    controls: m.controls.map((name) => ({ name, values: series(name) })),
    factors: Object.entries(m.factorControls).map(([name, baseline]) => {
      const c = col(name);
      return { name, levels: Array.from(row, (r) => text(c, name, r)), baseline };
    }),
  };
}
