import { z } from 'zod';

/**
 * The `governance` section of the Carryover config (stage Refresh): the stability thresholds of
 * the drift report, the release gates and the channel labels (src/core/governance). Every key
 * has a default, so `{}` parses to the defaults.
 */
export const governanceConfigSchema = z
  .object({
    /** Data drift between a refresh and the previous run. */
    data: z
      .object({
        /** An overlapping week's value counts as restated when |new - old| > rel * |old| + abs. 0..1 */
        backfill_rel_tolerance: z.number().min(0).max(1).default(0.001),
        /** Absolute part of the restatement tolerance, in the column's units. >= 0 */
        backfill_abs_tolerance: z.number().min(0).default(1e-9),
        /** PSI above this warns (moderate shift). >= 0 */
        psi_warn: z.number().min(0).default(0.1),
        /** PSI above this reads as a major shift. >= 0 */
        psi_major: z.number().min(0).default(0.25),
        /** A two-sample KS p-value below this flags a shift. 0..1 */
        ks_p_value: z.number().min(0).max(1).default(0.01),
        /** A change in a column's missing share above this many percentage points warns. 0..100 */
        missing_change_pct: z.number().min(0).max(100).default(5),
        /** Weeks between the data's last week and the review date above this warn (stale data). >= 0 */
        max_staleness_weeks: z.number().min(0).default(4),
      })
      .strict()
      .prefault({}),
    /** Model drift: ROI and share deltas in units of the pooled posterior sd. */
    model: z
      .object({
        /** |delta| / pooled sd above this is a swing (warns, with its cause). > 0 */
        swing_sd: z.number().positive().default(1),
        /** |delta| / pooled sd above this with no explanation blocks the release. > 0 */
        severe_sd: z.number().positive().default(2),
        /** A 90% interval wider or narrower than this ratio is reported. >= 1 */
        width_ratio: z.number().min(1).default(1.5),
        /** P(rank changed) above this puts the channel under review. 0..1 */
        rank_change_prob: z.number().min(0).max(1).default(0.5),
      })
      .strict()
      .prefault({}),
    /** Channel labels (Safe to act on / Needs review / Do not infer). */
    labels: z
      .object({
        /** 90% ROI interval width / |median| above this: Needs review. > 0 */
        review_rel_width: z.number().positive().default(1),
        /** 90% ROI interval width / |median| above this: Do not infer. > 0 */
        do_not_infer_rel_width: z.number().positive().default(2),
        /** |correlation| with another channel above this: Do not infer (attribution between them is arbitrary). 0..1 */
        do_not_infer_correlation: z.number().min(0).max(1).default(0.95),
        /** |correlation| above this: Needs review. 0..1 */
        review_correlation: z.number().min(0).max(1).default(0.8),
        /** Variance inflation factor above this: Needs review. >= 1 */
        review_vif: z.number().min(1).default(10),
        /** Prior-posterior overlap above this (the data barely moved the prior): Do not infer. 0..1 */
        do_not_infer_prior_overlap: z.number().min(0).max(1).default(0.8),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Parsed governance thresholds, every key present. */
export type GovernanceConfig = z.infer<typeof governanceConfigSchema>;
