import type { CheckResult } from '../core/check/result.ts';
import { WEEK_STARTS, type GrainLevel, type KeyFilter, type WeekStart } from '../core/spec/config.ts';
import { ident, literal, type Db } from './db.ts';
import type { MappingConfig } from './mapping.ts';

/*
 * Grain: which rows the model sees. Additive columns (KPI, spend, exposure) are summed over the
 * days of a week and over the keys aggregated away; numeric controls are averaged (a price or a
 * sentiment index does not add up); a factor takes its first non-baseline level in the bucket
 * (an event on any day marks the week), else the baseline.
 */

/** How often the date column ticks, from the median gap between consecutive distinct dates (per key). */
export type Frequency = 'daily' | 'weekly' | 'monthly' | 'irregular' | 'single';

/** Keys kept at a grain level. */
export function keptKeys(level: GrainLevel, keys: MappingConfig['keys']): string[] {
  const byLevel = {
    national: [] as (string | undefined)[],
    geo: [keys.geo],
    product: [keys.product],
    geo_product: [keys.geo, keys.product],
  } satisfies Record<GrainLevel, (string | undefined)[]>;
  return byLevel[level].filter((k): k is string => !!k);
}

/** SQL: the start of the week containing `dateExpr` (a DATE), weeks starting on `weekStart`. */
export function weekStartExpr(dateExpr: string, weekStart: WeekStart): string {
  const iso = WEEK_STARTS.indexOf(weekStart) + 1;
  return `CAST(${dateExpr} - CAST((isodow(${dateExpr}) - ${iso} + 7) % 7 AS INTEGER) AS DATE)`;
}

const keysOf = (m: MappingConfig) => [m.keys.geo, m.keys.product].filter((k): k is string => !!k);
const dateSql = (m: MappingConfig) => `TRY_CAST(${ident(m.date_col)} AS DATE)`;

/** Median gap in days between consecutive distinct dates within each key. */
export async function detectFrequency(db: Db, table: string, m: MappingConfig): Promise<{ frequency: Frequency; medianGapDays: number | null }> {
  const part = keysOf(m).length ? `PARTITION BY ${keysOf(m).map(ident).join(', ')}` : '';
  const [r] = await db.query<{ g: number | null }>(
    `SELECT median(gap)::DOUBLE AS g FROM (
       SELECT d - lag(d) OVER (${part} ORDER BY d) AS gap
       FROM (SELECT DISTINCT ${keysOf(m).map(ident).concat(`${dateSql(m)} AS d`).join(', ')} FROM ${ident(table)} WHERE ${dateSql(m)} IS NOT NULL))
     WHERE gap IS NOT NULL`,
  );
  const g = r?.g ?? null;
  const frequency: Frequency = g === null ? 'single' : g <= 2 ? 'daily' : g >= 6 && g <= 8 ? 'weekly' : g >= 27 && g <= 32 ? 'monthly' : 'irregular';
  return { frequency, medianGapDays: g };
}

/** Creates view `out` of `table` keeping rows whose key columns are in the filter values. */
export async function applyFilters(db: Db, table: string, filters: readonly KeyFilter[], out: string): Promise<void> {
  const where = filters.map((f) => `CAST(${ident(f.column)} AS VARCHAR) IN (${f.values.map(literal).join(', ')})`);
  await db.exec(`CREATE OR REPLACE VIEW ${ident(out)} AS SELECT * FROM ${ident(table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`);
}

/** The SELECT list that aggregates the mapped columns of a bucket (date and keys excluded). */
function aggregates(m: MappingConfig): string[] {
  const sum = (c: string) => `sum(TRY_CAST(${ident(c)} AS DOUBLE)) AS ${ident(c)}`;
  const additive = [m.kpi_col, ...Object.values(m.channel_map).flatMap((c) => (c.exposure ? [c.spend, c.exposure] : [c.spend]))];
  return [
    ...[...new Set(additive)].map(sum),
    ...m.controls.map((c) => `avg(TRY_CAST(${ident(c)} AS DOUBLE)) AS ${ident(c)}`),
    // revenue per KPI is a rate: the KPI-weighted mean keeps sum(kpi * rate) = revenue
    ...(typeof m.revenue_per_kpi === 'string'
      ? [`sum(TRY_CAST(${ident(m.kpi_col)} AS DOUBLE) * TRY_CAST(${ident(m.revenue_per_kpi)} AS DOUBLE)) / nullif(sum(TRY_CAST(${ident(m.kpi_col)} AS DOUBLE)), 0) AS ${ident(m.revenue_per_kpi)}`]
      : []),
    // population is a size per geo, constant over weeks: its mean keeps it (national ignores it)
    ...(m.population_col && !additive.includes(m.population_col) ? [`avg(TRY_CAST(${ident(m.population_col)} AS DOUBLE)) AS ${ident(m.population_col)}`] : []),
    ...Object.entries(m.factor_controls).map(
      ([f, base]) => `coalesce(arg_min(CAST(${ident(f)} AS VARCHAR), __d) FILTER (WHERE CAST(${ident(f)} AS VARCHAR) <> ${literal(base)}), ${literal(base)}) AS ${ident(f)}`,
    ),
  ];
}

