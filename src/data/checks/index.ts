import type { CheckResult } from '../../core/check/result.ts';
import type { ValidationConfig } from '../../core/spec/config-validation.ts';
import { ident, type Db } from '../db.ts';
import { checkChannelCorrelation } from './correlation.ts';
import { checkColumnTypes } from './column-types.ts';
import { checkColumns } from './columns.ts';
import { checkConstantColumns } from './constant-columns.ts';
import { checkCostPerUnit } from './cost-per-unit.ts';
import { checkCoverage } from './coverage.ts';
import { checkDataParamRatio } from './data-param-ratio.ts';
import { checkDuplicates } from './duplicates.ts';
import { checkFreshness } from './freshness.ts';
import { checkKeyCoverage } from './key-coverage.ts';
import { checkKpiValues } from './kpi-values.ts';
import { checkMissingValues } from './missing-values.ts';
import { checkOutliers } from './outliers.ts';
import { checkPeriods } from './periods.ts';
import { applyOverrides, type CheckOverride } from './overrides.ts';
import { validationScore } from './score.ts';
import { checkSpendShare } from './spend-share.ts';
import { checkSpendValues } from './spend-values.ts';
import type { CheckContext, CheckMapping, CheckOptions, ColumnInfo, DataCheck } from './types.ts';
import { checkVif } from './vif.ts';
import { checkZeroSpend } from './zero-spend.ts';

export { applyOverrides, type CheckOverride } from './overrides.ts';
export { validationScore } from './score.ts';
export type { CheckMapping, CheckOptions } from './types.ts';

/** Ids of the data checks (closed set), in the order they run and are shown. */
export type DataCheckId =
  | 'data.columns'
  | 'data.types'
  | 'data.coverage'
  | 'data.periods'
  | 'data.duplicates'
  | 'data.missing_values'
  | 'data.kpi_values'
  | 'data.spend_values'
  | 'data.constant_columns'
  | 'data.outliers'
  | 'data.zero_spend'
  | 'data.channel_correlation'
  | 'data.vif'
  | 'data.spend_share'
  | 'data.data_param_ratio'
  | 'data.freshness'
  | 'data.cost_per_unit'
  | 'data.key_coverage';

/** Every data check by id. */
export const DATA_CHECKS = {
  'data.columns': checkColumns,
  'data.types': checkColumnTypes,
  'data.coverage': checkCoverage,
  'data.periods': checkPeriods,
  'data.duplicates': checkDuplicates,
  'data.missing_values': checkMissingValues,
  'data.kpi_values': checkKpiValues,
  'data.spend_values': checkSpendValues,
  'data.constant_columns': checkConstantColumns,
  'data.outliers': checkOutliers,
  'data.zero_spend': checkZeroSpend,
  'data.channel_correlation': checkChannelCorrelation,
  'data.vif': checkVif,
  'data.spend_share': checkSpendShare,
  'data.data_param_ratio': checkDataParamRatio,
  'data.freshness': checkFreshness,
  'data.cost_per_unit': checkCostPerUnit,
  'data.key_coverage': checkKeyCoverage,
} satisfies Record<DataCheckId, DataCheck>;

/** Options of `runAllChecks`: check options plus overrides to apply to the results. */
export interface RunChecksOptions extends CheckOptions {
  overrides?: CheckOverride[];
  /** Called after each check with its wall time in ms (profiling); awaited, so a caller may sample memory. */
  onCheck?: (id: DataCheckId, ms: number) => void | Promise<void>;
}

/** Result of a validation run. */
export interface ValidationReport {
  /** One result per check id, in DATA_CHECKS order (only `data.columns` when the date or KPI column is missing). */
  results: CheckResult[];
  /** validationScore(results) in [0, 1], after overrides. */
  score: number;
  /** true while any result is a block: the fit must not start. */
  blocked: boolean;
  /** score < validation.quality_thresholds.min_validation_score. */
  belowMinScore: boolean;
}

/** Columns of a table or view as DuckDB describes them. */
export async function describeTable(db: Db, table: string): Promise<ColumnInfo[]> {
  const rows = await db.query<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${ident(table)}`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/**
 * Runs every data check on `table` (never modified). Mapped columns absent from the table are
 * reported by `data.columns` and left out of the other checks; without the date or KPI column
 * only `data.columns` runs. A check that fails to run becomes a block naming the error.
 * @param now pass `options.now` (ISO date) for the freshness check; checks never read the clock
 */
export async function runAllChecks(
  db: Db,
  table: string,
  mapping: CheckMapping,
  config: ValidationConfig,
  options: RunChecksOptions = {},
): Promise<ValidationReport> {
  const columns = await describeTable(db, table);
  const present = new Set(columns.map((c) => c.name));
  const ctx: CheckContext = { db, table, mapping, config, columns, options: { maxNamed: 20, ...options }, memo: new Map() };
  let t = performance.now();
  const results: CheckResult[] = [await DATA_CHECKS['data.columns'](ctx)];
  await options.onCheck?.('data.columns', performance.now() - t);
  if (present.has(mapping.date) && present.has(mapping.kpi)) {
    const usable: CheckMapping = {
      date: mapping.date,
      kpi: mapping.kpi,
      channels: mapping.channels
        .filter((c) => present.has(c.spend))
        .map((c) => (c.exposure && present.has(c.exposure) ? c : { name: c.name, spend: c.spend })),
      controls: mapping.controls.filter((c) => present.has(c)),
      factors: mapping.factors.filter((c) => present.has(c)),
      keys: mapping.keys.filter((c) => present.has(c)),
    };
    const sub: CheckContext = { ...ctx, mapping: usable };
    for (const [id, check] of Object.entries(DATA_CHECKS) as [DataCheckId, DataCheck][]) {
      if (id === 'data.columns') continue;
      t = performance.now();
      results.push(await runSafely(id, check, sub));
      await options.onCheck?.(id, performance.now() - t);
    }
  }
  const final = options.overrides?.length ? applyOverrides(results, options.overrides) : results;
  const score = validationScore(final);
  return {
    results: final,
    score,
    blocked: final.some((r) => r.severity === 'block'),
    belowMinScore: score < config.quality_thresholds.min_validation_score,
  };
}

async function runSafely(id: DataCheckId, check: DataCheck, ctx: CheckContext): Promise<CheckResult> {
  try {
    return await check(ctx);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      id,
      severity: 'block',
      title: 'This check could not run',
      detail: `The check failed on this table: ${message}`,
      evidence: { error: message, table: ctx.table },
      fix: 'Check the column mapping and types; report the error if they look right.',
    };
  }
}
