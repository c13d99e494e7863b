import { describe, expect, it } from 'vitest';
import { analyseFit } from '../../src/core/analysis/analyse-fit.ts';
import { thinIndices } from '../../src/core/analysis/draw-sample.ts';
import { estimateOf } from '../../src/core/analysis/estimate.ts';
import { samplePrior } from '../../src/core/analysis/prior-draws.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import type { Prior } from '../../src/core/spec/prior.ts';
import { identifiabilityChecks, priorVariance } from '../../src/core/analysis/identifiability.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { fromParams, type ModelParams } from '../../src/core/model/constrain.ts';
import { prepareModelData, type ModelData } from '../../src/core/model/model-data.ts';
import type { DrawTable } from '../../src/core/model/draws.ts';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';

// A posterior small enough to compute by hand: 4 weeks, 2 channels, adstock over 2 lags,
// Hill with K = 1, no seasonality; 3 draws that differ only in beta.
//   tv: spend [2, 0, 2, 0] (mean 1), alpha 0.5 -> weights [2/3, 1/3], adstock [4/3, 2/3, 4/3, 2/3],
//       S = 1: h = a / (a + 1) = [4/7, 2/5, 4/7, 2/5]
//   radio: spend 3 every week (mean 3), alpha 0.5 -> adstock [2/3, 1, 1, 1], S = 2: h = [4/13, 1/2, 1/2, 1/2]
//   KPI mean 10 (yScale).
const SPEC: ModelSpec = {
  ...DEFAULT_MODEL_SPEC,
  adstock: { kind: 'geometric', lags: 2 },
  seasonality: { kind: 'none' },
};
const DATASET: Dataset = {
  dates: ['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22'],
  target: { name: 'sales', values: Float64Array.from([10, 12, 8, 10]) },
  channels: [
    { name: 'tv', spend: Float64Array.from([2, 0, 2, 0]) },
    { name: 'radio', spend: Float64Array.from([3, 3, 3, 3]) },
  ],
  controls: [{ name: 'price', values: Float64Array.from([1, 2, 3, 4]) }],
  factors: [{ name: 'event', levels: ['none', 'promo', 'none', 'none'], baseline: 'none' }],
};
const BETA_TV = [0.1, 0.2, 0.3];
const BETA_RADIO = [0.3, 0.2, 0.1];

function draw(i: number): ModelParams {
  return {
    intercept: 0.8,
    trend: 0.1,
    fourier: new Float64Array(0),
    beta: Float64Array.from([BETA_TV[i], BETA_RADIO[i]]),
    alpha: Float64Array.from([0.5, 0.5]),
    K: Float64Array.from([1, 1]),
    S: Float64Array.from([1, 2]),
    gamma: Float64Array.from([0.05, 0.3]),
    sigma: 0.1,
  };
}

/** Two chains (draws 0, 1 and draw 2) as a fit's tables. */
function tinyFit(data: ModelData): { names: string[]; tables: DrawTable[] } {
  const layout = buildLayout(SPEC, data);
  const table = (rows: ModelParams[]): DrawTable => {
    const values = new Float64Array(rows.length * layout.dim);
    rows.forEach((p, i) => values.set(fromParams(layout, p), i * layout.dim));
    return { names: layout.names, values, nDraws: rows.length };
  };
  return { names: layout.names, tables: [table([draw(0), draw(1)]), table([draw(2)])] };
}

/** Type-7 quantile of 3 sorted values: h = 2p. */
const q3 = (v: number[], p: number) => {
  const s = [...v].sort((a, b) => a - b);
  const h = 2 * p;
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, 2)] ?? s[lo]) - s[lo]);
};

