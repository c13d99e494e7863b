import { describe, expect, it } from 'vitest';
import { formatNumber } from '../../src/core/format/number.ts';

describe('formatNumber', () => {
  it('keeps whole numbers exact, with thousands separators', () => {
    expect(formatNumber(8125009)).toBe('8,125,009');
    expect(formatNumber(2754370)).toBe('2,754,370');
    expect(formatNumber(-208)).toBe('-208');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(2015)).toBe('2015'); // a year or a line number reads as written
    expect(formatNumber(1234.5)).toBe('1234.5');
  });

  it('rounds fractions to the significant digits asked for', () => {
    expect(formatNumber(22358.3333)).toBe('22,358.3');
    expect(formatNumber(0.012345678, 4)).toBe('0.01235');
    expect(formatNumber(1.0049, 3)).toBe('1');
  });

  it('switches to an exponent only for the very small and the huge', () => {
    expect(formatNumber(0.00001234, 3)).toBe('1.23e-5');
    expect(formatNumber(2e15)).toBe('2e+15');
    expect(formatNumber(123456789012.5)).toBe('123,457,000,000');
  });

  it('never hides a bad value', () => {
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('Infinity');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
  });
});
