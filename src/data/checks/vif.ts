import type { CheckResult } from '../../core/check/result.ts';
import { round } from './sql.ts';
import { sharedCorrelation, vifColumns } from './correlation.ts';
import type { CheckContext } from './types.ts';

/** VIF at or above this is reported as perfectly collinear (`vif: null, collinear: true`). */
const COLLINEAR_VIF = 1e6;

/**
 * Variance inflation factors from a correlation matrix: VIF_j = (R^-1)_jj = 1 / (1 - R^2_j).
 * A ridge of 1e-9 on the diagonal keeps an exactly singular R invertible, so perfectly
 * collinear columns come out >= 1e6 and the others keep their finite VIF.
 * @param r [n][n] correlation matrix without NaN
 * @returns [n] VIF >= 1
 */
export function varianceInflation(r: readonly (readonly number[])[]): number[] {
  const n = r.length;
  const a = r.map((row, i) => [...row.map((v, j) => (i === j ? v + 1e-9 : v)), ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i]![c]!) > Math.abs(a[p]![c]!)) p = i;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const piv = a[c]![c]!;
    for (let j = 0; j < 2 * n; j++) a[c]![j]! /= piv;
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = a[i]![c]!;
      if (f !== 0) for (let j = 0; j < 2 * n; j++) a[i]![j]! -= f * a[c]![j]!;
    }
  }
  return Array.from({ length: n }, (_, j) => a[j]![n + j]!);
}

/**
 * `data.vif`: variance inflation of each channel's spend and numeric control given all the
 * others (zero-variance columns left out). Above `identifiability.max_vif` (10) warns: that
 * column is largely a linear mix of the rest, so its coefficient is poorly identified.
 */
export async function checkVif(ctx: CheckContext): Promise<CheckResult> {
  const limit = ctx.config.identifiability.max_vif;
  const all = vifColumns(ctx.mapping);
  const full = await sharedCorrelation(ctx, all.map((c) => c.column));
  const keep = all.map((_, i) => i).filter((i) => full[i]!.every((v) => Number.isFinite(v)));
  if (keep.length < 2) {
    return { id: 'data.vif', severity: 'info', title: 'Too few varying columns for VIF', detail: `${keep.length} column(s) vary.`, evidence: { columns: keep.length } };
  }
  const vif = varianceInflation(keep.map((i) => keep.map((j) => full[i]![j]!)));
  const rows = keep.map((i, k) => {
    const v = vif[k]!;
    const collinear = !(v < COLLINEAR_VIF);
    return { column: all[i]!.name, vif: collinear ? null : round(v, 3), collinear };
  });
  const flagged = rows.filter((r) => r.collinear || (r.vif ?? 0) > limit);
  const evidence = { limit, columns: rows, excluded: all.filter((_, i) => !keep.includes(i)).map((c) => c.name) };
  if (flagged.length === 0) {
    const max = Math.max(...rows.map((r) => r.vif ?? 0));
    return { id: 'data.vif', severity: 'info', title: 'No strong multicollinearity', detail: `Largest VIF ${round(max, 2)} (warn above ${limit}).`, evidence };
  }
  return {
    id: 'data.vif',
    severity: 'warn',
    title: 'Multicollinear channels or controls',
    detail: flagged.map((r) => `${r.column}: VIF ${r.collinear ? '>= 1e6 (perfectly collinear)' : r.vif}`).join('; ') + `; warn above ${limit}.`,
    evidence,
    fix: 'Drop or merge a redundant column, or bring outside evidence (lift-test prior) for the affected channels.',
  };
}
