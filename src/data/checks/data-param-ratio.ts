import type { CheckResult, Severity } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { round } from './sql.ts';
import { dateFacts, periodUnit } from './table-facts.ts';
import type { CheckContext } from './types.ts';

/**
 * Parameters of the reference model: intercept + trend (2) + 4 Fourier terms + 4 per channel
 * (beta, alpha, K, S) + one per control column (numeric controls plus levels - 1 dummies per
 * factor) + sigma: 2 + 4 + 4C + K + 1.
 */
export function referenceParameterCount(channels: number, controlColumns: number): number {
  return 2 + 4 + 4 * channels + controlColumns + 1;
}

/**
 * `data.data_param_ratio`: distinct weeks per model parameter. Below
 * `identifiability.block_data_param_ratio` (2) blocks, below `min_data_param_ratio` (5) warns.
 * Parameters: `options.parameterCount` or the reference model's count.
 */
export async function checkDataParamRatio(ctx: CheckContext): Promise<CheckResult> {
  const m = ctx.mapping;
  const cfg = ctx.config.identifiability;
  const dates = await dateFacts(ctx);
  const weeks = dates.length;
  const unit = periodUnit(dates);
  let dummies = 0;
  for (const f of m.factors) {
    const [l] = await ctx.db.query<{ n: number }>(`SELECT CAST(count(DISTINCT ${ident(f)}) AS INTEGER) AS n FROM ${ident(ctx.table)}`);
    dummies += Math.max(0, Number(l?.n ?? 0) - 1);
  }
  const parameters = ctx.options.parameterCount ?? referenceParameterCount(m.channels.length, m.controls.length + dummies);
  const ratio = weeks / parameters;
  const evidence = {
    weeks,
    parameters,
    ratio: round(ratio, 3),
    channels: m.channels.length,
    controlColumns: m.controls.length + dummies,
    formula: ctx.options.parameterCount === undefined ? '2 + 4 + 4C + K + 1' : 'given',
    warnBelow: cfg.min_data_param_ratio,
    blockBelow: cfg.block_data_param_ratio,
  };
  const severity: Severity = ratio < cfg.block_data_param_ratio ? 'block' : ratio < cfg.min_data_param_ratio ? 'warn' : 'info';
  const detail = `${weeks} ${unit}s for ${parameters} parameters: ${round(ratio, 2)} ${unit}s per parameter (warn below ${cfg.min_data_param_ratio}, block below ${cfg.block_data_param_ratio}).`;
  if (severity === 'info') return { id: 'data.data_param_ratio', severity, title: 'Enough weeks per parameter', detail, evidence };
  return {
    id: 'data.data_param_ratio',
    severity,
    title: severity === 'block' ? 'Far too many parameters for the data' : 'Few weeks per parameter',
    detail,
    evidence,
    fix: 'Add history, merge small channels, or drop controls that do not matter; tighter priors help when neither is possible.',
  };
}
