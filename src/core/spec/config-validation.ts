import { z } from 'zod';

/**
 * The `validation` section of the Carryover config (stage 2, Validate): thresholds of the data
 * checks in src/data/checks. Keys follow background/pipeline-stages-and-config.md (snake_case,
 * as they appear in the exported YAML). Every key has a default, so `{}` parses to the defaults.
 */
export const validationConfigSchema = z
  .object({
    /** Length and regularity of the weekly history. */
    coverage_frequency: z
      .object({
        /** Fewer distinct weeks than this blocks the fit. weeks >= 1 */
        min_weeks_required: z.number().int().min(1).default(52),
        /** Fewer distinct weeks than this warns (two years resolve seasonality). weeks */
        preferred_weeks: z.number().int().min(1).default(104),
        /** Missing weeks between the first and last date above this % warns. 0..100 */
        max_missing_weeks_pct: z.number().min(0).max(100).default(2),
        /** Missing weeks above this % blocks. 0..100 */
        block_missing_weeks_pct: z.number().min(0).max(100).default(20),
      })
      .strict()
      .prefault({}),
    /** Missing values per mapped column. */
    missing_values: z
      .object({
        /** A spend / exposure / control column with more than this % missing blocks (below: warns). 0..100 */
        block_missing_pct: z.number().min(0).max(100).default(20),
      })
      .strict()
      .prefault({}),
    /** Can the model tell the channels apart? */
    identifiability: z
      .object({
        /** |Pearson r| between two channels' spend above this warns. 0..1 */
        max_channel_correlation: z.number().min(0).max(1).default(0.9),
        /** Variance inflation factor of a channel's spend above this warns. >= 1 */
        max_vif: z.number().min(1).default(10),
        /** A channel with more than this % of zero-spend weeks warns (flighted: little signal). 0..100 */
        max_zero_spend_weeks_pct: z.number().min(0).max(100).default(50),
        /** A channel below this % of total spend warns (tiny channels get wide intervals). 0..100 */
        min_spend_share_pct: z.number().min(0).max(100).default(1),
        /** Weeks per model parameter below this warns. > 0 */
        min_data_param_ratio: z.number().positive().default(5),
        /** Weeks per model parameter below this blocks. > 0 */
        block_data_param_ratio: z.number().positive().default(2),
      })
      .strict()
      .prefault({}),
    /** Plausibility of values. */
    value_sanity: z
      .object({
        /** Outlier rule: robust z = |x - median| / (1.4826 MAD), or Tukey fences at `iqr_multiplier` x IQR. */
        outlier_method: z.enum(['robust_z', 'iqr']).default('robust_z'),
        /** Robust z above this flags a week (Iglewicz-Hoaglin 3.5). > 0 */
        robust_z_threshold: z.number().positive().default(3.5),
        /** Tukey fence multiplier (3 = "far out"). > 0 */
        iqr_multiplier: z.number().positive().default(3),
        /**
         * Cost per unit (spend / exposure: CPM, CPC) of a week outside [median / t, median x t]
         * of its channel warns. > 1
         */
        cost_per_unit_tolerance: z.number().gt(1).default(3),
      })
      .strict()
      .prefault({}),
    /** How recent the last period must be, relative to the `now` date passed to the checks. */
    freshness: z
      .object({
        /** Days between the last week start and `now` above this warns. >= 0 */
        max_age_days: z.number().min(0).default(35),
      })
      .strict()
      .prefault({}),
    /** Overall gate. */
    quality_thresholds: z
      .object({
        /** Validation score below this warns (see src/data/checks/score.ts). 0..1 */
        min_validation_score: z.number().min(0).max(1).default(0.8),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Parsed `validation` config section: every threshold present. */
export type ValidationConfig = z.infer<typeof validationConfigSchema>;
/** The section as written in YAML: every key optional. */
export type ValidationConfigInput = z.input<typeof validationConfigSchema>;

/** The defaults of the `validation` section. */
export const DEFAULT_VALIDATION_CONFIG: ValidationConfig = validationConfigSchema.parse({});