/**
 * Aggregates `table` into `out`, one row per week start (and per kept key), dates as DATE.
 * Only mapped columns survive. Use for daily or irregular data, and to drop keys (national).
 * @param keep key columns kept (e.g. [geo] for a geo model, [] for national)
 */
export async function aggregateWeekly(db: Db, table: string, m: MappingConfig, weekStart: WeekStart, keep: readonly string[], out: string): Promise<void> {
  const wk = weekStartExpr('__d', weekStart);
  const keys = keep.map(ident);
  await db.exec(
    `CREATE OR REPLACE TABLE ${ident(out)} AS
     SELECT ${[`${wk} AS ${ident(m.date_col)}`, ...keys, ...aggregates(m)].join(', ')}
     FROM (SELECT *, ${dateSql(m)} AS __d FROM ${ident(table)} WHERE ${dateSql(m)} IS NOT NULL)
     GROUP BY ${[wk, ...keys].join(', ')}
     ORDER BY ${[...keys, wk].join(', ')}`,
  );
}

/**
 * Makes daily (or irregular) data weekly, keeping every key; weekly data passes through untouched
 * so the checks see the user's own rows. Returns the table to check and a CheckResult saying
 * what was done (warn when the first or last week is incomplete).
 */
export async function toWeeklyGrain(db: Db, table: string, m: MappingConfig, weekStart: WeekStart, out: string): Promise<{ table: string; result: CheckResult | null; frequency: Frequency }> {
  const { frequency, medianGapDays } = await detectFrequency(db, table, m);
  if (frequency !== 'daily' && frequency !== 'irregular') return { table, result: null, frequency };
  await aggregateWeekly(db, table, m, weekStart, keysOf(m), out);
  const [s] = await db.query<{ days: number; weeks: number; first: string; last: string; nfirst: number; nlast: number }>(
    `WITH d AS (SELECT DISTINCT ${dateSql(m)} AS d FROM ${ident(table)} WHERE ${dateSql(m)} IS NOT NULL),
          w AS (SELECT ${weekStartExpr('d', weekStart)} AS w, count(*) AS n FROM d GROUP BY 1)
     SELECT (SELECT count(*) FROM d)::DOUBLE AS days, count(*)::DOUBLE AS weeks,
            strftime(min(w), '%Y-%m-%d') AS first, strftime(max(w), '%Y-%m-%d') AS last,
            arg_min(n, w)::DOUBLE AS nfirst, arg_max(n, w)::DOUBLE AS nlast FROM w`,
  );
  const partial = frequency === 'daily' && (s.nfirst < 7 || s.nlast < 7);
  return {
    table: out,
    frequency,
    result: {
      id: 'grain.weekly',
      severity: partial ? 'warn' : 'info',
      title: `${frequency === 'daily' ? 'Daily' : 'Irregular'} data aggregated to ${s.weeks} weeks`,
      detail:
        `${s.days} distinct dates (median gap ${medianGapDays} days) were grouped into weeks starting on ${weekStart}: KPI, spend and exposure are summed, controls averaged, factors take the week's first non-baseline level.` +
        (partial ? ` The first week (${s.first}) has ${s.nfirst} of 7 days and the last (${s.last}) ${s.nlast}: their sums are low.` : ''),
      evidence: { frequency, medianGapDays, days: s.days, weeks: s.weeks, weekStart, firstWeek: s.first, firstWeekDays: s.nfirst, lastWeek: s.last, lastWeekDays: s.nlast },
      ...(partial ? { fix: 'Trim the data to whole weeks, or change data.grain.week_start so the first and last weeks are complete.' } : {}),
    },
  };
}
