import { quantileSorted } from '../diagnostics/quantile.ts';

/**
 * A scalar posterior quantity: mean, median and the central 50% and 90% intervals over draws.
 * Quantiles are R type 7, as the fit summary (one definition, one set of numbers).
 */
export interface Estimate {
  mean: number;
  median: number;
  /** 90% interval: 5% and 95% quantiles */ q05: number;
  q95: number;
  /** 50% interval: 25% and 75% quantiles */ q25: number;
  q75: number;
  /** posterior sd (n - 1 denominator; 0 for one draw) */ sd: number;
}

/** A quantity with one value per point (week, lag, spend level): pointwise mean and quantiles, each [n]. */
export interface Bands {
  mean: Float64Array;
  q05: Float64Array;
  q25: Float64Array;
  q50: Float64Array;
  q75: Float64Array;
  q95: Float64Array;
}

/**
 * Estimate from the draws of one scalar. Infinite draws (cost per KPI of a zero effect) sort to
 * the ends and give an infinite mean; NaN draws are a caller bug and throw.
 * @param values [nDraws], nDraws >= 1
 */
export function estimateOf(values: ArrayLike<number>): Estimate {
  const n = values.length;
  if (n === 0) throw new Error('estimateOf: no draws');
  const sorted = Float64Array.from(values as ArrayLike<number>);
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(sorted[i])) throw new Error(`estimateOf: draw ${i} is NaN`);
    s += sorted[i];
  }
  sorted.sort();
  const mean = s / n;
  let ss = 0;
  if (Number.isFinite(mean)) for (let i = 0; i < n; i++) ss += (sorted[i] - mean) ** 2;
  return {
    mean,
    median: quantileSorted(sorted, 0.5),
    q05: quantileSorted(sorted, 0.05),
    q25: quantileSorted(sorted, 0.25),
    q75: quantileSorted(sorted, 0.75),
    q95: quantileSorted(sorted, 0.95),
    sd: !Number.isFinite(mean) ? NaN : n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
  };
}

/**
 * Pointwise bands of a draws-by-points matrix.
 * @param values row-major [nDraws * nPoints]: draw d's value at point j is values[d * nPoints + j]
 * @param nPoints points per draw, >= 1
 */
export function bandsOf(values: Float64Array, nPoints: number): Bands {
  const nDraws = values.length / nPoints;
  if (!(nDraws >= 1) || !Number.isInteger(nDraws)) throw new Error(`bandsOf: ${values.length} values are not whole draws of ${nPoints} points`);
  const out: Bands = {
    mean: new Float64Array(nPoints),
    q05: new Float64Array(nPoints),
    q25: new Float64Array(nPoints),
    q50: new Float64Array(nPoints),
    q75: new Float64Array(nPoints),
    q95: new Float64Array(nPoints),
  };
  const col = new Float64Array(nDraws);
  for (let j = 0; j < nPoints; j++) {
    let s = 0;
    for (let d = 0; d < nDraws; d++) s += col[d] = values[d * nPoints + j];
    col.sort();
    out.mean[j] = s / nDraws;
    out.q05[j] = quantileSorted(col, 0.05);
    out.q25[j] = quantileSorted(col, 0.25);
    out.q50[j] = quantileSorted(col, 0.5);
    out.q75[j] = quantileSorted(col, 0.75);
    out.q95[j] = quantileSorted(col, 0.95);
  }
  return out;
}

/**
 * Pearson correlation of two equally long series; NaN when either is constant (no information,
 * not "uncorrelated").
 * @param a [n], n >= 2
 * @param b [n]
 */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (b.length !== n) throw new Error(`correlation: lengths differ (${n} vs ${b.length})`);
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/**
 * Column j of a row-major matrix.
 * @param values [nRows * width]
 */
export function column(values: Float64Array, width: number, j: number): Float64Array {
  const n = values.length / width;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = values[i * width + j];
  return out;
}
