import { describe, expect, it } from 'vitest';
import { geometricWeights, geometricAdstock, applyAdstock } from '../../src/core/transforms/adstock.ts';
import { hill, applySaturation } from '../../src/core/transforms/saturation.ts';
import { linearTrend, trendRegressor } from '../../src/core/transforms/trend.ts';
import { fourierFeatures, seasonalFeatures } from '../../src/core/transforms/seasonality.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import type { Dataset } from '../../src/core/model/dataset.ts';

describe('geometric adstock', () => {
  it('has the normalised weights 8/15, 4/15, 2/15, 1/15 for alpha 0.5, L 4', () => {
    const w = geometricWeights(0.5, 4);
    [8 / 15, 4 / 15, 2 / 15, 1 / 15].forEach((v, i) => expect(w[i]).toBeCloseTo(v, 15));
  });
  it('convolves with zero padding before week 1 and no carry beyond L', () => {
    // a unit pulse in week 1 spreads over exactly L weeks with the weights, then stops
    const a = geometricAdstock([1, 0, 0, 0, 0, 0], 0.5, 4);
    [8 / 15, 4 / 15, 2 / 15, 1 / 15, 0, 0].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 15));
    // constant input: week 1 sees only w0, from week L on the full window sums to the input
    const c = geometricAdstock([3, 3, 3, 3, 3], 0.5, 4);
    expect(c[0]).toBeCloseTo(3 * 8 / 15, 14);
    expect(c[1]).toBeCloseTo(3 * 12 / 15, 14);
    expect(c[3]).toBeCloseTo(3, 14);
    expect(c[4]).toBeCloseTo(3, 14);
  });
  it('has weights [1, 0, ...] at alpha 0 and uniform weights at alpha 1', () => {
    expect(Array.from(geometricWeights(0, 3))).toEqual([1, 0, 0]);
    expect(Array.from(geometricWeights(1, 4))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(applyAdstock({ kind: 'geometric', lags: 1 }, [2, 5], 0.7))).toEqual([2, 5]);
  });
});

describe('hill saturation', () => {
  it('is 0.5 at K for any slope and 0 at zero input', () => {
    for (const S of [0.3, 1, 2.7]) expect(hill(1.7, 1.7, S)).toBeCloseTo(0.5, 15);
    expect(hill(0, 1, 2)).toBe(0);
  });
  it('equals a^S / (a^S + K^S)', () => {
    // a = 2, K = 1, S = 2: 4 / 5
    expect(hill(2, 1, 2)).toBeCloseTo(0.8, 15);
    // a = 1, K = 3, S = 1: 1 / 4
    expect(hill(1, 3, 1)).toBeCloseTo(0.25, 15);
    expect(Array.from(applySaturation({ kind: 'hill' }, [0, 2], { K: 1, S: 2 }))).toEqual([0, hill(2, 1, 2)]);
  });
});

describe('trend and seasonality', () => {
  it('linear trend runs from 0 to 1', () => {
    expect(Array.from(linearTrend(5))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(trendRegressor({ kind: 'none' }, 3))).toEqual([0, 0, 0]);
  });
  it('Fourier features are sin/cos of 2 pi j t / P with t from 1', () => {
    const F = fourierFeatures(4, 2, 4); // P = 4: quarter turns
    // t = 1: sin(pi/2)=1, cos(pi/2)=0, sin(pi)=0, cos(pi)=-1
    const row1 = Array.from(F.subarray(0, 4));
    [1, 0, 0, -1].forEach((v, i) => expect(row1[i]).toBeCloseTo(v, 14));
    // t = 4: full turn
    const row4 = Array.from(F.subarray(12, 16));
    [0, 1, 0, 1].forEach((v, i) => expect(row4[i]).toBeCloseTo(v, 14));
    expect(seasonalFeatures({ kind: 'none' }, 4).nF).toBe(0);
  });
  it('agree bit for bit with the regressors of prepareModelData', () => {
    const N = 30;
    const ds: Dataset = {
      dates: Array.from({ length: N }, (_, t) => `2020-01-${String(t + 1).padStart(2, '0')}`),
      target: { name: 'y', values: Float64Array.from({ length: N }, (_, t) => 10 + t) },
      channels: [{ name: 'tv', spend: Float64Array.from({ length: N }, (_, t) => t % 3) }],
      controls: [],
      factors: [],
    };
    const md = prepareModelData(ds, DEFAULT_MODEL_SPEC);
    expect(Array.from(md.t01)).toEqual(Array.from(linearTrend(N)));
    expect(Array.from(md.F)).toEqual(Array.from(fourierFeatures(N, 2, 52.18)));
  });
});
