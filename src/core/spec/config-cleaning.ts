import { z } from 'zod';

/** Column roles a cleaning step can apply to (from the mapping). */
export const cleaningRoleSchema = z.enum(['kpi', 'spend', 'exposure', 'controls']);
/** A column role: `kpi`, `spend` (channel spend), `exposure` (impressions/clicks), `controls` (numeric). */
export type CleaningRole = z.infer<typeof cleaningRoleSchema>;

/**
 * The `cleaning` section of the Carryover config (stage 3, Clean), applied by src/data/clean in
 * the order dedupe -> missing data -> outliers. Keys follow background/pipeline-stages-and-config.md
 * (`enhanced_cleaning` there). Every key has a default, so `{}` parses to the defaults.
 */
export const cleaningConfigSchema = z
  .object({
    /** Rows sharing a period (and geo/product keys). */
    duplicates: z
      .object({
        /** `resolve`: drop exact copies, then merge each period's rows into one; `none`: leave as is. */
        policy: z.enum(['resolve', 'none']).default('resolve'),
        /** Roles summed when rows of one period are merged; every other column keeps the last row's value. */
        additive_roles: z.array(cleaningRoleSchema).default(['kpi', 'spend', 'exposure']),
        /** Extra columns summed (by name), beyond `additive_roles`. */
        additive_columns: z.array(z.string()).default([]),
        /** Drop rows identical in every column before merging (an exact copy is not extra spend). */
        drop_exact_duplicates: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    /** Missing spend: paused campaign (true zero) or tracking outage (impute). */
    missing_data: z
      .object({
        /**
         * `campaign_aware`: per missing-spend week, exposure > 0 -> impute exposure x median cost per
         * unit; exposure = 0 -> paused (0); a missing run of >= `pause_min_weeks` -> paused (0);
         * else (short gap, no exposure) -> interpolate between neighbouring weeks.
         * `zero_fill`: every missing spend is 0. `none`: leave missing values.
         */
        policy: z.enum(['campaign_aware', 'zero_fill', 'none']).default('campaign_aware'),
        /** A run of missing spend at least this long is a paused campaign. weeks >= 1 */
        pause_min_weeks: z.number().int().min(1).default(3),
        /** Zero spend in a week with exposure > 0 is a tracking outage (imputed) too. */
        zero_spend_with_exposure_is_outage: z.boolean().default(true),
        /** Missing numeric controls: linear interpolation between neighbouring weeks, or leave. */
        controls: z.enum(['interpolate', 'none']).default('interpolate'),
        /** Missing KPI: leave (the check blocks) or interpolate. */
        kpi: z.enum(['none', 'interpolate']).default('none'),
      })
      .strict()
      .prefault({}),
    /** Outliers. */
    outliers: z
      .object({
        /** `winsorize`: cap values above the percentile; `none`: leave. */
        policy: z.enum(['winsorize', 'none']).default('winsorize'),
        /** Upper cap at this percentile of the column's non-promotion weeks (quantile_cont). 50..100 */
        winsorize_percentile: z.number().min(50).max(100).default(99),
        /** Optional lower cap at this percentile (spend usually has none: zeros are real). 0..50 */
        lower_percentile: z.number().min(0).max(50).nullable().default(null),
        /** Roles winsorised. */
        apply_to: z.array(cleaningRoleSchema).default(['kpi', 'spend']),
        /** Per-column percentile overrides (column name -> percentile 50..100). */
        column_percentiles: z.record(z.string(), z.number().min(50).max(100)).default({}),
        /** Columns never winsorised. */
        exclude_columns: z.array(z.string()).default([]),
        /** Leave promotion weeks untouched (they are neither capped nor used for the cap). */
        exempt_promo_periods: z.boolean().default(true),
        /** Column whose non-zero / true / non-empty values mark promotion weeks. */
        promo_column: z.string().nullable().default(null),
        /** Promotion week start dates, ISO YYYY-MM-DD. */
        promo_dates: z.array(z.iso.date()).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Parsed `cleaning` config section: every key present. */
export type CleaningConfig = z.infer<typeof cleaningConfigSchema>;
/** The section as written in YAML: every key optional. */
export type CleaningConfigInput = z.input<typeof cleaningConfigSchema>;

/** The defaults of the `cleaning` section. */
export const DEFAULT_CLEANING_CONFIG: CleaningConfig = cleaningConfigSchema.parse({});
