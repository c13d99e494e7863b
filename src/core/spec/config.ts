import { z } from 'zod';
import { modelSpecSchema, DEFAULT_MODEL_SPEC, type ModelSpec } from './model-spec.ts';
import { validationConfigSchema } from './config-validation.ts';
import { cleaningConfigSchema } from './config-cleaning.ts';
import { governanceConfigSchema } from './config-governance.ts';

/*
 * The one config object of Carryover: every setting of every stage, with a default for each,
 * so `{}` parses to a full config. Keys are snake_case because the object is exported as YAML
 * for people to edit (background/pipeline-stages-and-config.md).
 */

/** Renders an offending value for an error message: strings quoted, objects as JSON, short. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** An error function for zod checks: `expected <what>, got <value>`. */
function expected(what: string) {
  return { error: (iss: { input?: unknown }) => `expected ${what}, got ${showValue(iss.input)}` };
}

const posInt = () => z.number(expected('a positive integer')).int(expected('a positive integer')).positive(expected('a positive integer'));
const nonNegInt = () =>
  z.number(expected('a non-negative integer')).int(expected('a non-negative integer')).min(0, expected('a non-negative integer'));
const unit = (what = 'a number in [0, 1]') => z.number(expected(what)).min(0, expected(what)).max(1, expected(what));
const posNum = () => z.number(expected('a positive number')).positive(expected('a positive number'));
const str = (what = 'a string') => z.string(expected(what));
const colName = () => z.string(expected('a column name')).min(1, expected('a non-empty column name'));
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, expected(`one of ${values.join(' | ')}`));

/** Days a week can start on; weekly buckets begin on this day. */
export const WEEK_STARTS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type WeekStart = (typeof WEEK_STARTS)[number];

/** Grain levels: national sums every key away; the others keep geo and/or product keys. */
export const GRAIN_LEVELS = ['national', 'geo', 'product', 'geo_product'] as const;
export type GrainLevel = (typeof GRAIN_LEVELS)[number];

/** A paid channel: its spend column (currency >= 0) and optionally an exposure column (impressions, clicks...). */
export const channelColumnsSchema = z
  .object({ spend: colName(), exposure: colName().optional() })
  .strict();

/** Keep rows whose key column is in `values` (e.g. `{column: geo, values: [Geo1, Geo2]}`). */
export const keyFilterSchema = z.object({ column: colName(), values: z.array(str('a key value')).min(1, expected('at least one value')) }).strict();

/** `data`: which column plays which part, the keys, the grain and row filters. */
export const dataConfigSchema = z
  .object({
    /** Name of the uploaded file the mapping was made for (informational). */
    file: str().default(''),
    date_col: z.string(expected('a column name')).default(''),
    /** The KPI (revenue, conversions...): `revenue_col` in the background guide. */
    kpi_col: z.string(expected('a column name')).default(''),
    channel_map: z.record(z.string(), channelColumnsSchema).default({}),
    controls: z.array(colName()).default([]),
    /** Categorical control -> its baseline level (no dummy). */
    factor_controls: z.record(z.string(), str('a baseline level')).default({}),
    /**
     * Revenue per unit of KPI (Meridian's revenue_per_conversion): a column (per week) or one
     * constant. With it, ROI and plans read in revenue per unit of spend; without it, in KPI units.
     */
    revenue_per_kpi: z.union([posNum(), colName()]).optional(),
    /** Numeric columns recognised but left out of the model (organic media, rates, indices), kept for reference. */
    ignored: z.array(colName()).default([]),
    keys: z.object({ geo: colName().optional(), product: colName().optional() }).strict().prefault({}),
    grain: z
      .object({ level: oneOf(GRAIN_LEVELS).default('national'), week_start: oneOf(WEEK_STARTS).default('monday') })
      .strict()
      .prefault({}),
    filters: z.array(keyFilterSchema).default([]),
  })
  .strict();

/** How a CSV is read when the sniffer's guess is wrong; empty means "let the sniffer decide". */
export const readConfigSchema = z
  .object({
    delimiter: z.string(expected('a one-character delimiter')).max(1, expected('a one-character delimiter')).optional(),
    quote: z.string(expected('a one-character quote')).max(1, expected('a one-character quote')).optional(),
    decimal: oneOf(['.', ',']).optional(),
    date_format: str('a strftime format such as %d/%m/%Y').optional(),
    header: z.boolean(expected('true or false')).optional(),
    encoding: oneOf(['utf-8', 'utf-16', 'latin-1']).optional(),
  })
  .strict();

