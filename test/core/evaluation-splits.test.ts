import { describe, expect, it } from 'vitest';
import { holdoutSplit, rollingSplits, MIN_TRAIN_WEEKS } from '../../src/core/evaluation/splits.ts';
import { prepareForecastData } from '../../src/core/evaluation/forecast-data.ts';
import { evaluateHeldOut, summarizeBacktests } from '../../src/core/evaluation/holdout.ts';
import { healthCard } from '../../src/core/evaluation/health.ts';
import type { FitMetrics } from '../../src/core/evaluation/metrics.ts';
import type { LooResult } from '../../src/core/evaluation/loo.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { fromParams, type ModelParams } from '../../src/core/model/constrain.ts';
import { meanResponse } from '../../src/core/model/posterior.ts';
import { geometricWeights } from '../../src/core/transforms/adstock.ts';
import { hill } from '../../src/core/transforms/saturation.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import type { SummaryRow } from '../../src/core/diagnostics/summary.ts';

const { dataset } = generateSynthetic(new Rng(3));

describe('train/test splits', () => {
  it('holdout of the last weeks', () => {
    const s = holdoutSplit(dataset, 13);
    expect(s.nTrain).toBe(143);
    expect(s.nTest).toBe(13);
    expect(s.train.dates.length).toBe(143);
    expect(s.window.dates).toEqual(dataset.dates);
    expect(s.train.dates.at(-1)).toBe(dataset.dates[142]);
    expect(Array.from(s.train.channels[2].spend)).toEqual(Array.from(dataset.channels[2].spend.slice(0, 143)));
    expect(s.train.factors[0].levels).toEqual(dataset.factors[0].levels.slice(0, 143));
    expect(() => holdoutSplit(dataset, 0)).toThrow(/holdout_weeks is 0/);
    expect(() => holdoutSplit(dataset, 140)).toThrow(/leaves 16 to train on.*at most 130/);
  });

  it('rolling origins: fixed 104-week windows, 13-week tests, the last ending at the last week', () => {
    const folds = rollingSplits(dataset, { window_weeks: 104, step_weeks: 13, folds: 0 });
    expect(folds.map((f) => [f.start, f.nTrain, f.nTest, f.end])).toEqual([
      [0, 104, 13, 117],
      [13, 104, 13, 130],
      [26, 104, 13, 143],
      [39, 104, 13, 156],
    ]);
    expect(folds.map((f) => f.fold)).toEqual([0, 1, 2, 3]);
    expect(folds[1].window.dates[0]).toBe(dataset.dates[13]);
    expect(folds[1].train.dates.at(-1)).toBe(dataset.dates[116]);
    const last2 = rollingSplits(dataset, { window_weeks: 104, step_weeks: 13, folds: 2 });
    expect(last2.map((f) => f.start)).toEqual([26, 39]);
    expect(() => rollingSplits(dataset, { window_weeks: 150, step_weeks: 13, folds: 0 })).toThrow(/needs window_weeks \+ step_weeks = 163 weeks; the data have 156/);
    expect(() => rollingSplits(dataset, { window_weeks: 10, step_weeks: 13, folds: 0 })).toThrow(new RegExp(`at least ${MIN_TRAIN_WEEKS}`));
  });
});

describe('forecast data: scaled as the training part, adstock carried', () => {
  it('rows of the training weeks equal prepareModelData of the training part', () => {
    const s = holdoutSplit(dataset, 26);
    const full = prepareForecastData(s.window, s.nTrain, DEFAULT_MODEL_SPEC);
    const train = prepareModelData(s.train, DEFAULT_MODEL_SPEC);
    expect(full.N).toBe(156);
    expect(full.controls).toEqual(train.controls);
    expect(full.yScale).toBe(train.yScale);
    expect(Array.from(full.X.subarray(0, train.X.length))).toEqual(Array.from(train.X));
    expect(Array.from(full.y.subarray(0, train.N))).toEqual(Array.from(train.y));
    for (let i = 0; i < train.Z.length; i++) expect(full.Z[i]).toBeCloseTo(train.Z[i], 12);
    for (let t = 0; t < train.N; t++) expect(full.t01[t]).toBeCloseTo(train.t01[t], 12);
    expect(Array.from(full.F.subarray(0, train.F.length))).toEqual(Array.from(train.F));
    // trend continues at the training slope: week index t / (nTrain - 1)
    expect(full.t01[155]).toBeCloseTo(155 / 129, 12);
  });

  it('a test week with no spend still gets the carryover of the last training week, by hand', () => {
    // one channel spending only in the last training week; test weeks dark
    const N = 40;
    const nTrain = 30;
    const ds = {
      dates: dataset.dates.slice(0, N),
      target: { name: 'kpi', values: Float64Array.from({ length: N }, (_, t) => 100 + (t % 3)) },
      channels: [{ name: 'tv', spend: Float64Array.from({ length: N }, (_, t) => (t === nTrain - 1 ? 300 : t === 3 ? 300 : 0)) }],
      controls: [],
      factors: [],
    };
    const spec = { ...DEFAULT_MODEL_SPEC, trend: { kind: 'none' as const }, seasonality: { kind: 'none' as const } };
    const data = prepareForecastData(ds, nTrain, spec);
    const p: ModelParams = {
      intercept: 1, trend: 0, fourier: new Float64Array(0), beta: Float64Array.of(0.2), alpha: Float64Array.of(0.5),
      K: Float64Array.of(1), S: Float64Array.of(2), gamma: new Float64Array(0), sigma: 0.01,
    };
    const mu = meanResponse(spec, data, p);
    // training mean spend 600 / 30 = 20: spend 300 is u = 15; first test week lag 1, second lag 2
    const w = geometricWeights(0.5, 8);
    expect(mu[nTrain]).toBeCloseTo(1 + 0.2 * hill(w[1] * 15, 1, 2), 12);
    expect(mu[nTrain + 1]).toBeCloseTo(1 + 0.2 * hill(w[2] * 15, 1, 2), 12);
    expect(mu[nTrain + 8]).toBeCloseTo(1, 12); // past the 8-week kernel
  });
});

