import { describe, expect, it } from 'vitest';
import { formatEstimate, formatInterval50, formatShare } from '../../src/core/format/estimate.ts';
import { guessKpiKind } from '../../src/core/analysis/kpi-kind.ts';

describe('formatEstimate', () => {
  const e = { mean: 7.0213, q05: 4.98123, q25: 5.912, q75: 8.0951, q95: 9.9712 };
  it('prints the mean with its 90% interval to 3 significant digits', () => {
    expect(formatEstimate(e)).toBe('7.02 [4.98, 9.97] 90%');
    expect(formatInterval50(e)).toBe('[5.91, 8.1] 50%');
  });
  it('keeps large whole numbers exact and spells out non-finite ends', () => {
    expect(formatEstimate({ mean: 1234567, q05: 1000000, q25: 0, q75: 0, q95: Infinity })).toBe('1,234,567 [1,000,000, Infinity] 90%');
  });
  it('prints shares in percent', () => {
    expect(formatShare({ mean: 0.3124, q05: 0.25, q25: 0, q75: 0, q95: 0.3791 })).toBe('31.2% [25%, 37.9%] 90%');
  });
});

describe('guessKpiKind', () => {
  it('reads money and count words in the KPI name', () => {
    expect(guessKpiKind('revenue')).toBe('revenue');
    expect(guessKpiKind('total_sales')).toBe('revenue');
    expect(guessKpiKind('conversions')).toBe('count');
    expect(guessKpiKind('sales_units')).toBe('count');
    expect(guessKpiKind('y')).toBe('unspecified');
  });
});

describe('formatCompact', () => {
  it('writes axis amounts with K, M, B', async () => {
    const { formatCompact } = await import('../../src/core/format/number.ts');
    expect([500, 2500, 3_000_000, 35_000_000_000, -1_200_000].map(formatCompact)).toEqual(['500', '2.5K', '3M', '35B', '-1.2M']);
  });
});
