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
    /**
     * Outliers. By default only the KPI is capped, and only in weeks the outlier check flags
     * (validation.value_sanity: robust z beyond its threshold, or Tukey fences) that are also
     * beyond the percentile, outside promotion / event weeks and outside any channel's spend
     * burst (the burst explains the KPI). Spend is capped only by an explicit rule: `spend`
     * in `apply_to`, or the column in `column_percentiles`.
     */
    outliers: z
      .object({
        /** `winsorize`: cap values per the rules below; `none`: leave every value. */
        policy: z.enum(['winsorize', 'none']).default('winsorize'),
        /**
         * Which KPI weeks beyond the percentile are capped. `flagged`: only weeks the outlier
         * check flags, minus exempt weeks (promotion / event, spend burst) unless listed in
         * `cap_weeks` or `cap_all_flagged`. `percentile`: every non-promotion week beyond it.
         */
        kpi_rule: z.enum(['flagged', 'percentile']).default('flagged'),
        /** Cap value: this percentile of the column's non-promotion weeks (quantile_cont), per key. 50..100 */
        winsorize_percentile: z.number().min(50).max(100).default(99),
        /** Optional lower cap at this percentile (spend usually has none: zeros are real). 0..50 */
        lower_percentile: z.number().min(0).max(50).nullable().default(null),
        /**
         * Roles capped. The KPI follows `kpi_rule`; any other role listed here (an explicit rule)
         * is capped at its percentile in every non-promotion week beyond it.
         */
        apply_to: z.array(cleaningRoleSchema).default(['kpi']),
        /** Per-column percentiles (column name -> 50..100). A column listed here is capped even when its role is not in `apply_to`. */
        column_percentiles: z.record(z.string(), z.number().min(50).max(100)).default({}),
        /** Columns never capped. */
        exclude_columns: z.array(z.string()).default([]),
        /** Leave promotion / event weeks untouched (they are neither capped nor used for the cap). */
        exempt_promo_periods: z.boolean().default(true),
        /** Column whose non-zero / true / non-empty values mark promotion weeks. */
        promo_column: z.string().nullable().default(null),
        /** Promotion week start dates, ISO YYYY-MM-DD. */
        promo_dates: z.array(z.iso.date()).default([]),
        /**
         * Event weeks from the mapping: a factor control at a level other than its baseline, or a
         * numeric control named like an event (promo, holiday, event, black friday...; see
         * EVENT_CONTROL_NAME in src/data/clean/events.ts) that is non-zero, marks a promotion week.
         */
        events_from_controls: z.boolean().default(true),
        /** A flagged KPI week where some channel's spend is itself an outlier (same rule, high side) is left as it is. */
        exempt_spend_bursts: z.boolean().default(true),
        /**
         * "Cap this week": KPI weeks capped at the cap value even when exempt or not flagged. An ISO
         * date caps that week in every geo / product key; `{date, key}` in one key only.
         */
        cap_weeks: z.array(z.union([z.iso.date(), z.object({ date: z.iso.date(), key: z.string() }).strict()])).default([]),
        /** "Cap all flagged": every flagged KPI week beyond the cap is capped, exemptions ignored. */
        cap_all_flagged: z.boolean().default(false),
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

/** One `cleaning.outliers.cap_weeks` entry: a week start (every key) or a week in one geo / product key. */
export type CapWeek = CleaningConfig['outliers']['cap_weeks'][number];

/**
 * The cleaning config that changes no value of the file: `all` turns dedupe, missing data and
 * outliers off (only type casts remain); `outliers` turns off the caps alone. For fitting the
 * file's own values beside the cleaned ones.
 */
export function uncleanedConfig(c: CleaningConfig, scope: 'all' | 'outliers' = 'all'): CleaningConfig {
  const outliers = { ...c.outliers, policy: 'none' as const };
  if (scope === 'outliers') return { ...c, outliers };
  return { duplicates: { ...c.duplicates, policy: 'none' }, missing_data: { ...c.missing_data, policy: 'none', controls: 'none', kpi: 'none' }, outliers };
}

/**
 * Adds "cap this week" to a cleaning config (no duplicate entries): the config to write back
 * after a one-click cap on the Checks screen.
 * @param key geo / product label of the week; omit for national data (caps the date in every key)
 */
export function withCapWeek(c: CleaningConfig, date: string, key?: string): CleaningConfig {
  const entry: CapWeek = key ? { date, key } : date;
  const same = (e: CapWeek) => (typeof e === 'string' ? e === date && !key : e.date === date && e.key === key);
  if (c.outliers.cap_weeks.some(same)) return c;
  return { ...c, outliers: { ...c.outliers, cap_weeks: [...c.outliers.cap_weeks, entry] } };
}

/** Sets "cap all flagged" (true) or clears it (false). */
export function withCapAllFlagged(c: CleaningConfig, on: boolean): CleaningConfig {
  return { ...c, outliers: { ...c.outliers, cap_all_flagged: on } };
}

/**
 * Removes a "cap this week" entry (the undo of withCapWeek); the config itself when it is not listed.
 * @param key geo / product label as given to withCapWeek; omit for a date-only entry
 */
export function withoutCapWeek(c: CleaningConfig, date: string, key?: string): CleaningConfig {
  const same = (e: CapWeek) => (typeof e === 'string' ? e === date && !key : e.date === date && e.key === key);
  if (!c.outliers.cap_weeks.some(same)) return c;
  return { ...c, outliers: { ...c.outliers, cap_weeks: c.outliers.cap_weeks.filter((e) => !same(e)) } };
}
