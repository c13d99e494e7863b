import type { CleaningConfig } from '../../core/spec/config-cleaning.ts';
import type { CheckMapping } from '../checks/types.ts';
import { ident, literal } from '../db.ts';

/**
 * Names of numeric controls that mark events (promotions, holidays, sales events): a word of the
 * name (split at non-letters and camelCase) is one of these. `competitor_sales` is not an event
 * ("sales" is a quantity, "sale" an event).
 */
export const EVENT_CONTROL_NAME = /^(promo|promos|promotion|promotions|promotional|holiday|holidays|event|events|festival|festive|sale|xmas|christmas|easter|thanksgiving|blackfriday|cybermonday|ramadan|diwali|lny|bfcm)$/;

/** true when a control's name reads as an event indicator (see EVENT_CONTROL_NAME). */
export function isEventControlName(name: string): boolean {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z]+/).filter(Boolean);
  const joined = words.join('');
  return words.some((w) => EVENT_CONTROL_NAME.test(w)) || /blackfriday|cybermonday/.test(joined);
}

/** What marks promotion / event weeks in one table. */
export interface EventSources {
  /** `cleaning.outliers.promo_column`, when it is a column of the table. */
  promoColumn: string | null;
  /** `cleaning.outliers.promo_dates`, ISO YYYY-MM-DD. */
  promoDates: string[];
  /** Factor controls and their baseline level (null: the most frequent level is the baseline). */
  factors: { column: string; baseline: string | null }[];
  /** Numeric controls named like events (non-zero marks the week). */
  controls: string[];
}

/**
 * The event sources of a mapping under the outliers config.
 * @param baselines factor control -> baseline level (config `data.factor_controls`); missing ones use the mode
 * @param present columns of the table (sources that are not in it are skipped)
 */
export function eventSources(mapping: CheckMapping, cfg: CleaningConfig['outliers'], baselines: Record<string, string>, present: ReadonlySet<string>): EventSources {
  const fromControls = cfg.events_from_controls;
  return {
    promoColumn: cfg.promo_column && present.has(cfg.promo_column) ? cfg.promo_column : null,
    promoDates: [...cfg.promo_dates],
    factors: fromControls ? mapping.factors.filter((f) => present.has(f)).map((f) => ({ column: f, baseline: baselines[f] ?? null })) : [],
    controls: fromControls ? mapping.controls.filter((c) => present.has(c) && isEventControlName(c) && c !== cfg.promo_column) : [],
  };
}

const NOT_MARKED = `('', 'false', 'no', 'na', 'none', 'n/a')`;

/**
 * SQL VARCHAR over a row of `table` (helper column `__date`): why the row is a promotion / event
 * week (`"events" = event2; listed in promo_dates`), NULL when nothing marks it. A promo column
 * marks a week when non-zero / true / non-empty (not '', '0', 'false', 'no', 'na', 'none', 'n/a').
 */
export function eventReasonSql(s: EventSources, table: string): string {
  const parts: string[] = [];
  const shown = (c: string) => `CAST(${ident(c)} AS VARCHAR)`;
  if (s.promoColumn) {
    const c = ident(s.promoColumn);
    const on = `coalesce(CASE WHEN TRY_CAST(${c} AS DOUBLE) IS NOT NULL THEN TRY_CAST(${c} AS DOUBLE) <> 0 ELSE lower(trim(CAST(${c} AS VARCHAR))) NOT IN ${NOT_MARKED} END, false)`;
    parts.push(`CASE WHEN ${on} THEN ${literal(`promo column "${s.promoColumn}" = `)} || ${shown(s.promoColumn)} END`);
  }
  if (s.promoDates.length) parts.push(`CASE WHEN __date IN (${s.promoDates.map((d) => `DATE ${literal(d)}`).join(', ')}) THEN 'listed in cleaning.outliers.promo_dates' END`);
  for (const f of s.factors) {
    const base = f.baseline === null ? `(SELECT mode(${shown(f.column)}) FROM ${ident(table)})` : literal(f.baseline);
    parts.push(`CASE WHEN ${ident(f.column)} IS NOT NULL AND ${shown(f.column)} <> ${base} THEN ${literal(`"${f.column}" = `)} || ${shown(f.column)} END`);
  }
  for (const c of s.controls) parts.push(`CASE WHEN TRY_CAST(${ident(c)} AS DOUBLE) <> 0 THEN ${literal(`"${c}" = `)} || ${shown(c)} END`);
  return parts.length ? `NULLIF(concat_ws('; ', ${parts.join(', ')}), '')` : 'NULL::VARCHAR';
}
