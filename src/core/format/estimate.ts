import { formatNumber } from './number.ts';

/** The numbers of an estimate that a screen prints: a centre and the 50% and 90% interval ends. */
export interface EstimateLike {
  mean: number;
  q05: number;
  q25: number;
  q75: number;
  q95: number;
}

/**
 * An estimate with its 90% interval, e.g. `7.02 [4.98, 9.97] 90%`: the posterior mean, then
 * the 5% and 95% quantiles, each to `digits` significant digits (formatNumber).
 */
export function formatEstimate(e: EstimateLike, digits = 3): string {
  return `${formatNumber(e.mean, digits)} [${formatNumber(e.q05, digits)}, ${formatNumber(e.q95, digits)}] 90%`;
}

/** The 50% interval of an estimate, e.g. `[5.91, 8.10] 50%`. */
export function formatInterval50(e: EstimateLike, digits = 3): string {
  return `[${formatNumber(e.q25, digits)}, ${formatNumber(e.q75, digits)}] 50%`;
}

/** A share in percent with its 90% interval, e.g. `31.2% [25.0%, 37.9%] 90%`. */
export function formatShare(e: EstimateLike, digits = 3): string {
  const p = (v: number) => `${formatNumber(v * 100, digits)}%`;
  return `${p(e.mean)} [${p(e.q05)}, ${p(e.q95)}] 90%`;
}
