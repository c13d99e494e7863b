import type { CheckResult } from '../core/check/result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import type { Config, DataConfig } from '../core/spec/config.ts';
import type { ValidationConfig } from '../core/spec/config-validation.ts';
import { applyOverrides, DATA_CHECKS, describeTable, runAllChecks, validationScore, type CheckOverride } from './checks/index.ts';
import { columnsResult } from './checks/columns.ts';
import type { CheckContext } from './checks/types.ts';
import { uncleanedConfig } from '../core/spec/config-cleaning.ts';
import { cleanTable, type FlaggedWeek, type LineageEntry } from './clean/index.ts';
import { toDataset, toDatasetsByKey } from './dataset-adapter.ts';
import { toGeoPanel, type GeoPanel } from './geo-panel.ts';
import { ident, type Db } from './db.ts';
import { aggregateWeekly, applyFilters, keptKeys, toWeeklyGrain, type Frequency } from './grain.ts';
import { toCheckMapping, type MappingConfig } from './mapping.ts';
import { checkNonFinite, MAX_ABS_VALUE } from './non-finite.ts';

/*
 * The stages after ingest, shared by the headless runner (runPipeline) and the browser's
 * DatasetState so both see the same findings for the same file: shape (filters, finite view,
 * weekly grain) -> check (data checks, row-level names, non-finite) -> clean (cleaning, grain
 * level, Dataset). Callers own sequencing concerns only: progress, staleness, overrides.
 */

/** DuckDB names of the pipeline's tables and views (one dataset per Db at a time). */
export const PIPELINE_TABLES = {
  raw: 'raw',
  filtered: 'filtered',
  rows: 'finite_rows',
  weekly: 'weekly',
  clean: 'clean',
  model: 'model_input',
  national: 'national',
  /** cleanStage's tables with `variant: 'raw'` (the file's own values, beside the cleaned ones). */
  rawClean: 'raw_clean',
  rawModel: 'raw_model_input',
  rawNational: 'raw_national',
} as const;

const T = PIPELINE_TABLES;

/** The numeric columns a mapping feeds to the model (KPI, spend, exposure, controls), each once. */
export function mappedNumericColumns(m: MappingConfig): string[] {
  return [...new Set([m.kpi_col, ...Object.values(m.channel_map).flatMap((c) => (c.exposure ? [c.spend, c.exposure] : [c.spend])), ...m.controls])];
}

/**
 * `data.mapping` block when the mapping lacks a date, a KPI or any spend column; `data.columns`
 * block when it names a column the table does not have (or one column in two roles); else null.
 * @param problems what the mapping detector could not decide (shown instead of the generic text)
 */
export function mappingBlock(m: MappingConfig, problems: readonly string[], file: string, columns: readonly string[]): CheckResult | null {
  if (m.date_col && m.kpi_col && Object.keys(m.channel_map).length > 0) {
    // Every stage after this one reads the mapped columns in SQL: a missing one is named here.
    const named = columnsResult(toCheckMapping(m), columns, file);
    return named.severity === 'block' ? named : null;
  }
  return {
    id: 'data.mapping',
    severity: 'block',
    title: 'The column mapping is incomplete',
    detail: (problems.length ? problems : ['Map a date column, a KPI column and at least one spend column.']).join(' '),
    evidence: { file, columns: [...columns] },
    fix: 'Choose the roles in the mapping screen, or set data.date_col, data.kpi_col and data.channel_map in the config.',
  };
}

/** What shapeStage made: the tables the checks and cleaning read. */
export interface ShapeResult {
  /** The user's rows after the key filters (a view), values as read: data.non_finite names rows here. */
  filtered: string;
  /** The same rows with NaN, +-Infinity and |x| > MAX_ABS_VALUE in mapped numeric columns read as missing (a view). */
  rows: string;
  /** One row per week and key: `rows` itself when the file is weekly, else its weekly aggregate. */
  table: string;
  /** grain.weekly when daily or irregular data was aggregated (warn when the first or last week is partial). */
  findings: CheckResult[];
  frequency: Frequency;
}

// Types whose values TRY_CAST to a DOUBLE that can be NaN, infinite or huge; text too ("NaN", "inf").
const MASKABLE = /^(DOUBLE|FLOAT|REAL|DECIMAL|HUGEINT|UHUGEINT|BIGINT|UBIGINT|VARCHAR)/;

/**
 * Creates view `out` of `table` where non-finite or absurd numbers (the ones data.non_finite
 * names) in mapped numeric columns are NULL. data.non_finite blocks on them; masking keeps the
 * other checks from failing on them ("STDDEV_POP out of range") or reporting NaN shares, and an
 * overridden block hands them to the missing-data policy, as its fix says.
 */
