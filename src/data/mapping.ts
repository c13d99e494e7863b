import type { ChannelColumns, DataConfig } from '../core/spec/config.ts';
import type { CheckMapping } from './checks/types.ts';
import type { ColumnProfile, TableProfile } from './profile.ts';
import { formatNumber } from '../core/format/number.ts';

/**
 * Column roles proposed from names and values. Pure: a TableProfile in, a proposal out; the
 * user edits the proposal's `data` (the config's data section), never the table.
 */

/** The part a column plays. `organic` and `ignore` columns stay out of the model (listed in data.ignored). */
export type ColumnRole = 'date' | 'kpi' | 'spend' | 'exposure' | 'control' | 'factor' | 'geo' | 'product' | 'organic' | 'ignore';

/** One column's proposed role and why, in words a marketer reads. */
export interface RoleProposal {
  column: string;
  role: ColumnRole;
  reason: string;
  /** For spend and exposure: the channel it belongs to. */
  channel?: string;
  /** For factors: the baseline level (no dummy). */
  baseline?: string;
}

/**
 * The mapping: which column plays which part. The one shape for it everywhere (the mapping
 * editor's rows reduce to it with toMappingConfig, the config stores it in `data`, the checks
 * read it through toCheckMapping, the peer's SPEC.json converts to it with peerSpecToData).
 */
export type MappingConfig = Pick<DataConfig, 'date_col' | 'kpi_col' | 'channel_map' | 'controls' | 'factor_controls' | 'ignored' | 'keys' | 'revenue_per_kpi' | 'population_col'>;

/** The proposal: a role per column (table order) and the same as config fields. */
export interface MappingProposal {
  roles: RoleProposal[];
  data: MappingConfig;
  /** What could not be decided (no date column, no KPI...): shown before the user confirms. */
  problems: string[];
}

const NAME = {
  date: /^(date|ds|time|week|week_?start|week_?date|period|day|date_?week|dt|month|timestamp)$|date|week/i,
  geo: /^(geo|region|dma|market|state|province|country|city|area|territory|zone|store|location|county)(_?(id|name|code))?$/i,
  product: /^(product|brand|sku|category|item|product_?line|line|segment)(_?(id|name|code))?$/i,
  ignore: /(_per_|^per_|_per$|rate$|ratio$|^population$|^pop$|^t$|^time_?index$|^index$|^id$|^row|dayofyear|day_of_year|week_?of_?year|^year$|^month$|^week_?num)/i,
  organic: /organic|newsletter|email|owned|seo|^pr_|push_notif|direct_mail_organic/i,
  exposure: /(_I$|impression|impr|click|_P$|reach|frequency|_freq$|views?$|grps?$|trps?$|_imp$|_imps$)/,
  spend: /(_S$|spend|cost|invest|budget|expense)/,
  spendLoose: /^x\d+$/i,
  kpi: /^(y|kpi|target|revenue|sales|conversions?|orders|units|transactions|bookings|signups|leads|gmv|turnover|volume|net_sales|total_sales|total_revenue|outcome|response|dep_var)$/i,
  kpiLoose: /revenue|sales|conversion|orders|bookings|leads|signups|transactions/i,
  control: /(_control$|control|competitor|_B$|price|promo|discount|holiday|event|weather|temp|rain|sentiment|cpi|unemploy|covid|season|dummy|gdp|macro|index)/i,
} as const;

/** Most numeric columns without a telling name that are proposed as controls. */
export const MAX_UNNAMED_CONTROLS = 10;

const CHANNEL_SUFFIX = /(_S|_spend|_cost|_investment|_budget|spend|cost|_I|_P|_impressions?|_imps?|_clicks?|_reach|_frequency|_freq|_views?|_grps?|_trps?|impressions?|clicks?)$/i;

/** Channel name from a spend or exposure column: known suffixes stripped (`search_clicks_P` -> `search`). */
export function channelName(column: string): string {
  let s = column;
  for (let i = 0; i < 3; i++) {
    const t = s.replace(CHANNEL_SUFFIX, '');
    if (t === s || t === '') break;
    s = t;
  }
  return s.replace(/[_\s-]+$/, '') || column;
}

/** A column that holds each geo's population (Meridian's `population`): the geo model's per-capita scale. */
export const POPULATION_NAME = /^(population|pop)$/i;

/** A column that says how much revenue one unit of the KPI brings (Meridian's revenue_per_conversion). */
export const REVENUE_PER_KPI_NAME = /^revenue_per_(conversion|kpi|unit|order|sale|lead|signup|booking)s?$/i;

