/**
 * The single shape the data layer hands to the model (national grain, weekly, cleaned).
 * Produced by src/data/ingest.ts from a mapped table; produced directly by src/core/synthetic.
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
}

/** Column roles as in peer/stan SPEC.json: which column plays which part. */
export interface DataMapping {
  date: string;
  target: string;
  channels: string[];
  controls: string[];
  /** Categorical column -> baseline level. */
  factorControls: Record<string, string>;
}