/** NUTS settings and convergence thresholds. */
export const trainingConfigSchema = z
  .object({
    chains: posInt().default(4),
    // The app's defaults, the one place they are written (DEFAULT_FIT_SETTINGS derives from them);
    // why these values: bench/README.md. Stan's are warmup 1000, adapt_delta 0.8, adaptation stan,
    // metric diag, until_converged false (STAN_FIT_SETTINGS).
    warmup: nonNegInt().default(400),
    draws: posInt().default(1000),
    seed: nonNegInt().default(1),
    adapt_delta: z.number(expected('a number in (0, 1)')).gt(0, expected('a number in (0, 1)')).lt(1, expected('a number in (0, 1)')).default(0.9),
    max_treedepth: posInt().default(10),
    adaptation: oneOf(['gradient-dense', 'gradient', 'stan']).default('gradient-dense'),
    metric: oneOf(['dense', 'diag']).default('dense'),
    kernel: oneOf(['auto', 'fused', 'tfjs-wasm', 'tfjs-cpu', 'tfjs-webgpu']).default('auto'),
    /** stop sampling once max_rhat and min_ess hold (checked every block_draws draws); draws is then the cap */
    until_converged: z.boolean(expected('true or false')).default(true),
    block_draws: posInt().default(100),
    max_rhat: z.number(expected('a number >= 1')).min(1, expected('a number >= 1')).default(1.01),
    min_ess: posInt().default(400),
    rolling_splits: z
      .object({ window_weeks: posInt().default(104), step_weeks: posInt().default(13), folds: nonNegInt().default(0) })
      .strict()
      .prefault({}),
  })
  .strict();

/** Budget allocation settings. */
export const optimizationConfigSchema = z
  .object({
    objective: oneOf(['expected', 'quantile', 'cvar', 'target_roi', 'target_mroi']).default('expected'),
    horizon_weeks: posInt().default(13),
    /** Quantile of the outcome for the `quantile`/`cvar` objectives. */
    risk_quantile: unit().default(0.1),
    min_spend_pct: unit().default(0),
    max_spend_pct: unit().default(1),
    max_change_pct: unit().default(0.5),
    locked_channels: z.array(str('a channel name')).default([]),
  })
  .strict();

/** Holdout and model-health thresholds. */
export const evaluationConfigSchema = z
  .object({
    holdout_weeks: nonNegInt().default(13),
    /** post-warmup draws per chain of each holdout / backtest refit (at most the main fit's draws) */
    backtest_draws: posInt().default(300),
    mape: posNum().default(0.15),
    coverage: unit().default(0.8),
    interval: unit().default(0.9),
    /** PSIS-LOO points with Pareto k above this are unreliable (Vehtari et al. 2017/2024) */
    pareto_k: posNum().default(0.7),
  })
  .strict();

/** Which report parts are produced. */
export const reportsConfigSchema = z
  .object({
    executive_summary: z.boolean(expected('true or false')).default(true),
    diagnostics_appendix: z.boolean(expected('true or false')).default(true),
    dashboard_exports: z.boolean(expected('true or false')).default(true),
    include_row_data: z.boolean(expected('true or false')).default(false),
  })
  .strict();

/** Merges a partial model section over the reference model, priors key by key. */
function mergeModel(input: unknown): unknown {
  if (input === undefined) return DEFAULT_MODEL_SPEC;
  if (!input || typeof input !== 'object' || Array.isArray(input)) return input;
  const m = input as Record<string, unknown>;
  const priors = m.priors && typeof m.priors === 'object' && !Array.isArray(m.priors) ? { ...DEFAULT_MODEL_SPEC.priors, ...m.priors } : m.priors;
  return { ...DEFAULT_MODEL_SPEC, ...m, ...(m.priors === undefined ? {} : { priors }) };
}

/** The whole config: every section defaults, so `configSchema.parse({})` is a usable config. */
export const configSchema = z
  .object({
    project: z
      .object({
        name: str().default('carryover'),
        description: str().default(''),
        currency: str('a currency code such as EUR').default('USD'),
      })
      .strict()
      .prefault({}),
    read: readConfigSchema.prefault({}),
    data: dataConfigSchema.prefault({}),
    validation: validationConfigSchema.prefault({}),
    cleaning: cleaningConfigSchema.prefault({}),
    /** Features (adstock, saturation, trend, seasonality) and model (likelihood, priors): the ModelSpec. */
    model: z.preprocess(mergeModel, modelSpecSchema) as unknown as z.ZodType<ModelSpec, unknown>,
    training: trainingConfigSchema.prefault({}),
    optimization: optimizationConfigSchema.prefault({}),
    evaluation: evaluationConfigSchema.prefault({}),
    reports: reportsConfigSchema.prefault({}),
    governance: governanceConfigSchema.prefault({}),
  })
  .strict();

/** The parsed config: every field present. */
export type Config = z.infer<typeof configSchema>;
export type DataConfig = z.infer<typeof dataConfigSchema>;
export type ReadConfig = z.infer<typeof readConfigSchema>;
export type TrainingConfig = z.infer<typeof trainingConfigSchema>;
export type ChannelColumns = z.infer<typeof channelColumnsSchema>;
export type KeyFilter = z.infer<typeof keyFilterSchema>;

/** A config with every default (no data mapping yet). */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
