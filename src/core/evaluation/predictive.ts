import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ModelParams } from '../model/constrain.ts';
import { meanResponse } from '../model/posterior.ts';
import type { Rng } from '../inference/rng.ts';
import { quantileSorted } from '../diagnostics/quantile.ts';

/** Posterior draws of the fitted mean and of replicated data, in the KPI's original units. */
export interface PredictiveDraws {
  /** draws S */ nDraws: number;
  /** weeks N */ nWeeks: number;
  /** fitted mean mu_s,t * yScale, row-major [S * N] */ mean: Float64Array;
  /** replicated KPI (mu_s,t + sigma_s eps_s,t) * yScale with eps ~ N(0, 1), row-major [S * N] */ yrep: Float64Array;
}

/**
 * Fitted mean and posterior predictive draws for every week of `data`, one per parameter draw.
 * The replicated data include the observation noise (Normal, sd sigma), so their intervals are
 * prediction intervals, not intervals of the mean.
 * @param params posterior draws (see posteriorParams), S >= 1
 * @param rng seeded; the noise is drawn week by week within each draw, in draw order
 */
export function predictiveDraws(spec: ModelSpec, data: ModelData, params: readonly ModelParams[], rng: Rng): PredictiveDraws {
  const S = params.length;
  const N = data.N;
  const mean = new Float64Array(S * N);
  const yrep = new Float64Array(S * N);
  for (let s = 0; s < S; s++) {
    const p = params[s];
    const mu = meanResponse(spec, data, p);
    for (let t = 0; t < N; t++) {
      mean[s * N + t] = mu[t] * data.yScale;
      yrep[s * N + t] = (mu[t] + p.sigma * rng.normal()) * data.yScale;
    }
  }
  return { nDraws: S, nWeeks: N, mean, yrep };
}

/** Column t of a row-major [S * N] matrix, sorted ascending. */
export function sortedColumn(m: Float64Array, S: number, N: number, t: number): Float64Array {
  const col = new Float64Array(S);
  for (let s = 0; s < S; s++) col[s] = m[s * N + t];
  return col.sort();
}

/** Per-week mean of a row-major [S * N] matrix. @returns [N] */
export function columnMeans(m: Float64Array, S: number, N: number): Float64Array {
  const out = new Float64Array(N);
  for (let s = 0; s < S; s++) for (let t = 0; t < N; t++) out[t] += m[s * N + t];
  for (let t = 0; t < N; t++) out[t] /= S;
  return out;
}

/** One week of the fit-vs-actual chart, KPI units. */
export interface BandRow {
  date: string;
  actual: number;
  /** posterior mean of the fitted mean */ mean: number;
  /** 50% and 90% central intervals of the posterior predictive */ q05: number;
  q25: number;
  q75: number;
  q95: number;
}

/**
 * Fit-vs-actual band: per week the actual KPI, the posterior mean of the fitted mean and the
 * 50% / 90% central intervals of the predictive (noise included). Quantiles are R type 7.
 * @param dates [N] ISO dates; @param actual [N] KPI, original units
 */
export function fitBand(dates: readonly string[], actual: ArrayLike<number>, pd: PredictiveDraws): BandRow[] {
  const { nDraws: S, nWeeks: N } = pd;
  if (dates.length !== N || actual.length !== N) throw new Error(`fitBand: ${dates.length} dates and ${actual.length} values for ${N} weeks.`);
  const mu = columnMeans(pd.mean, S, N);
  return dates.map((date, t) => {
    const col = sortedColumn(pd.yrep, S, N, t);
    return {
      date,
      actual: actual[t],
      mean: mu[t],
      q05: quantileSorted(col, 0.05),
      q25: quantileSorted(col, 0.25),
      q75: quantileSorted(col, 0.75),
      q95: quantileSorted(col, 0.95),
    };
  });
}
