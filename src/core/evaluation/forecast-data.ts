import type { Dataset } from '../model/dataset.ts';
import { prepareModelData, type ModelData } from '../model/model-data.ts';
import type { ModelSpec } from '../spec/model-spec.ts';
import { seasonalFeatures } from '../transforms/seasonality.ts';
import { trendRegressor } from '../transforms/trend.ts';

/**
 * Rows [start, end) of a dataset as a dataset of its own (dates, KPI, spend, controls, factor levels).
 * @throws when the range is empty or outside the data
 */
export function sliceDataset(ds: Dataset, start: number, end: number): Dataset {
  const N = ds.dates.length;
  if (!(start >= 0 && end <= N && end > start)) throw new Error(`Rows ${start}..${end} are outside the ${N} weeks of data.`);
  return {
    dates: ds.dates.slice(start, end),
    target: { name: ds.target.name, values: ds.target.values.slice(start, end) },
    channels: ds.channels.map((c) => ({ name: c.name, spend: c.spend.slice(start, end) })),
    controls: ds.controls.map((c) => ({ name: c.name, values: c.values.slice(start, end) })),
    factors: ds.factors.map((f) => ({ name: f.name, levels: f.levels.slice(start, end), baseline: f.baseline })),
  };
}

/**
 * ModelData over all N weeks of `ds` scaled exactly as a fit on its first `nTrain` weeks saw its
 * data: spend / training mean spend, controls standardised with the training mean and sd, dummies
 * for the levels the training weeks have (a level first seen later counts as the baseline), y /
 * training mean y, the trend continued past 1 at the training slope, Fourier terms at t = 1..N.
 * Rows 0..nTrain-1 equal prepareModelData(first nTrain weeks); later rows are the forecast's
 * inputs, and the adstock of those weeks carries the training weeks' spend because the series is
 * one. `spendTotal` and `spendMean` are the training ones.
 * @param nTrain training weeks, 2 <= nTrain <= N
 * @throws as prepareModelData on the training part (no spend, constant control...)
 */
export function prepareForecastData(ds: Dataset, nTrain: number, spec: ModelSpec): ModelData {
  const N = ds.dates.length;
  if (!(nTrain >= 2 && nTrain <= N)) throw new Error(`Training part of ${nTrain} weeks does not fit in ${N} weeks of data.`);
  const train = prepareModelData(sliceDataset(ds, 0, nTrain), spec);
  const { C, K } = train;
  const X = new Float64Array(N * C);
  ds.channels.forEach((ch, c) => {
    for (let t = 0; t < N; t++) X[t * C + c] = ch.spend[t] / train.spendMean[c];
  });
  const Z = new Float64Array(N * K);
  let k = 0;
  for (const ctl of ds.controls) {
    const head = ctl.values.subarray(0, nTrain);
    const m = head.reduce((s, v) => s + v, 0) / nTrain;
    const sd = Math.sqrt(head.reduce((s, v) => s + (v - m) ** 2, 0) / (nTrain - 1));
    for (let t = 0; t < N; t++) Z[t * K + k] = (ctl.values[t] - m) / sd;
    k++;
  }
  for (const f of ds.factors) {
    const levels = [...new Set(f.levels.slice(0, nTrain))].filter((l) => l !== f.baseline).sort();
    for (const lvl of levels) {
      for (let t = 0; t < N; t++) Z[t * K + k] = f.levels[t] === lvl ? 1 : 0;
      k++;
    }
  }
  // continue the training regressor linearly: exact for a linear trend, zeros for none
  const head = trendRegressor(spec.trend, nTrain);
  const slope = head[nTrain - 1] - head[nTrain - 2];
  const t01 = Float64Array.from({ length: N }, (_, t) => (t < nTrain ? head[t] : head[nTrain - 1] + (t - nTrain + 1) * slope));
  const { F } = seasonalFeatures(spec.seasonality, N);
  return {
    ...train,
    N,
    X,
    Z,
    y: Float64Array.from(ds.target.values, (v) => v / train.yScale),
    t01,
    F,
  };
}