async function finiteView(db: Db, table: string, m: MappingConfig, out: string): Promise<void> {
  const types = new Map((await describeTable(db, table)).map((c) => [c.name, c.type]));
  const masked = mappedNumericColumns(m).filter((c) => MASKABLE.test(types.get(c) ?? ''));
  const expr = (c: string) => {
    const x = `TRY_CAST(${ident(c)} AS DOUBLE)`;
    return `CASE WHEN isnan(${x}) OR isinf(${x}) OR abs(${x}) > ${MAX_ABS_VALUE} THEN NULL ELSE ${ident(c)} END AS ${ident(c)}`;
  };
  await db.exec(`CREATE OR REPLACE VIEW ${ident(out)} AS SELECT *${masked.length ? ` REPLACE (${masked.map(expr).join(', ')})` : ''} FROM ${ident(table)}`);
}

/**
 * Stage 2a: key filters, the finite view, then the weekly grain keeping every key (daily or
 * irregular data summed into weeks; weekly data passes through so checks see the user's rows).
 * @param table the ingested table (PIPELINE_TABLES.raw)
 * @param data the config's filters and grain (week start)
 */
export async function shapeStage(db: Db, table: string, m: MappingConfig, data: Pick<DataConfig, 'filters' | 'grain'>): Promise<ShapeResult> {
  await applyFilters(db, table, data.filters, T.filtered);
  await finiteView(db, T.filtered, m, T.rows);
  const weekly = await toWeeklyGrain(db, T.rows, m, data.grain.week_start, T.weekly);
  return { filtered: T.filtered, rows: T.rows, table: weekly.table, findings: weekly.result ? [weekly.result] : [], frequency: weekly.frequency };
}

/** Checks after overrides: the results shown, their score and whether the fit is blocked. */
export interface ChecksSummary {
  results: CheckResult[];
  /** validationScore(results) in [0, 1]. */
  score: number;
  /** true while any result is a block: no Dataset goes to the model. */
  blocked: boolean;
  /** score < validation.quality_thresholds.min_validation_score. */
  belowMinScore: boolean;
}

/** Applies the user's overrides to raw results and scores them (block -> warn, warn -> info). */
export function summarizeChecks(raw: readonly CheckResult[], overrides: readonly CheckOverride[], validation: ValidationConfig): ChecksSummary {
  const results = overrides.length ? applyOverrides([...raw], [...overrides]) : [...raw];
  const score = validationScore(results);
  return { results, score, blocked: results.some((r) => r.severity === 'block'), belowMinScore: score < validation.quality_thresholds.min_validation_score };
}

/** Options of checkStage that are not config. */
export interface CheckStageOptions {
  /** Reference date for the freshness check, ISO YYYY-MM-DD (the caller's clock). */
  now?: string;
  /** Blocks or warnings the user overrode, with a reason. */
  overrides?: readonly CheckOverride[];
  /** Findings of earlier stages (ingest), listed first and scored with the rest. */
  before?: readonly CheckResult[];
}

/** What checkStage found: `raw` before overrides (to re-apply as the user edits them), and the summary after. */
export interface CheckStageResult extends ChecksSummary {
  raw: CheckResult[];
}

/**
 * Stage 2b: every data check on the weekly table, row-level checks (types, duplicates, spend
 * values) named on the user's rows when the weekly table is an aggregate, and data.non_finite
 * on the rows as read. Order: `before`, grain findings, data checks, data.non_finite.
 */
export async function checkStage(db: Db, shape: ShapeResult, m: MappingConfig, validation: ValidationConfig, opts: CheckStageOptions = {}): Promise<CheckStageResult> {
  const cm = toCheckMapping(m);
  const context = async (table: string): Promise<CheckContext> => ({ db, table, mapping: cm, config: validation, columns: await describeTable(db, table), options: { maxNamed: 20, now: opts.now } });
  let checks = (await runAllChecks(db, shape.table, cm, validation, { now: opts.now })).results;
  if (shape.table !== shape.rows) {
    // Row-level problems are named on the user's rows, not on the weekly sums that hide them.
    const ctx = await context(shape.rows);
    const rowLevel = [await DATA_CHECKS['data.types'](ctx), await DATA_CHECKS['data.duplicates'](ctx), await DATA_CHECKS['data.spend_values'](ctx)];
    checks = checks.map((r) => rowLevel.find((x) => x.id === r.id && x.severity !== 'info') ?? r);
  }
  const nonFinite = await checkNonFinite(db, shape.filtered, m);
  if (nonFinite.severity !== 'info' && shape.table === shape.rows) {
    // A NaN cell is named once, by data.non_finite: missing values are counted on the cells as read.
    const asRead = await DATA_CHECKS['data.missing_values'](await context(shape.filtered));
    checks = checks.map((r) => (r.id === asRead.id ? asRead : r));
  }
  const raw = [...(opts.before ?? []), ...shape.findings, ...checks, nonFinite];
  return { raw, ...summarizeChecks(raw, opts.overrides ?? [], validation) };
}