describe('evaluateHeldOut with the true parameters as the posterior', () => {
  it('forecast intervals of the true model cover the held-out weeks; same seed, same numbers', () => {
    // data without trend or controls so that the true parameters map to the training scaling by y's mean alone
    const spec = { ...DEFAULT_MODEL_SPEC, trend: { kind: 'none' as const } };
    const { dataset: ds, truth } = generateSynthetic(new Rng(17), { spec, weeks: 208 });
    const split = holdoutSplit(ds, 52);
    const trainData = prepareModelData(split.train, spec);
    const layout = buildLayout(spec, trainData);
    // rescale from the full data's scaling to the training part's: y / mean y, spend / mean spend,
    // controls restandardised on the training weeks (their coefficients follow the sd ratio)
    const full = prepareModelData(ds, spec);
    const r = full.yScale / trainData.yScale;
    const gamma = Float64Array.from(trainData.controls, (name, k) => {
      const j = full.controls.indexOf(name);
      if (name.includes('=')) return truth.params.gamma[j] * r;
      // numeric control: gamma_full * sd_train / sd_full
      const col = (d: typeof full, idx: number, n: number) => Array.from({ length: n }, (_, t) => d.Z[t * d.K + idx]);
      const zf = col(full, j, full.N).slice(0, trainData.N);
      const zt = col(trainData, k, trainData.N);
      return (truth.params.gamma[j] * r * (zf[1] - zf[0])) / (zt[1] - zt[0]);
    });
    const scaled: ModelParams = {
      ...truth.params,
      intercept: truth.params.intercept * r,
      fourier: truth.params.fourier.map((v) => v * r),
      beta: truth.params.beta.map((v) => v * r),
      // spend is divided by the training mean: the half-saturation moves with it
      K: truth.params.K.map((v, c) => (v * full.spendMean[c]) / trainData.spendMean[c]),
      gamma,
      sigma: truth.params.sigma * r,
    };
    // the numeric control's centring moves the intercept: match the true mean at week 0 of the training part
    const muTrue = meanResponse(spec, full, truth.params);
    const muScaled = meanResponse(spec, trainData, scaled);
    scaled.intercept += muTrue[0] * r - muScaled[0];
    const check = meanResponse(spec, trainData, scaled);
    for (let t = 0; t < trainData.N; t += 23) expect(check[t]).toBeCloseTo(muTrue[t] * r, 9);

    const x = fromParams(layout, scaled);
    const S = 500;
    const values = new Float64Array(S * layout.dim);
    for (let s = 0; s < S; s++) values.set(x, s * layout.dim);
    const fit = { names: layout.names, tables: [{ names: layout.names, values, nDraws: S }] };
    const ev = evaluateHeldOut(spec, split, fit, new Rng(4));
    expect(ev.testDates).toEqual([ds.dates[156], ds.dates[207]]);
    expect(ev.band.length).toBe(208);
    expect(ev.nTrain).toBe(156);
    const cov = Object.fromEntries(ev.outOfSample.coverage.map((c) => [c.level, c.share]));
    expect(cov[0.9]).toBeGreaterThan(0.8);
    expect(cov[0.5]).toBeGreaterThan(0.3);
    expect(cov[0.5]).toBeLessThan(0.7);
    expect(ev.outOfSample.mape).toBeLessThan(0.06);
    // the forecast mean equals the generator's true mean for the test weeks
    for (let t = 156; t < 208; t += 7) expect(ev.band[t].mean / (muTrue[t] * full.yScale)).toBeCloseTo(1, 9);
    expect(evaluateHeldOut(spec, split, fit, new Rng(4))).toEqual(ev);
    const sum = summarizeBacktests([ev, ev]);
    expect(sum.mape).toBeCloseTo(ev.outOfSample.mape, 12);
    expect(sum.testWeeks).toBe(104);
    expect(sum.coverage[2].share).toBeCloseTo(cov[0.9], 12);
  });
});

