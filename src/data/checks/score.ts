import type { CheckResult, Severity } from '../../core/check/result.ts';

/** Credit a check earns by severity: passed 1, warned 0.5, blocked 0. */
export const SEVERITY_CREDIT = { info: 1, warn: 0.5, block: 0 } as const satisfies Record<Severity, number>;

/** Weight of checks that can block (the data contract) vs the rest (advisory). */
export const CONTRACT_WEIGHT = 3;
export const ADVISORY_WEIGHT = 1;

/** Check ids that can block: they weigh CONTRACT_WEIGHT in the score. */
export const CONTRACT_CHECKS: ReadonlySet<string> = new Set([
  'data.columns',
  'data.types',
  'data.coverage',
  'data.periods',
  'data.duplicates',
  'data.missing_values',
  'data.kpi_values',
  'data.spend_values',
  'data.constant_columns',
  'data.data_param_ratio',
]);

/**
 * Validation score in [0, 1]: the weighted mean credit of the results,
 *   score = sum_i w_i c_i / sum_i w_i,
 * c = 1 (info), 0.5 (warn, including an overridden block), 0 (block);
 * w = 3 for data-contract checks (those that can block), 1 for advisory ones.
 * 1 when every check passes; an empty list scores 1.
 */
export function validationScore(results: readonly CheckResult[]): number {
  let num = 0;
  let den = 0;
  for (const r of results) {
    const w = CONTRACT_CHECKS.has(r.id) ? CONTRACT_WEIGHT : ADVISORY_WEIGHT;
    num += w * SEVERITY_CREDIT[r.severity];
    den += w;
  }
  return den === 0 ? 1 : num / den;
}
