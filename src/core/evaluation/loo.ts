import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ModelParams } from '../model/constrain.ts';
import { meanResponse } from '../model/posterior.ts';
import { logSumExp, psisSmooth } from './psis.ts';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** Log-likelihood of every week under every draw. */
export interface PointwiseLogLik {
  /** draws S */ nDraws: number;
  /** observations (weeks) N */ nPoints: number;
  /** log p(y_t | draw s), row-major [S * N] */ values: Float64Array;
}

/**
 * Pointwise log-likelihood of the observed KPI, full Normal density with its constants, in the
 * KPI's original units (log density of y, not of y / mean y), so that elpd values compare across
 * model options fitted to the same data as ArviZ / loo compare them.
 * @param params posterior draws, S >= 1
 * @param fittedMean optional fitted mean of these draws in KPI units, row-major [S * N] (e.g.
 *   PredictiveDraws.mean): saves recomputing the model's mean
 */
export function pointwiseLogLik(
  spec: ModelSpec,
  data: ModelData,
  params: readonly ModelParams[],
  fittedMean?: Float64Array,
): PointwiseLogLik {
  const S = params.length;
  const N = data.N;
  const values = new Float64Array(S * N);
  const logScale = Math.log(data.yScale);
  if (fittedMean && fittedMean.length !== S * N) throw new Error(`pointwiseLogLik: fitted mean has ${fittedMean.length} values for ${S} x ${N}.`);
  for (let s = 0; s < S; s++) {
    const p = params[s];
    const mu = fittedMean
      ? Float64Array.from({ length: N }, (_, t) => fittedMean[s * N + t] / data.yScale)
      : meanResponse(spec, data, p);
    const c = -LOG_SQRT_2PI - Math.log(p.sigma) - logScale;
    for (let t = 0; t < N; t++) {
      const z = (data.y[t] - mu[t]) / p.sigma;
      values[s * N + t] = c - 0.5 * z * z;
    }
  }
  return { nDraws: S, nPoints: N, values };
}

/** PSIS-LOO estimate and its per-point parts (Vehtari, Gelman & Gabry 2017). */
export interface LooResult {
  /** expected log pointwise predictive density, sum over points */ elpdLoo: number;
  /** its standard error sqrt(N var(elpd_i)) */ se: number;
  /** effective number of parameters: lpd - elpd_loo */ pLoo: number;
  /** log pointwise predictive density of the full posterior (in-sample) */ lpd: number;
  /** per point [N] */ pointwise: { elpd: number; pLoo: number; k: number }[];
  /** the k-hat threshold applied (0.7 unless told otherwise) */ kThreshold: number;
  /** the sample-size dependent threshold min(1 - 1/log10 S, 0.7) of Vehtari et al. 2024, for reference */ kThresholdForS: number;
  /** indices of points with k > kThreshold (their elpd is not reliable) */ badK: number[];
  nDraws: number;
}

/**
 * PSIS-LOO: for each point, Pareto smoothed importance weights from the ratios 1 / p(y_i | draw)
 * give elpd_i = log sum_s w_s p(y_i | draw s) with normalised w.
 * @param rEff relative efficiency of the draws for the tail length (1 = independent draws;
 *   posterior draws of a converged fit thinned to about their ESS are close to this)
 * @param kThreshold points whose k-hat exceeds it are listed in badK (default 0.7)
 */
export function psisLoo(ll: PointwiseLogLik, rEff = 1, kThreshold = 0.7): LooResult {
  const { nDraws: S, nPoints: N, values } = ll;
  const col = new Float64Array(S);
  const ratios = new Float64Array(S);
  const pointwise: LooResult['pointwise'] = [];
  let elpdLoo = 0;
  let lpd = 0;
  for (let t = 0; t < N; t++) {
    for (let s = 0; s < S; s++) {
      col[s] = values[s * N + t];
      ratios[s] = -col[s];
    }
    const { logWeights, k } = psisSmooth(ratios, rEff);
    for (let s = 0; s < S; s++) logWeights[s] += col[s];
    const elpd = logSumExp(logWeights);
    const lpdT = logSumExp(col) - Math.log(S);
    pointwise.push({ elpd, pLoo: lpdT - elpd, k });
    elpdLoo += elpd;
    lpd += lpdT;
  }
  const mean = elpdLoo / N;
  let v = 0;
  for (const p of pointwise) v += (p.elpd - mean) ** 2;
  const se = N > 1 ? Math.sqrt((N * v) / (N - 1)) : NaN;
  const badK = pointwise.flatMap((p, i) => (p.k > kThreshold ? [i] : []));
  return {
    elpdLoo,
    se,
    pLoo: lpd - elpdLoo,
    lpd,
    pointwise,
    kThreshold,
    kThresholdForS: Math.min(1 - 1 / Math.log10(S), 0.7),
    badK,
    nDraws: S,
  };
}
