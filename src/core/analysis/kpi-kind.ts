import type { KpiKind } from './roi.ts';

// Words in a KPI's column name that say what it counts; the user can always override the guess.
const MONEY = /revenue|sales|gmv|turnover|income|profit|margin|amount/i;
const COUNT = /conversion|order|unit|transaction|booking|signup|sign_up|lead|install|visit|download|subscri|customer|acquisition|purchase|volume|quantity|\bqty\b/i;

/**
 * A first guess of what the KPI counts from its column name: money words (revenue, sales, gmv)
 * give `revenue`, count words (conversions, orders, units) give `count`, anything else
 * `unspecified` (ROI then reads "KPI per unit of spend"). A count word wins over a money word
 * ("sales_units" counts units).
 * @param name the KPI column as mapped, e.g. `revenue`, `conversions`
 */
export function guessKpiKind(name: string): KpiKind {
  if (COUNT.test(name)) return 'count';
  if (MONEY.test(name)) return 'revenue';
  return 'unspecified';
}
