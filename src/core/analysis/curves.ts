import type { AdstockSpec, ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ModelParams } from '../model/constrain.ts';
import { applyAdstock } from '../transforms/adstock.ts';
import { applySaturation } from '../transforms/saturation.ts';

/** Spend levels a channel's response curve is drawn at. */
export interface SpendGrid {
  /** weekly spend, currency, from 0 to 2x the largest observed week [nPoints] */ spend: Float64Array;
  /** average weekly spend over the sample (weeks without spend included), currency */ current: number;
  /** largest observed weekly spend, currency */ maxObserved: number;
  /** 1 where the level is beyond the largest observed week (extrapolation), else 0 [nPoints] */ beyondObserved: Uint8Array;
}

/** Default number of spend levels on a response curve. */
export const DEFAULT_CURVE_POINTS = 41;

/**
 * Evenly spaced weekly spend levels from 0 to 2x the channel's largest observed week.
 * @param c channel index
 * @param nPoints >= 2
 */
export function spendGrid(data: ModelData, c: number, nPoints = DEFAULT_CURVE_POINTS): SpendGrid {
  if (!(Number.isInteger(nPoints) && nPoints >= 2)) throw new Error(`A response curve needs a whole number >= 2 of points, got ${nPoints}.`);
  const { N, C, X } = data;
  let maxU = 0;
  for (let t = 0; t < N; t++) maxU = Math.max(maxU, X[t * C + c]);
  const maxObserved = maxU * data.spendMean[c];
  const spend = Float64Array.from({ length: nPoints }, (_, i) => (2 * maxObserved * i) / (nPoints - 1));
  return {
    spend,
    current: data.spendMean[c],
    maxObserved,
    beyondObserved: Uint8Array.from(spend, (s) => (s > maxObserved ? 1 : 0)),
  };
}

/**
 * Impulse response of an adstock: the weight each lag l = 0..L-1 puts on one unit of spend.
 * Read off the transform itself (adstock of a unit pulse), so it holds for any registered adstock.
 * @param lags L >= 1
 * @returns [L]
 */
export function adstockWeights(spec: AdstockSpec, alpha: number, lags: number): Float64Array {
  const pulse = new Float64Array(lags);
  pulse[0] = 1;
  return applyAdstock(spec, pulse, alpha);
}

/**
 * Steady-state weekly response of channel c: the KPI per week (KPI units) once the same weekly
 * spend has run for at least L weeks, at each spend level; the adstock then equals the spend /
 * mean spend times the sum of the adstock weights (1 for normalised geometric weights).
 * @param spend weekly spend levels, currency [n]
 * @param out [n]
 */
export function steadyStateResponse(
  spec: ModelSpec,
  data: ModelData,
  p: ModelParams,
  c: number,
  spend: Float64Array,
  out = new Float64Array(spend.length),
): Float64Array {
  const w = adstockWeights(spec.adstock, p.alpha[c], data.L);
  let gain = 0;
  for (let l = 0; l < w.length; l++) gain += w[l];
  const a = Float64Array.from(spend, (s) => (s / data.spendMean[c]) * gain);
  const h = applySaturation(spec.saturation, a, { K: p.K[c], S: p.S[c] });
  for (let i = 0; i < h.length; i++) out[i] = p.beta[c] * h[i] * data.yScale;
  return out;
}

/**
 * Lag of the largest adstock weight (0-based weeks; the first on ties) and the mean lag
 * sum_l l w_l / sum_l w_l, weeks.
 * @param w weights [L]
 */
export function lagSummary(w: Float64Array): { peak: number; meanLag: number } {
  let peak = 0;
  let total = 0;
  let moment = 0;
  for (let l = 0; l < w.length; l++) {
    if (w[l] > w[peak]) peak = l;
    total += w[l];
    moment += l * w[l];
  }
  return { peak, meanLag: total > 0 ? moment / total : 0 };
}
