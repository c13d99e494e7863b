import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autocovariance, autocovarianceDirect } from '../../src/core/diagnostics/autocovariance.ts';
import { splitChains } from '../../src/core/diagnostics/chains.ts';
import { basicEss, essBulk, essTail } from '../../src/core/diagnostics/ess.ts';
import { normalQuantile } from '../../src/core/diagnostics/normal.ts';
import { quantiles } from '../../src/core/diagnostics/quantile.ts';
import { averageRanks } from '../../src/core/diagnostics/rank.ts';
import { basicRhat, foldAroundMedian, rhat, rhatBulk } from '../../src/core/diagnostics/rhat.ts';
import { Rng } from '../../src/core/inference/rng.ts';

interface FixtureCase {
  name: string;
  draws: number[][];
  rhat: number;
  ess_bulk: number;
  ess_tail: number;
}
const fixture = JSON.parse(
  readFileSync('test/fixtures/reference/diagnostics_fixture.json', 'utf8'),
) as { layout: string; cases: FixtureCase[] };

const relErr = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const f64 = (xs: number[]) => Float64Array.from(xs);

function iidChains(rng: Rng, chains: number, n: number, shift: (c: number) => number = () => 0): Float64Array[] {
  return Array.from({ length: chains }, (_, c) => Float64Array.from({ length: n }, () => rng.normal() + shift(c)));
}

describe('rstan 2.21.7 fixture (Rhat, ess_bulk, ess_tail)', () => {
  it('has the documented layout and seven cases', () => {
    expect(fixture.layout).toBe('draws[chain][iteration]');
    expect(fixture.cases).toHaveLength(7);
  });
  for (const c of fixture.cases) {
    it(`${c.name}: all three numbers within 1e-6 relative`, () => {
      const chains = c.draws.map(f64);
      expect(relErr(rhat(chains), c.rhat)).toBeLessThan(1e-6);
      expect(relErr(essBulk(chains), c.ess_bulk)).toBeLessThan(1e-6);
      expect(relErr(essTail(chains), c.ess_tail)).toBeLessThan(1e-6);
    });
  }
});

describe('building blocks', () => {
  it('normalQuantile matches R qnorm in all three branches and is odd', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normalQuantile(1e-300)).toBeCloseTo(-37.04710, 4);
    expect(normalQuantile(0.25)).toBe(-normalQuantile(0.75)); // 0.25 and 0.75 are exact, 0.2 and 0.8 are not
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(Number.isNaN(normalQuantile(1.5))).toBe(true);
  });

  it('ranks ties by their average', () => {
    expect(Array.from(averageRanks([3, 1, 2, 2, 5, 2]))).toEqual([5, 1, 3, 3, 6, 3]);
  });

  it('quantiles are R type 7', () => {
    // h = 1 + 3 p: p = 0.05 -> 1.15 between 1 and 2; median of four is the midpoint
    const [q05, q50, q95, q1] = quantiles([4, 1, 3, 2], [0.05, 0.5, 0.95, 1]);
    expect(q05).toBeCloseTo(1.15, 15);
    expect(q50).toBe(2.5);
    expect(q95).toBeCloseTo(3.85, 15);
    expect(q1).toBe(4);
  });

  it('splits chains in halves and drops the middle draw of an odd length', () => {
    const halves = splitChains([f64([1, 2, 3, 4, 5]), f64([6, 7, 8, 9, 10])]).map((h) => Array.from(h));
    expect(halves).toEqual([[1, 2], [6, 7], [4, 5], [9, 10]]);
  });

  it('autocovariance: hand-computed, and FFT agrees with the direct sum', () => {
    // y - mean = [-1, 0, 1]: lag 0 sum 2, lag 1 sum 0, lag 2 sum -1, all over N = 3
    const ac = autocovariance([1, 2, 3]);
    expect(ac[0]).toBeCloseTo(2 / 3, 15);
    expect(ac[1]).toBeCloseTo(0, 15);
    expect(ac[2]).toBeCloseTo(-1 / 3, 15);
    const rng = new Rng(7);
    for (const n of [1, 2, 137, 256, 1001]) {
      const y = Float64Array.from({ length: n }, () => rng.normal());
      const fast = autocovariance(y);
      const slow = autocovarianceDirect(y);
      for (let t = 0; t < n; t++) expect(Math.abs(fast[t]! - slow[t]!)).toBeLessThan(1e-12);
    }
  });

  it('folding ties the two central draws exactly', () => {
    const fold = foldAroundMedian([f64([0.0247148665, 5, -3]), f64([0.0254576771, 7, -9])]);
    expect(fold[0]![0]).toBe(fold[1]![0]);
    expect(fold[0]![1]).toBeCloseTo(5 - 0.0250862718, 12);
  });
});

