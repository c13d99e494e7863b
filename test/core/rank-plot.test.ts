import { describe, expect, it } from 'vitest';
import { defaultRankBins, rankHistogram } from '../../src/core/diagnostics/rank-plot.ts';
import { Rng } from '../../src/core/inference/rng.ts';

describe('rankHistogram', () => {
  it('counts by hand: two chains of 3, one all below the other', () => {
    // pooled ranks: chain 0 -> 1, 2, 3; chain 1 -> 4, 5, 6; 2 bins of 3 ranks
    const h = rankHistogram([Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)], 2);
    expect(h.counts).toEqual([[3, 0], [0, 3]]);
    expect(h.expected).toBe(1.5);
    expect(Array.from(h.edges)).toEqual([0, 3, 6]);
  });

  it('puts ties in the bin of their average rank and keeps every draw', () => {
    const h = rankHistogram([Float64Array.of(5, 5, 5, 5)], 4);
    // four ties share rank 2.5: bin floor(1.5 * 4 / 4) = 1
    expect(h.counts).toEqual([[0, 4, 0, 0]]);
  });

  it('chains from one distribution give near-flat histograms; a shifted chain does not', () => {
    const rng = new Rng(7);
    const draw = (shift: number) => Float64Array.from({ length: 2000 }, () => rng.normal() + shift);
    const mixed = rankHistogram([draw(0), draw(0), draw(0), draw(0)], 10);
    for (const c of mixed.counts) {
      expect(c.reduce((s, v) => s + v, 0)).toBe(2000);
      // binomial sd of a bin count ~ sqrt(200 * 0.9) = 13.4: 5 sd
      for (const v of c) expect(Math.abs(v - mixed.expected)).toBeLessThan(70);
    }
    const stuck = rankHistogram([draw(0), draw(0), draw(0), draw(1.5)], 10);
    expect(stuck.counts[3][9]).toBeGreaterThan(3 * stuck.expected);
    expect(stuck.counts[3][0]).toBeLessThan(stuck.expected / 3);
  });

  it('rejects unequal chains and bad bins; default bins follow sqrt(n) within [5, 50]', () => {
    expect(() => rankHistogram([Float64Array.of(1), Float64Array.of(1, 2)], 2)).toThrow(/same number/);
    expect(() => rankHistogram([Float64Array.of(1)], 0)).toThrow(/bins/);
    expect([defaultRankBins(4), defaultRankBins(400), defaultRankBins(100_000)]).toEqual([5, 20, 50]);
  });
});