describe('model health card', () => {
  const summary: SummaryRow[] = [{ name: 'beta[tv]', mean: 1, sd: 0.1, q05: 0.8, q50: 1, q95: 1.2, rhat: 1.002, essBulk: 900, essTail: 800 }];
  const metrics = (mape: number, cov90: number): FitMetrics => ({ weeks: 100, mape, r2: 0.9, nrmse: 0.05, coverage: [{ level: 0.5, share: 0.5 }, { level: 0.8, share: 0.8 }, { level: 0.9, share: cov90 }] });
  const loo = (ks: number[]): LooResult => ({
    elpdLoo: -100, se: 5, pLoo: 12, lpd: -88, kThreshold: 0.7, kThresholdForS: 0.7, nDraws: 1000,
    pointwise: ks.map((k) => ({ elpd: -1, pLoo: 0.1, k })), badK: ks.flatMap((k, i) => (k > 0.7 ? [i] : [])),
  });
  const config = defaultConfig();
  const byId = (list: ReturnType<typeof healthCard>) => Object.fromEntries(list.map((c) => [c.id, c]));

  it('passes a healthy fit and lists convergence and evaluation checks', () => {
    const card = byId(healthCard({ fit: { summary }, inSample: metrics(0.05, 0.9), loo: loo([0.1, 0.3]) }, config));
    expect(Object.keys(card)).toEqual(expect.arrayContaining(['fit.rhat', 'fit.ess_bulk', 'fit.divergences', 'eval.mape', 'eval.coverage', 'eval.pareto_k', 'eval.ppc']));
    expect(card['eval.mape'].severity).toBe('info');
    expect(card['eval.coverage'].severity).toBe('info');
    expect(card['eval.pareto_k'].severity).toBe('info');
    expect(card['fit.rhat'].severity).toBe('info');
    // no holdout or backtest: no separate in-sample rows
    expect(card['eval.mape_in_sample']).toBeUndefined();
    expect(card['eval.coverage_in_sample']).toBeUndefined();
  });

  it('warns against the config thresholds: mape 0.15, coverage 0.8 of the 90% interval, Pareto k 0.7, R-hat', () => {
    const card = byId(
      healthCard(
        {
          fit: { summary: [{ ...summary[0], rhat: 1.03 }] },
          inSample: metrics(0.05, 0.95),
          outOfSample: metrics(0.2, 0.7),
          loo: loo([0.2, 0.9, 0.75]),
          dates: ['2024-01-01', '2024-01-08', '2024-01-15'],
        },
        config,
      ),
    );
    expect(card['eval.mape'].severity).toBe('warn');
    expect(card['eval.mape'].evidence.where).toBe('out of sample');
    // the in-sample judgement stays beside the out-of-sample one
    expect(card['eval.mape_in_sample'].severity).toBe('info');
    expect(card['eval.mape_in_sample'].evidence.mape).toBe(0.05);
    expect(card['eval.coverage_in_sample'].severity).toBe('info');
    expect(card['eval.coverage_in_sample'].evidence.share).toBe(0.95);
    expect(card['eval.coverage'].severity).toBe('warn');
    expect(card['eval.coverage'].evidence.share).toBe(0.7);
    expect(card['eval.pareto_k'].severity).toBe('warn');
    // worst first
    expect((card['eval.pareto_k'].evidence.worst as { week: string }[]).map((w) => w.week)).toEqual(['2024-01-08', '2024-01-15']);
    expect(card['fit.rhat'].severity).toBe('warn');
    // a looser config passes the same numbers
    const loose = { ...config, evaluation: { ...config.evaluation, mape: 0.25, coverage: 0.6, pareto_k: 1 } };
    const card2 = byId(healthCard({ fit: { summary }, inSample: metrics(0.05, 0.95), outOfSample: metrics(0.2, 0.7), loo: loo([0.2, 0.9, 0.75]) }, loose));
    expect(card2['eval.mape'].severity).toBe('info');
    expect(card2['eval.coverage'].severity).toBe('info');
    expect(card2['eval.pareto_k'].severity).toBe('info');
    expect(config.evaluation.pareto_k).toBe(0.7);
  });

  it('flags posterior predictive p-values in the 2.5% tails', () => {
    const ppc = [
      { statistic: 'mean' as const, observed: 1, replicatedMean: 1, q05: 0.9, q95: 1.1, pValue: 0.5 },
      { statistic: 'lag1_autocorrelation' as const, observed: 0.6, replicatedMean: 0.2, q05: 0.05, q95: 0.35, pValue: 0.001 },
    ];
    const card = byId(healthCard({ fit: { summary }, inSample: metrics(0.05, 0.9), ppc }, config));
    expect(card['eval.ppc'].severity).toBe('warn');
    expect(card['eval.ppc'].detail).toMatch(/lag1 autocorrelation \(p = 0.001\)/);
  });
});