/** Why a rate, size or index column stays out of the model, in words. */
function ignoreReason(name: string, range: string): string {
  if (/per|rate|ratio/i.test(name)) return `name says a per-unit rate or ratio (${range}): rates do not add up over weeks or geos, so it is left out of the model`;
  if (/pop/i.test(name)) return `name says population or size (${range}): a scale of the geo, not a weekly driver; at geo grain the geo model divides KPI and spend by it (per capita, data.population_col)`;
  return `name says a time index or calendar field (${range}): the model builds its own trend and seasonality from the date`;
}

const fmt = (x: number | null) => (x === null ? '?' : formatNumber(x, 3));
const numeric = (c: ColumnProfile) => c.kind === 'number' || (c.kind === 'text' && c.numericShare >= 0.8 && c.nonNull > 0);
const textNote = (c: ColumnProfile) => (c.kind === 'text' ? ` (read as text: ${Math.round((1 - c.numericShare) * 100)}% of values are not numbers; the checks name them)` : '');

/** Proposes a role for every column of a profiled table. */
export function proposeMapping(profile: TableProfile): MappingProposal {
  const roles = new Map<string, RoleProposal>();
  const problems: string[] = [];
  const cols = profile.columns;
  const set = (p: RoleProposal) => roles.set(p.column, p);

  // Date: a DATE column (by name first), else text that parses as dates.
  const dateCands = cols.filter((c) => c.kind === 'date' || (c.kind === 'text' && c.dateShare >= 0.5) || (c.kind === 'text' && NAME.date.test(c.name) && c.numericShare < 0.5));
  const date = dateCands.find((c) => c.kind === 'date' && NAME.date.test(c.name)) ?? dateCands.find((c) => c.kind === 'date') ?? dateCands.find((c) => NAME.date.test(c.name)) ?? dateCands[0];
  if (date) {
    set({
      column: date.name,
      role: 'date',
      reason:
        date.kind === 'date'
          ? `values are dates (${date.samples[0] ?? ''} ...)${NAME.date.test(date.name) ? ' and the name says date/time' : ''}`
          : `the name says date/time but ${Math.round((1 - date.dateShare) * 100)}% of values are not ISO dates (e.g. ${date.samples.slice(0, 2).join(', ')}); the checks name them`,
    });
  } else problems.push('No date column found: map the column that holds the week (or day) of each row.');
  const dateDistinct = date?.distinct ?? profile.rowCount;

  // Keys: text columns that repeat each date.
  for (const c of cols) {
    if (roles.has(c.name) || c.kind !== 'text' || numeric(c)) continue;
    const repeats = dateDistinct > 0 && c.distinct >= 2 && Math.abs(c.distinct * dateDistinct - profile.rowCount) <= 0.05 * profile.rowCount;
    if (NAME.geo.test(c.name) && c.distinct >= 2) set({ column: c.name, role: 'geo', reason: `name says geography and it has ${c.distinct} values${repeats ? ', each date appears once per value' : ''}` });
    else if (NAME.product.test(c.name) && c.distinct >= 2) set({ column: c.name, role: 'product', reason: `name says product/brand and it has ${c.distinct} values${repeats ? ', each date appears once per value' : ''}` });
    else if (repeats && c.distinct > 1 && dateDistinct < profile.rowCount && !NAME.control.test(c.name)) {
      set({ column: c.name, role: 'geo', reason: `each of the ${dateDistinct} dates appears once per value of this column (${c.distinct} values): a panel key, proposed as geo` });
    }
  }

  // DuckDB renames a second 'revenue' or 'Revenue' to 'revenue_1' / 'Revenue_1' (names match
  // without case): ingest warns, and the copy stays out of the model until the user picks it.
  const lowerNames = new Set(cols.map((c) => c.name.toLowerCase()));
  for (const c of cols) {
    const m = /^(.+)_\d+$/.exec(c.name);
    if (roles.has(c.name) || !m || !lowerNames.has(m[1]!.toLowerCase())) continue;
    const first = cols.find((x) => x.name.toLowerCase() === m[1]!.toLowerCase())!.name;
    set({ column: c.name, role: 'ignore', reason: `a second column named '${first}' in the file (names that differ only in case count as the same), renamed '${c.name}' when read: left out; rename it in the file if it is a different measure` });
  }

  // Text in a column named like spend or the KPI: mapped all the same, so the checks name the
  // cells that are not amounts (instead of the column quietly becoming a factor or ignored).
  for (const c of cols) {
    if (roles.has(c.name) || c.kind !== 'text' || numeric(c)) continue;
    const sample = c.samples.slice(0, 3).map((v) => `'${v}'`).join(', ');
    const share = `${Math.round((1 - c.numericShare) * 100)}% of values are not numbers (${sample})`;
    if (NAME.spend.test(c.name) && !NAME.control.test(c.name.replace(/_S$/, ''))) {
      set({ column: c.name, role: 'spend', channel: channelName(c.name), reason: `name says spend/cost, but ${share}: spend must be amounts; the checks block on these cells` });
    } else if (NAME.kpi.test(c.name)) {
      set({ column: c.name, role: 'kpi', reason: `name says outcome (revenue/sales/conversions), but ${share}: the checks name these cells` });
    }
  }

  // Numeric columns by name, then by values.
  for (const c of cols) {
    if (roles.has(c.name) || !numeric(c)) continue;
    const nonNeg = c.min === null || c.min >= 0;
    const range = `values ${fmt(c.min)}..${fmt(c.max)}`;
    const binary = c.distinct <= 2 && c.min !== null && c.min >= 0 && c.max !== null && c.max <= 1;
    if (REVENUE_PER_KPI_NAME.test(c.name)) set({ column: c.name, role: 'ignore', reason: `name says revenue per unit of the KPI (${range}): not a model input; it turns the KPI's ROI into revenue per unit of spend on the Results and Plan screens (data.revenue_per_kpi)` });
    else if (NAME.ignore.test(c.name)) set({ column: c.name, role: 'ignore', reason: ignoreReason(c.name, range) });
    else if (NAME.organic.test(c.name)) set({ column: c.name, role: 'organic', reason: `name says organic/owned activity (${range}) with no spend: no ROI can be computed; add it as a control if it should explain the KPI` });
    else if (NAME.exposure.test(c.name)) set({ column: c.name, role: 'exposure', channel: channelName(c.name), reason: `name ends like an exposure metric (impressions/clicks/reach) and ${nonNeg ? 'values are non-negative counts' : 'values include negatives'} (${range})${textNote(c)}` });
    else if (NAME.spend.test(c.name) && !NAME.control.test(c.name.replace(/_S$/, ''))) {
      set({ column: c.name, role: 'spend', channel: channelName(c.name), reason: `name ${/_S$/.test(c.name) ? 'ends in _S' : 'says spend/cost'} and ${nonNeg ? 'values are non-negative currency-like amounts' : 'values include negatives (see checks)'} (${range})${textNote(c)}` });
    } else if (NAME.kpi.test(c.name) || (NAME.kpiLoose.test(c.name) && !NAME.control.test(c.name))) {
      set({ column: c.name, role: 'kpi', reason: `name says outcome (revenue/sales/conversions) and values are ${nonNeg ? 'non-negative' : 'numeric'} (${range})${textNote(c)}` });
    } else if (NAME.control.test(c.name)) set({ column: c.name, role: 'control', reason: `name says context/control (competitor, price, promotion, events, weather...) (${range})${textNote(c)}` });
    else if (binary) set({ column: c.name, role: 'control', reason: `0/1 values: an event or promotion dummy, used as a numeric control` });
    else if (NAME.spendLoose.test(c.name) && nonNeg) set({ column: c.name, role: 'spend', channel: c.name, reason: `named like a media input (x1, x2...) and values are non-negative (${range}); confirm it is spend` });
    else set({ column: c.name, role: 'control', reason: `numeric with no media or outcome name (${range}): proposed as a control; change it if it is media` });
  }
  // Many unnamed numeric columns are an export of everything, not controls: more than
  // MAX_UNNAMED_CONTROLS would leave too few weeks per parameter, so the user picks.
  const unnamed = [...roles.values()].filter((r) => r.role === 'control' && r.reason.startsWith('numeric with no media'));
  if (unnamed.length > MAX_UNNAMED_CONTROLS) {
    for (const r of unnamed) set({ ...r, role: 'ignore', reason: `one of ${unnamed.length} numeric columns with no media, outcome or control name: too many to use as controls by default; pick the ones that drive the KPI` });
  }

  // One KPI: the best named one; others become controls.
  const kpis = [...roles.values()].filter((r) => r.role === 'kpi');
  if (kpis.length > 1) {
    const best = kpis.find((k) => NAME.kpi.test(k.column)) ?? kpis[0];
    for (const k of kpis) if (k !== best) set({ ...k, role: 'control', reason: `also looks like an outcome, but '${best.column}' was taken as the KPI; kept as a control` });
  } else if (kpis.length === 0) {
    const cand = cols.filter((c) => numeric(c) && roles.get(c.name)?.role === 'control').sort((a, b) => (b.mean ?? 0) - (a.mean ?? 0))[0];
    if (cand) set({ column: cand.name, role: 'kpi', reason: `no column is named like an outcome; '${cand.name}' is the largest non-media numeric column (mean ${fmt(cand.mean)}): confirm it is the KPI` });
    else problems.push('No KPI column found: map the outcome (revenue, conversions, sales).');
  }

  // Text and boolean columns left: factors (few levels) or ignored (free text, IDs).
  for (const c of cols) {
    if (roles.has(c.name)) continue;
    if (c.kind === 'boolean') set({ column: c.name, role: 'control', reason: 'true/false values: used as a 0/1 control' });
    else if (c.kind === 'date') set({ column: c.name, role: 'ignore', reason: `a second date column; '${date?.name}' is the period` });
    else if (c.distinct >= 2 && c.distinct <= Math.max(20, 0.05 * profile.rowCount) && c.top) {
      set({ column: c.name, role: 'factor', baseline: c.top.value, reason: `text with ${c.distinct} levels; the most frequent, '${c.top.value}' (${c.top.count} of ${c.nonNull} rows), is the baseline` });
    } else set({ column: c.name, role: 'ignore', reason: c.distinct <= 1 ? 'a single value in every row: carries no information' : `text with ${c.distinct} different values: looks like labels or IDs, not a driver` });
  }

  const ordered = cols.map((c) => roles.get(c.name)!).filter(Boolean);
  const data = toMappingConfig(ordered);
  if (Object.keys(data.channel_map).length === 0) problems.push('No spend column found: map at least one paid channel (its spend per period).');
  for (const r of ordered) if (r.role === 'exposure' && !Object.values(data.channel_map).some((m) => m.exposure === r.column)) r.reason += '; no spend column of the same channel, or another exposure was paired with it: not used by the model';
  return { roles: ordered, data, problems };
}

