import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalTableBytes, hashJson, hashTable, sha256Hex } from '../../src/core/governance/canonical.ts';
import { kolmogorovTail, ksTwoSample, populationStabilityIndex, psiBins, psiNoiseLevel } from '../../src/core/governance/drift-stats.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { diffJson } from '../../src/core/governance/config-diff.ts';

describe('PSI', () => {
  it('matches a hand computation on two bins', () => {
    // bins (<= 2, > 2): expected 2/4, 2/4; actual 3/4, 1/4
    // PSI = (0.75 - 0.5) ln(1.5) + (0.25 - 0.5) ln(0.5) = 0.25 ln 3 = 0.274653...
    const r = populationStabilityIndex([1, 2, 3, 4], [1, 1, 1, 4], { edges: [2] });
    expect(r.expected).toEqual([0.5, 0.5]);
    expect(r.actual).toEqual([0.75, 0.25]);
    expect(r.psi).toBeCloseTo(0.25 * Math.log(3), 12);
  });

  it('bins on the reference quantiles, merges tied edges and ignores NaN', () => {
    // 1..10, 2 bins: type-7 median 5.5
    const r = populationStabilityIndex([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, NaN], { bins: 2 });
    expect(r.edges).toEqual([5.5]);
    expect(r.psi).toBe(0);
    // zero-inflated reference: deciles 1-7 are all 0 and merge into one edge; type 7 puts
    // decile 8 at h = 7.2 -> 0.2 * 5 = 1 and decile 9 at h = 8.1 -> 5 + 0.1 * 5 = 5.5
    const z = populationStabilityIndex([0, 0, 0, 0, 0, 0, 0, 0, 5, 10], [0, 0, 0, 0, 0, 5, 5, 5, 5, 10]);
    expect(z.edges).toHaveLength(3);
    expect(z.edges[0]).toBe(0);
    expect(z.edges[1]).toBeCloseTo(1, 12);
    expect(z.edges[2]).toBeCloseTo(5.5, 12);
    // bins (<=0, (0,1], (1,5.5], >5.5): expected .8, 0, .1, .1; actual .5, 0, .4, .1 (the empty bin adds 0)
    expect(z.psi).toBeCloseTo((0.5 - 0.8) * Math.log(0.5 / 0.8) + (0.4 - 0.1) * Math.log(4), 12);
  });

  it('floors an empty bin instead of returning Infinity', () => {
    const r = populationStabilityIndex([1, 2, 3, 4], [3, 4, 3, 4], { edges: [2], floor: 1e-4 });
    expect(r.psi).toBeCloseTo((1e-4 - 0.5) * Math.log(1e-4 / 0.5) + 0.5 * Math.log(2), 12);
    expect(populationStabilityIndex([NaN], [1]).psi).toBeNaN();
  });
});

describe('PSI noise level', () => {
  it('is the chi-square 99% quantile over the effective sample size', () => {
    // chi2_0.99(9) = 21.666 (tables); ne = 100 * 100 / 200 = 50
    expect(psiNoiseLevel(10, 100, 100)).toBeCloseTo(21.666 / 50, 2); // Wilson-Hilferty: 21.70
    // chi2_0.99(4) = 13.277; ne = 28 * 180 / 208
    expect(psiNoiseLevel(5, 28, 180)).toBeCloseTo(13.277 / ((28 * 180) / 208), 2);
    expect(psiBins(180, 28)).toBe(5);
    expect(psiBins(1000, 1000)).toBe(10);
    expect(psiBins(3, 100)).toBe(2);
  });

  it('is rarely exceeded by same-distribution samples, where a fixed 0.25 threshold often is', () => {
    // 180 history weeks vs 28 new weeks from one distribution: no shift to find
    const rng = new Rng(11);
    let overNoise = 0;
    let overFixed = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const a = Float64Array.from({ length: 180 }, () => rng.normal());
      const b = Float64Array.from({ length: 28 }, () => rng.normal());
      const r = populationStabilityIndex(a, b, { bins: psiBins(180, 28), floor: 0.5 / 28 });
      if (r.psi > psiNoiseLevel(r.edges.length + 1, 180, 28)) overNoise++;
      if (r.psi > 0.25) overFixed++;
    }
    // measured: 2.6% above the noise level (nominal 1%: the chi-square approximation is rough at
    // 28 values), 20%+ above 0.25
    expect(overNoise / trials).toBeLessThan(0.05);
    expect(overFixed / trials).toBeGreaterThan(0.15);
  });
});

describe('two-sample KS', () => {
  it('finds D by hand and the asymptotic p-value', () => {
    // F_a - F_b at 1, 2, 3, 4: .25, .5, .5, .5 -> D = 0.5; ne = 2
    const r = ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6]);
    expect(r.d).toBe(0.5);
    // lambda = (sqrt 2 + 0.12 + 0.11 / sqrt 2) 0.5 = 0.805998; Q = 0.534416 (series by hand in Python)
    expect(r.pValue).toBeCloseTo(0.5344157, 6);
  });

  it('handles ties and identical samples', () => {
    expect(ksTwoSample([1, 1, 2], [1, 2, 2]).d).toBeCloseTo(1 / 3, 15);
    const same = ksTwoSample([3, 1, 2], [1, 2, 3]);
    expect(same.d).toBe(0);
    expect(same.pValue).toBe(1);
    expect(ksTwoSample([1, 2, 3], [10, 11, 12]).d).toBe(1);
  });

  it('Kolmogorov tail at known points', () => {
    // Q(1.36) = 0.0494 (the 5% critical value), Q(1.63) = 0.0098
    expect(kolmogorovTail(1.36)).toBeCloseTo(0.0494, 3);
    expect(kolmogorovTail(1.63)).toBeCloseTo(0.0098, 3);
  });
});

describe('canonical hashes', () => {
  it('SHA-256 of "abc" is the FIPS 180-2 test vector', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('canonical JSON sorts keys at every depth and refuses NaN', async () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(await hashJson({ b: 1, a: 2 })).toBe(await hashJson({ a: 2, b: 1 }));
    expect(await hashJson({ a: 2, b: 1 })).not.toBe(await hashJson({ a: 2, b: 1.0000001 }));
    expect(() => canonicalJson({ x: { y: NaN } })).toThrow(/\$\.x\.y is NaN/);
  });

  it('table hash ignores column order and NaN payloads, sees one changed value', async () => {
    const a = { dates: ['2020-01-06', '2020-01-13'], columns: { x: Float64Array.of(1, NaN), y: Float64Array.of(-0, 2) } };
    const b = { dates: ['2020-01-06', '2020-01-13'], columns: { y: Float64Array.of(0, 2), x: Float64Array.of(1, 0 / 0) } };
    expect(await hashTable(a)).toBe(await hashTable(b));
    b.columns.y[1] = 2.000001;
    expect(await hashTable(a)).not.toBe(await hashTable(b));
    expect(() => canonicalTableBytes({ dates: ['2020-01-06'], columns: { x: Float64Array.of(1, 2) } })).toThrow(/column "x" has 2 values for 1 dates/);
  });
});

describe('diffJson', () => {
  it('lists changed, added and removed leaves by path', () => {
    const d = diffJson({ model: { adstock: { lags: 4 } }, data: { controls: ['a'] } }, { model: { adstock: { lags: 8 } }, data: { controls: ['a', 'b'] }, x: 1 });
    expect(d).toEqual([
      { path: 'data.controls[1]', previous: undefined, current: 'b' },
      { path: 'model.adstock.lags', previous: 4, current: 8 },
      { path: 'x', previous: undefined, current: 1 },
    ]);
  });
});