describe('analyseFit on a hand-computed posterior', () => {
  const data = prepareModelData(DATASET, SPEC);
  const a = analyseFit(SPEC, data, tinyFit(data), {
    thresholds: { minActiveWeeks: 3, maxRoiRelativeWidth: 0.8 },
  });
  const [tv, radio] = a.channels;
  // KPI over the sample per unit of beta: yScale * sum_t h_t (tv: 10 * 68/35; radio: 10 * 47/26)
  const tvPerBeta = 10 * (8 / 7 + 4 / 5);
  const radioPerBeta = 10 * (4 / 13 + 3 / 2);

  it('ROI, contribution and marginal ROI per channel', () => {
    expect(a.nDraws).toBe(3);
    expect(a.totalDraws).toBe(3);
    const roiTv = BETA_TV.map((b) => (b * tvPerBeta) / 4);
    expect(tv.roi.mean).toBeCloseTo(0.2 * tvPerBeta / 4, 12); // 136/140
    expect(tv.roi.mean).toBeCloseTo(136 / 140, 12);
    expect(tv.roi.median).toBeCloseTo(roiTv[1], 12);
    expect(tv.roi.q05).toBeCloseTo(q3(roiTv, 0.05), 12);
    expect(tv.roi.q25).toBeCloseTo(q3(roiTv, 0.25), 12);
    expect(tv.roi.q75).toBeCloseTo(q3(roiTv, 0.75), 12);
    expect(tv.roi.q95).toBeCloseTo(q3(roiTv, 0.95), 12);
    expect(tv.contribution.median).toBeCloseTo(136 / 35, 12);
    expect(radio.roi.median).toBeCloseTo((0.2 * 10 * 47) / 26 / 12, 12); // 47/156
    // mROI = beta yScale sum_t S h (1 - h) / spend: tv 2 * (2 (12/49 + 6/25)) / 4 = 594/1225
    expect(tv.mroi.median).toBeCloseTo(594 / 1225, 12);
    // radio at beta 0.2: 2 * (2 (4/13)(9/13) + 3 * 2 * 1/4) / 12 = 651/2028
    expect(radio.mroi.median).toBeCloseTo(651 / 2028, 12);
    expect(a.roiUnit).toBe('kpi-per-spend');
    expect(tv.costPerKpi).toBeUndefined();
    expect(tv.spendTotal).toBe(4);
    expect(radio.spendMean).toBe(3);
  });

  it('decomposition parts in KPI units, adding up to the fitted mean at every week', () => {
    const byName = Object.fromEntries(a.parts.map((p) => [p.name, p]));
    expect(a.parts.map((p) => `${p.kind}:${p.name}`)).toEqual([
      'intercept:intercept', 'trend:trend', 'control:price', 'factor:event=promo', 'channel:tv', 'channel:radio',
    ]);
    expect([...byName.intercept.weekly.q05]).toEqual([8, 8, 8, 8].map((v) => expect.closeTo(v, 12)));
    // trend 0.1 * 10 * (t-1)/(N-1)
    [0, 1 / 3, 2 / 3, 1].forEach((v, t) => expect(byName.trend.weekly.mean[t]).toBeCloseTo(v, 12));
    // promo dummy in week 2: 0.3 * 10
    [0, 3, 0, 0].forEach((v, t) => expect(byName['event=promo'].weekly.mean[t]).toBeCloseTo(v, 12));
    // price standardised: (x - 2.5) / sqrt(5/3), times 0.05 * 10
    [1, 2, 3, 4].forEach((x, t) => expect(byName.price.weekly.mean[t]).toBeCloseTo((0.5 * (x - 2.5)) / Math.sqrt(5 / 3), 12));
    // tv: mean beta 0.2 -> 2 h; 90% band from the betas' type-7 quantiles
    [4 / 7, 2 / 5, 4 / 7, 2 / 5].forEach((h, t) => {
      expect(byName.tv.weekly.mean[t]).toBeCloseTo(2 * h, 12);
      expect(byName.tv.weekly.q05[t]).toBeCloseTo(10 * h * q3(BETA_TV, 0.05), 12);
      expect(byName.tv.weekly.q95[t]).toBeCloseTo(10 * h * q3(BETA_TV, 0.95), 12);
    });
    for (let t = 0; t < 4; t++) {
      const sum = a.parts.reduce((s, p) => s + p.weekly.mean[t], 0);
      expect(sum).toBeCloseTo(a.fitted.mean[t], 10);
    }
    // shares add to 1 in every draw, hence on average; totals add to the fitted total
    expect(a.parts.reduce((s, p) => s + p.share.mean, 0)).toBeCloseTo(1, 12);
    expect(a.parts.reduce((s, p) => s + p.total.mean, 0)).toBeCloseTo(a.fittedTotal.mean, 10);
    expect(a.observedTotal).toBeCloseTo(40, 12);
    // groups: media = tv + radio, baseline = the rest, together the fitted mean
    for (let t = 0; t < 4; t++) {
      expect(a.media.weekly.mean[t]).toBeCloseTo(byName.tv.weekly.mean[t] + byName.radio.weekly.mean[t], 12);
      expect(a.baseline.weekly.mean[t] + a.media.weekly.mean[t]).toBeCloseTo(a.fitted.mean[t], 10);
    }
    expect(a.baseline.share.mean + a.media.share.mean).toBeCloseTo(1, 12);
    // effect share among channels at the median draw (beta 0.2 each): 68/35 against 47/26
    const tvShare = 68 / 35 / (68 / 35 + 47 / 26);
    expect(a.channels[0].mediaShare.median).toBeCloseTo(tvShare, 12);
    expect(a.channels[0].mediaShare.mean + a.channels[1].mediaShare.mean).toBeCloseTo(1, 12);
    expect(a.outcomePerKpi).toBe(1);
    expect([...a.observed]).toEqual([10, 12, 8, 10].map((v) => expect.closeTo(v, 12)));
  });

  it('response curve: grid to 2x the largest week, current spend marked, steady state equals the contribution of constant spend', () => {
    const rc = radio.responseCurve;
    expect(rc.spend.length).toBe(41);
    expect(rc.spend[40]).toBeCloseTo(6, 12);
    expect(rc.maxObserved).toBe(3);
    expect(rc.current).toBe(3);
    expect([...rc.beyondObserved].indexOf(1)).toBe(21); // 3.15 > 3 > 3.0 at index 20
    // radio spends 3 every week: after the first L - 1 weeks its weekly contribution is the steady state
    const radioPart = a.parts.find((p) => p.name === 'radio')!;
    expect(rc.atCurrent.mean).toBeCloseTo(radioPart.weekly.mean[3], 12);
    expect(rc.atCurrent.q05).toBeCloseTo(radioPart.weekly.q05[3], 12);
    expect(rc.response.mean[20]).toBeCloseTo(radioPart.weekly.mean[2], 12);
    expect(rc.response.q95[0]).toBe(0);
    // tv at its average spend 1: a = 1, h = 1/2, beta 0.2 * 10
    expect(tv.responseCurve.atCurrent.median).toBeCloseTo(1, 12);
  });

  it('adstock curve and lag of peak effect', () => {
    expect(tv.adstock.weights.mean[0]).toBeCloseTo(2 / 3, 12);
    expect(tv.adstock.weights.q95[1]).toBeCloseTo(1 / 3, 12);
    expect(tv.adstock.peakLag).toMatchObject({ median: 0, q05: 0, q95: 0 });
    expect(tv.adstock.meanLag.mean).toBeCloseTo(1 / 3, 12);
  });

  it('identifiability signals and reasons', () => {
    // radio's spend is constant: no spend correlation to speak of, and flat spend
    expect(tv.identifiability.spendCorrelation.with).toBe('');
    expect(Number.isNaN(tv.identifiability.spendCorrelation.value)).toBe(true);
    expect(radio.identifiability.spendCv).toBe(0);
    // beta draws move opposite ways: ROI draws correlate -1
    expect(tv.identifiability.posteriorCorrelation.value).toBeCloseTo(-1, 12);
    expect(tv.identifiability.posteriorCorrelation.with).toBe('radio');
    // contraction 1 - var(0.1, 0.2, 0.3) / (0.25 (1 - 2/pi))
    expect(tv.identifiability.contraction).toBeCloseTo(1 - 0.01 / (0.25 * (1 - 2 / Math.PI)), 12);
    // ROI 90% width / median: (1.45 - 0.55) * m / m = 0.9
    expect(tv.identifiability.roiRelativeWidth).toBeCloseTo(0.9, 12);
    expect(tv.identifiability.activeWeeks).toBe(2);
    expect(tv.identifiability.reasons.map((r) => r.code)).toEqual(['posterior-correlation', 'wide-roi-interval', 'sparse-spend']);
    expect(radio.identifiability.reasons.map((r) => r.code)).toEqual(['posterior-correlation', 'wide-roi-interval', 'flat-spend']);
    expect(tv.identifiability.reasons[0]).toMatchObject({ other: 'radio', threshold: 0.6 });
    const checks = identifiabilityChecks(a.channels.map((c) => c.identifiability));
    expect(checks.map((c) => [c.id, c.severity])).toEqual([
      ['analysis.identifiability.tv', 'warn'],
      ['analysis.identifiability.radio', 'warn'],
    ]);
    expect(checks[0].detail).toMatch(/trades off against radio's \(posterior correlation -1.00\)/);
    expect(checks[0].evidence.reasons).toEqual(['posterior-correlation', 'wide-roi-interval', 'sparse-spend']);
    const calm = identifiabilityChecks([{ ...tv.identifiability, reasons: [] }]);
    expect(calm[0].severity).toBe('info');
  });

  it('revenue per KPI turns ROI into revenue ROI; a count KPI gets cost per KPI', () => {
    const r = analyseFit(SPEC, data, tinyFit(data), { revenuePerKpi: [1, 2, 1, 2] });
    expect(r.roiUnit).toBe('revenue-per-spend');
    expect(r.kpiKind).toBe('count');
    expect(r.revenuePerKpi).toBe(true);
    expect(r.outcomePerKpi).toBe(1.5);
    // tv: (8/7 + 2 * 4/5 + 8/7 + 2 * 4/5) / 4 at beta 0.2
    expect(r.channels[0].roi.median).toBeCloseTo((16 / 7 + 16 / 5) / 4, 12);
    expect(r.channels[0].costPerKpi!.median).toBeCloseTo(140 / 136, 12);
    // contributions stay in KPI units
    expect(r.channels[0].contribution.median).toBeCloseTo(a.channels[0].contribution.median, 12);
    const constant = analyseFit(SPEC, data, tinyFit(data), { revenuePerKpi: 2.5 });
    expect(constant.channels[1].roi.median).toBeCloseTo(2.5 * radio.roi.median, 12);
    expect(constant.channels[1].mroi.median).toBeCloseTo(2.5 * radio.mroi.median, 12);
    const rev = analyseFit(SPEC, data, tinyFit(data), { kpiKind: 'revenue' });
    expect(rev.roiUnit).toBe('revenue-per-spend');
    expect(rev.channels[0].costPerKpi).toBeUndefined();
  });

  it('crosses a worker boundary unchanged (plain objects and typed arrays only)', () => {
    const copy = structuredClone(a);
    expect(copy).toEqual(a);
    expect(copy.fitted.mean).toBeInstanceOf(Float64Array);
    expect(copy.channels[0].responseCurve.beyondObserved).toBeInstanceOf(Uint8Array);
  });

  it('bad input gets a specific error', () => {
    const fit = tinyFit(data);
    expect(() => analyseFit(SPEC, data, fit, { revenuePerKpi: [1, 2, 3] })).toThrow(/3 weekly values; the data have 4 weeks/);
    expect(() => analyseFit(SPEC, data, fit, { revenuePerKpi: [1, NaN, 1, 1] })).toThrow(/week 2 is NaN/);
    expect(() => analyseFit(SPEC, data, fit, { revenuePerKpi: -1 })).toThrow(/positive number, got -1/);
    expect(() => analyseFit(SPEC, data, fit, { revenuePerKpi: 2, kpiKind: 'revenue' })).toThrow(/KPI is revenue already/);
    expect(() => analyseFit(SPEC, data, fit, { maxDraws: 0 })).toThrow(/maxDraws must be a whole number >= 1, got 0/);
    expect(() => analyseFit(SPEC, data, fit, { curvePoints: 1 })).toThrow(/whole number >= 2 of points, got 1/);
    const otherSpec: ModelSpec = { ...SPEC, seasonality: { kind: 'fourier', order: 1, period: 52.18 } };
    expect(() => analyseFit(otherSpec, prepareModelData(DATASET, otherSpec), fit)).toThrow(/no column "fourier\[sin1\]".*refit/);
    expect(() => analyseFit(SPEC, data, { names: fit.names, tables: [] })).toThrow(/no chains/);
  });
});

describe('draw thinning and summaries', () => {
  it('regular thinning is evenly spaced; seeded thinning is reproducible, unique and sorted', () => {
    expect([...thinIndices(10, { maxDraws: 4 })]).toEqual([0, 2, 5, 7]);
    expect([...thinIndices(3, { maxDraws: 5 })]).toEqual([0, 1, 2]);
    const s1 = thinIndices(1000, { maxDraws: 50, thin: 'seeded', seed: 3 });
    const s2 = thinIndices(1000, { maxDraws: 50, thin: 'seeded', seed: 3 });
    const s3 = thinIndices(1000, { maxDraws: 50, thin: 'seeded', seed: 4 });
    expect([...s1]).toEqual([...s2]);
    expect([...s1]).not.toEqual([...s3]);
    expect(new Set(s1).size).toBe(50);
    expect([...s1]).toEqual([...s1].sort((x, y) => x - y));
    expect(s1[49]).toBeLessThan(1000);
  });

  it('thinned analysis reads the right chain rows', () => {
    const data = prepareModelData(DATASET, SPEC);
    // keeps pooled draws 0 and 1 of 3 (regular: floor(0 * 3/2), floor(1 * 3/2) = 0, 1)
    const progress: [number, number][] = [];
    const r = analyseFit(SPEC, data, tinyFit(data), { maxDraws: 2, onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([[2, 2]]);
    expect(r.nDraws).toBe(2);
    expect(r.totalDraws).toBe(3);
    const tvPerBeta = 10 * (8 / 7 + 4 / 5);
    expect([...r.draws.roi]).toEqual(
      [0.1 * tvPerBeta / 4, 0.3 * (10 * (4 / 13 + 1.5)) / 12, 0.2 * tvPerBeta / 4, 0.2 * (10 * (4 / 13 + 1.5)) / 12].map((v) => expect.closeTo(v, 12)),
    );
    // last chain's only row via seeded thinning with 1 draw kept still picks a real draw
    const one = analyseFit(SPEC, data, tinyFit(data), { maxDraws: 1, thin: 'seeded', seed: 9 });
    expect([0.1, 0.2, 0.3].map((b) => b * tvPerBeta / 4)).toContainEqual(expect.closeTo(one.draws.roi[0], 12));
  });

  it('estimates: type-7 quantiles, sd, infinite draws', () => {
    const e = estimateOf([4, 1, 3, 2]);
    expect(e).toMatchObject({ mean: 2.5, median: 2.5 });
    expect(e.q05).toBeCloseTo(1.15, 12);
    expect(e.q25).toBeCloseTo(1.75, 12);
    expect(e.q95).toBeCloseTo(3.85, 12);
    expect(e.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(estimateOf([1, Infinity, 2]).median).toBe(2);
    expect(() => estimateOf([1, NaN])).toThrow(/draw 1 is NaN/);
  });

  it('prior variances match their closed forms', () => {
    expect(priorVariance({ kind: 'normal', mu: 3, sigma: 2 })).toBe(4);
    expect(priorVariance({ kind: 'beta', a: 2, b: 2 })).toBeCloseTo(0.05, 14);
    expect(priorVariance({ kind: 'halfNormal', sigma: 1 })).toBeCloseTo(1 - 2 / Math.PI, 14);
    // lognormal(0, 1): (e - 1) e
    expect(priorVariance({ kind: 'logNormal', mu: 0, sigma: 1 })).toBeCloseTo((Math.E - 1) * Math.E, 12);
  });
});

describe('prior draws', () => {
  it('each sampler matches its prior mean and PRIOR_VARIANCE within Monte Carlo error', () => {
    const rng = new Rng(17);
    const priors: [Prior, number][] = [
      [{ kind: 'normal', mu: 0.5, sigma: 0.5 }, 0.5],
      [{ kind: 'halfNormal', sigma: 0.5 }, 0.5 * Math.sqrt(2 / Math.PI)],
      [{ kind: 'logNormal', mu: 0.3, sigma: 0.4 }, Math.exp(0.3 + 0.08)],
      [{ kind: 'beta', a: 2, b: 2 }, 0.5],
      [{ kind: 'beta', a: 0.5, b: 3 }, 0.5 / 3.5],
    ];
    const n = 20000;
    for (const [p, mean] of priors) {
      const v = Float64Array.from({ length: n }, () => samplePrior(p, rng));
      const e = estimateOf(v);
      const sd = Math.sqrt(priorVariance(p));
      expect(Math.abs(e.mean - mean), p.kind).toBeLessThan((4 * sd) / Math.sqrt(n));
      expect(e.sd / sd, p.kind).toBeCloseTo(1, 1);
    }
  });

  it('prior ROI: the priors alone give a wider ROI than the posterior; reproducible; 0 skips it', () => {
    const data = prepareModelData(DATASET, SPEC);
    const a1 = analyseFit(SPEC, data, tinyFit(data), { priorDraws: 200, seed: 4 });
    const a2 = analyseFit(SPEC, data, tinyFit(data), { priorDraws: 200, seed: 4 });
    expect(a1.channels[0].priorRoi).toEqual(a2.channels[0].priorRoi);
    const tv = a1.channels[0];
    expect(tv.priorRoi!.q95 - tv.priorRoi!.q05).toBeGreaterThan(tv.roi.q95 - tv.roi.q05);
    expect(tv.identifiability.roiContraction).toBeGreaterThan(0);
    expect(tv.identifiability.roiContraction).toBeLessThan(1);
    const none = analyseFit(SPEC, data, tinyFit(data), { priorDraws: 0 });
    expect(none.channels[0].priorRoi).toBeUndefined();
    expect(Number.isNaN(none.channels[0].identifiability.roiContraction)).toBe(true);
    expect(() => analyseFit(SPEC, data, tinyFit(data), { priorDraws: 1 })).toThrow(/priorDraws must be 0 or a whole number >= 2, got 1/);
    // a revenue-per-KPI constant scales the prior ROI as it scales the posterior's
    const rev = analyseFit(SPEC, data, tinyFit(data), { priorDraws: 200, seed: 4, revenuePerKpi: 3 });
    expect(rev.channels[0].priorRoi!.median).toBeCloseTo(3 * tv.priorRoi!.median, 10);
  });
});