/** What cleanStage made: lineage, tables, and the model input (or the block that says why there is none). */
export interface CleanStageResult {
  /** Every cleaning change, in the order applied. */
  lineage: LineageEntry[];
  /** KPI weeks the outlier check flags, with cap value, exemptions and what cleaning did (CleanResult.flagged). */
  flagged: FlaggedWeek[];
  /** The cleaned weekly table (every key) and the table at the model's grain. */
  tables: { clean: string; model: string };
  /** National model input: at grain level national, or always with `target: 'national'`. */
  dataset: Dataset | null;
  /** Per-key model inputs when the grain keeps a key and `target` is 'grain'. */
  datasets: { key: string; dataset: Dataset }[] | null;
  /** data.model_input block when the cleaned table cannot be handed to the model; null otherwise. */
  result: CheckResult | null;
  /**
   * The geo model's panel at the grain's keys (geo, or geo x product pairs), when the grain keeps
   * a key and `panel` was asked for; null otherwise or when it cannot be built (see panelResult).
   */
  panel: GeoPanel | null;
  /** data.geo_panel warning naming the unit, column and week when the panel cannot be built; null otherwise. */
  panelResult: CheckResult | null;
}

/** Options of cleanStage. */
export interface CleanStageOptions {
  /** 'grain' (default): Datasets at data.grain.level; 'national': one national Dataset whatever the level (the reference national model). */
  target?: 'grain' | 'national';
  /**
   * 'cleaned' (default): the `cleaning` config. 'raw': no rule changes a value
   * (uncleanedConfig(cleaning, 'all'): only type casts), into PIPELINE_TABLES.rawClean / rawModel /
   * rawNational so the cleaned tables stay: the Dataset to fit beside the cleaned one. Its
   * `result` blocks when the file's own values cannot be fitted (gaps, duplicate weeks).
   */
  variant?: 'cleaned' | 'raw';
  /** Also build the geo panel (CleanStageResult.panel) when data.grain.level keeps a key (default false). */
  panel?: boolean;
}

/**
 * Stage 3: cleaning on the weekly table (per key), then aggregation to the grain level and the
 * Dataset(s). Call it only when checkStage (after overrides) does not block.
 * @param config its `cleaning`, `data.grain`, `data.factor_controls` (baselines) and
 *   `validation.value_sanity` (the outlier rule; its defaults when absent) are read
 */
export async function cleanStage(db: Db, shape: ShapeResult, m: MappingConfig, config: Pick<Config, 'cleaning' | 'data'> & Partial<Pick<Config, 'validation'>>, opts: CleanStageOptions = {}): Promise<CleanStageResult> {
  const { level, week_start } = config.data.grain;
  const raw = opts.variant === 'raw';
  const names = raw ? { clean: T.rawClean, model: T.rawModel, national: T.rawNational } : { clean: T.clean, model: T.model, national: T.national };
  const clean = await cleanTable(db, shape.table, toCheckMapping(m), raw ? uncleanedConfig(config.cleaning, 'all') : config.cleaning, {
    output: names.clean,
    ...(config.validation ? { outlierRule: config.validation.value_sanity } : {}),
    factorBaselines: config.data.factor_controls,
  });
  const allKeys = [m.keys.geo, m.keys.product].filter((k): k is string => !!k);
  const keep = opts.target === 'national' ? [] : keptKeys(level, m.keys);
  let model = clean.table;
  if (keep.length < allKeys.length) {
    model = keep.length ? names.model : names.national;
    await aggregateWeekly(db, clean.table, m, week_start, keep, model);
  }
  const out: CleanStageResult = { lineage: clean.lineage, flagged: clean.flagged, tables: { clean: clean.table, model }, dataset: null, datasets: null, result: null, panel: null, panelResult: null };
  const grainKeys = keptKeys(level, m.keys);
  if (opts.panel && grainKeys.length) {
    // the panel reads the cleaned table at the grain's keys, whatever `target` the Dataset takes
    let atGrain = clean.table;
    if (grainKeys.length < allKeys.length) {
      atGrain = names.model;
      if (model !== names.model) await aggregateWeekly(db, clean.table, m, week_start, grainKeys, atGrain);
    }
    const p = await toGeoPanel(db, atGrain, m, grainKeys);
    if (p.ok) out.panel = p.panel;
    else out.panelResult = p.result;
  }
  if (keep.length === 0) {
    const d = await toDataset(db, model, m);
    if (d.ok) out.dataset = d.dataset;
    else out.result = d.result;
    return out;
  }
  const per = await toDatasetsByKey(db, model, m, keep[0]);
  const bad = per.find((p) => !p.result.ok);
  if (bad && !bad.result.ok) out.result = bad.result.result;
  else out.datasets = per.flatMap((p) => (p.result.ok ? [{ key: p.key, dataset: p.result.dataset }] : []));
  return out;
}
