/**
 * The single shape the data layer hands to the model (national grain, weekly, cleaned).
 * Produced by src/data/dataset-adapter.ts from the cleaned, mapped table; directly by src/core/synthetic.
 */
export interface Dataset {
  /** Week start dates, ISO `YYYY-MM-DD`, ascending, one per row. [N] */
  dates: string[];
  /** KPI name and values in original units. [N] */
  target: { name: string; values: Float64Array };
  /** Paid channels: spend per week in currency >= 0. each [N] */
  channels: { name: string; spend: Float64Array }[];
  /** Numeric controls in original units; standardised in prepareModelData. each [N] */
  controls: { name: string; values: Float64Array }[];
  /** Categorical controls: one level label per week and the baseline level (no dummy). */
  factors: { name: string; levels: string[]; baseline: string }[];
  /** Revenue per unit of KPI: one constant or one value per week [N], > 0; absent when the KPI is revenue or unknown. */
  revenuePerKpi?: { name: string; values: Float64Array } | { name: null; value: number };
}
