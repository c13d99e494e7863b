import { describe, expect, it } from 'vitest';
import { roiIntervals } from '../../src/core/analysis/roi-intervals.ts';
import type { DrawTable } from '../../src/core/model/draws.ts';

const table = (names: string[], rows: number[][]): DrawTable => ({ names, values: Float64Array.from(rows.flat()), nDraws: rows.length });

describe('roiIntervals', () => {
  it('pools the roi[..] column over chains: hand-computed type-7 quantiles', () => {
    const names = ['beta', 'roi[tv]', 'roi[search]'];
    // tv draws 1..10 over two chains (5 each), search = 10 x tv
    const a = table(names, [1, 2, 3, 4, 5].map((v) => [0, v, 10 * v]));
    const b = table(names, [6, 7, 8, 9, 10].map((v) => [0, v, 10 * v]));
    const [tv, search] = roiIntervals([b, a], ['tv', 'search']);
    // n = 10: h = 9p; q05 = 1 + 0.45 = 1.45, q25 = 3.25, q50 = 5.5, q75 = 7.75, q95 = 9.55
    expect([tv!.channel, tv!.draws]).toEqual(['tv', 10]);
    const want = { mean: 5.5, q05: 1.45, q25: 3.25, q50: 5.5, q75: 7.75, q95: 9.55 };
    for (const [k, v] of Object.entries(want)) expect(tv![k as keyof typeof want]).toBeCloseTo(v, 12);
    expect(search!.q05).toBeCloseTo(14.5, 12);
    expect(search!.q95).toBeCloseTo(95.5, 12);
  });

  it('names the channel that has no ROI column, and refuses no draws', () => {
    const t = table(['roi[tv]'], [[1]]);
    expect(() => roiIntervals([t], ['radio'])).toThrow(/'radio'.*roi\[tv\]/);
    expect(() => roiIntervals([table(['roi[tv]'], [])], ['tv'])).toThrow(/no draws/);
  });
});