describe('R-hat by hand', () => {
  it('basicRhat of two short chains', () => {
    // means 2 and 3, within variances 1: B = n var(means) = 1.5, W = 1, R = sqrt((1.5 + 2) / 3)
    expect(basicRhat([f64([1, 2, 3]), f64([2, 3, 4])])).toBeCloseTo(Math.sqrt(3.5 / 3), 14);
  });

  it('is 1 for constant draws and NaN for non-finite draws', () => {
    expect(rhat([f64([2, 2, 2, 2]), f64([2, 2, 2, 2])])).toBe(1);
    expect(Number.isNaN(rhat([f64([1, 2, NaN, 4]), f64([1, 2, 3, 4])]))).toBe(true);
  });

  it('identical chains with identical halves: no between-chain variance, R-hat = sqrt((n - 1) / n)', () => {
    // every split half is [0.3, -1.2, 2.5, 0.7]: B = 0 before and after ranks and folding, n = 4
    const chain = () => f64([0.3, -1.2, 2.5, 0.7, 0.3, -1.2, 2.5, 0.7]);
    expect(rhatBulk([chain(), chain(), chain()])).toBeCloseTo(Math.sqrt(3 / 4), 14);
    expect(rhat([chain(), chain(), chain()])).toBeCloseTo(Math.sqrt(3 / 4), 14);
  });

  it('a shifted chain gives a large R-hat; well-mixed chains do not', () => {
    const rng = new Rng(3);
    expect(rhat(iidChains(rng, 4, 1000))).toBeLessThan(1.01);
    expect(rhat(iidChains(rng, 4, 1000, (c) => (c === 3 ? 3 : 0)))).toBeGreaterThan(1.3);
  });

  it('a chain with a wider scale is caught by the folded half, not the bulk', () => {
    const rng = new Rng(5);
    const chains = iidChains(rng, 4, 1000).map((c, k) => (k === 0 ? c.map((v) => 4 * v) : c));
    expect(rhatBulk(chains)).toBeLessThan(1.01);
    expect(rhat(chains)).toBeGreaterThan(1.05);
  });
});

describe('ESS by hand', () => {
  it('constant draws give m n, fewer than 3 iterations NaN', () => {
    expect(basicEss([f64([1, 1, 1, 1]), f64([1, 1, 1, 1])])).toBe(8);
    expect(Number.isNaN(basicEss([f64([1, 2]), f64([3, 4])]))).toBe(true);
  });

  it('a perfectly alternating chain stops at lag 0: tau = -1 + 2 rho_0 + rho_0 = 2 (rstan)', () => {
    // rho_1 <= -1 ends the initial positive sequence at once
    const alt = () => Float64Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? 1 : -1));
    expect(basicEss([alt(), alt(), alt(), alt()])).toBeCloseTo(200, 10);
  });

  it('independent draws give ESS near the draw count; AR(1) 0.9 near (1 - rho)/(1 + rho) of it', () => {
    const rng = new Rng(9);
    const iid = iidChains(rng, 4, 1000);
    expect(essBulk(iid) / 4000).toBeGreaterThan(0.85);
    expect(essBulk(iid) / 4000).toBeLessThan(1.15);
    const ar = Array.from({ length: 4 }, () => {
      const x = new Float64Array(1000);
      let v = rng.normal() / Math.sqrt(1 - 0.81);
      for (let i = 0; i < 1000; i++) x[i] = v = 0.9 * v + rng.normal();
      return x;
    });
    const ratio = essBulk(ar) / 4000;
    expect(ratio).toBeGreaterThan(0.035); // theory: 0.1 / 1.9 = 0.053
    expect(ratio).toBeLessThan(0.08);
    expect(essTail(ar)).toBeLessThan(essTail(iid));
  });

  it('never exceeds S log10 S', () => {
    const rng = new Rng(13);
    // strongly antithetic AR(1), rho = -0.9: tau would be ~0.05 without the floor
    const ar = Array.from({ length: 4 }, () => {
      const x = new Float64Array(500);
      let v = 0;
      for (let i = 0; i < 500; i++) x[i] = v = -0.9 * v + rng.normal();
      return x;
    });
    expect(essBulk(ar)).toBeLessThanOrEqual(2000 * Math.log10(2000) * (1 + 1e-12));
    expect(essBulk(ar)).toBeGreaterThan(2000);
  });
});
