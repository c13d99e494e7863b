const significant = new Map<number, Intl.NumberFormat>();
// 'min2': no separator in 4-digit numbers, so years and line numbers read as written (2015)
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, useGrouping: 'min2' });

/**
 * A number for a table cell: whole numbers exact with thousands separators from 10,000 on
 * (8,125,009; 2015), others
 * to `digits` significant digits (22,358.3; 0.0123); scientific notation only below 1e-4 or
 * from 1e15; NaN and Infinity spelled as JavaScript does, so a bad value is never hidden.
 */
export function formatNumber(v: number, digits = 6): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e15)) return v.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  if (Number.isInteger(v)) return whole.format(v);
  let f = significant.get(digits);
  if (!f) significant.set(digits, (f = new Intl.NumberFormat('en-US', { maximumSignificantDigits: digits, useGrouping: 'min2' })));
  return f.format(v);
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** A short amount for chart axis ticks: 500, 2.5K, 3M, 35B (d3's SI "G" for billions reads oddly for money). */
export function formatCompact(v: number): string {
  return compact.format(v);
}
