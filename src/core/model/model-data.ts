import type { Dataset } from './dataset.ts';
import type { ModelSpec } from '../spec/model-spec.ts';
import { trendRegressor } from '../transforms/trend.ts';
import { seasonalFeatures } from '../transforms/seasonality.ts';

/**
 * The numeric inputs of the density, prepared exactly as the reference (peer/stan/mmm.stan):
 * spend / mean spend, numeric controls standardised with the sample sd, 0/1 dummies for each
 * non-baseline level (sorted), y / mean y. All matrices row-major [t * cols + col].
 */
export interface ModelData {
  /** weeks */ N: number;
  /** channels */ C: number;
  /** control columns (numeric + dummies) */ K: number;
  /** adstock kernel length (max lag + 1) */ L: number;
  /** Fourier columns (2 * order; 0 without seasonality) */ nF: number;
  channels: string[];
  controls: string[];
  /** spend / mean spend, [N * C], >= 0 */ X: Float64Array;
  /** controls, [N * K] */ Z: Float64Array;
  /** y / yScale, [N] */ y: Float64Array;
  /** mean of the KPI, original units */ yScale: number;
  /** total spend per channel, original units, [C] */ spendTotal: Float64Array;
  /** mean spend per channel, original units, [C] */ spendMean: Float64Array;
  /** (t-1)/(N-1), [N]; zeros when the trend is off */ t01: Float64Array;
  /** Fourier features sin1, cos1, sin2, cos2, ..., [N * nF], t = 1..N */ F: Float64Array;
}

/** Builds ModelData from a Dataset under a spec. Throws with the column name on unusable input. */
export function prepareModelData(ds: Dataset, spec: ModelSpec): ModelData {
  const N = ds.dates.length;
  if (N < 2) throw new Error(`Need at least 2 weeks of data, got ${N}.`);
  const C = ds.channels.length;
  if (C < 1) throw new Error('Need at least one paid channel.');
  const yScale = mean(ds.target.values);
  if (!(yScale > 0)) throw new Error(`Target "${ds.target.name}" must have a positive mean (got ${yScale}).`);
  const y = Float64Array.from(ds.target.values, (v) => v / yScale);

  const X = new Float64Array(N * C);
  const spendTotal = new Float64Array(C);
  const spendMean = new Float64Array(C);
  ds.channels.forEach((ch, c) => {
    const m = mean(ch.spend);
    if (!(m > 0)) throw new Error(`Channel "${ch.name}" has no spend (mean ${m}); drop it from the mapping.`);
    spendMean[c] = m;
    spendTotal[c] = m * N;
    for (let t = 0; t < N; t++) X[t * C + c] = ch.spend[t] / m;
  });

  const cols: { name: string; values: Float64Array }[] = [];
  for (const ctl of ds.controls) {
    const m = mean(ctl.values);
    const sd = Math.sqrt(ctl.values.reduce((s, v) => s + (v - m) ** 2, 0) / (N - 1));
    if (!(sd > 0)) throw new Error(`Control "${ctl.name}" is constant; drop it from the mapping.`);
    cols.push({ name: ctl.name, values: Float64Array.from(ctl.values, (v) => (v - m) / sd) });
  }
  for (const f of ds.factors) {
    const levels = [...new Set(f.levels)].filter((l) => l !== f.baseline).sort();
    for (const lvl of levels) {
      cols.push({ name: `${f.name}=${lvl}`, values: Float64Array.from(f.levels, (v) => (v === lvl ? 1 : 0)) });
    }
  }
  const K = cols.length;
  const Z = new Float64Array(N * K);
  cols.forEach((col, k) => col.values.forEach((v, t) => (Z[t * K + k] = v)));

  const t01 = trendRegressor(spec.trend, N);
  const { nF, F } = seasonalFeatures(spec.seasonality, N);
  return {
    N, C, K, L: spec.adstock.lags, nF,
    channels: ds.channels.map((c) => c.name),
    controls: cols.map((c) => c.name),
    X, Z, y, yScale, spendTotal, spendMean, t01, F,
  };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
