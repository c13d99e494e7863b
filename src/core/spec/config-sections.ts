import { z } from 'zod';

/*
 * The `validation` and `cleaning` sections are owned by the data-checks work
 * (config-validation.ts, config-cleaning.ts). Until those land, any object is accepted and
 * kept as written; this file is the single switch point.
 */

/** Schema of the `validation` section (thresholds of the data checks). */
export const validationConfigSchema = z.record(z.string(), z.unknown()).default({});
/** Schema of the `cleaning` section (winsorizing, missing data, duplicates). */
export const cleaningConfigSchema = z.record(z.string(), z.unknown()).default({});