/** Turns per-column roles into the config's mapping fields (channels keyed by channel name, exposures paired by channel). */
export function toMappingConfig(roles: readonly RoleProposal[]): MappingConfig {
  const channel_map: Record<string, ChannelColumns> = {};
  for (const r of roles) if (r.role === 'spend') channel_map[r.channel ?? r.column] = { spend: r.column };
  const byLower = new Map(Object.keys(channel_map).map((k) => [k.toLowerCase(), k]));
  for (const r of roles) {
    if (r.role !== 'exposure') continue;
    const key = byLower.get((r.channel ?? '').toLowerCase());
    // The first exposure of a channel wins: impressions come before reach/frequency in every demo.
    if (key && !channel_map[key].exposure) channel_map[key] = { ...channel_map[key], exposure: r.column };
  }
  const paired = new Set(Object.values(channel_map).map((c) => c.exposure));
  const geo = roles.find((r) => r.role === 'geo')?.column;
  const product = roles.find((r) => r.role === 'product')?.column;
  const revenuePerKpi = roles.find((r) => r.role === 'ignore' && REVENUE_PER_KPI_NAME.test(r.column))?.column;
  // population only means something per geo: without a geo key it stays an ignored column
  const population = geo ? roles.find((r) => r.role === 'ignore' && POPULATION_NAME.test(r.column))?.column : undefined;
  return {
    date_col: roles.find((r) => r.role === 'date')?.column ?? '',
    kpi_col: roles.find((r) => r.role === 'kpi')?.column ?? '',
    channel_map,
    controls: roles.filter((r) => r.role === 'control').map((r) => r.column),
    factor_controls: Object.fromEntries(roles.filter((r) => r.role === 'factor').map((r) => [r.column, r.baseline ?? ''])),
    ignored: roles.filter((r) => r.role === 'organic' || r.role === 'ignore' || (r.role === 'exposure' && !paired.has(r.column))).map((r) => r.column),
    keys: { ...(geo ? { geo } : {}), ...(product ? { product } : {}) },
    ...(revenuePerKpi ? { revenue_per_kpi: revenuePerKpi } : {}),
    ...(population ? { population_col: population } : {}),
  };
}

/** The checks' and cleaning's CheckMapping from the config's data section (channel names from channel_map keys). */
export function toCheckMapping(d: MappingConfig): CheckMapping {
  return {
    date: d.date_col,
    kpi: d.kpi_col,
    channels: Object.entries(d.channel_map).map(([name, c]) => (c.exposure ? { name, spend: c.spend, exposure: c.exposure } : { name, spend: c.spend })),
    controls: [...d.controls],
    factors: Object.keys(d.factor_controls),
    keys: [d.keys.geo, d.keys.product].filter((k): k is string => !!k),
  };
}
