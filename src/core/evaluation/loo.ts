import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ModelParams } from '../model/constrain.ts';
import { meanResponse } from '../model/posterior.ts';
import { logSumExp, psisSmooth } from './psis.ts';
import { basicEss } from '../diagnostics/ess.ts';

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
 * @param rEff relative efficiency of the draws, one for all points or one per point [N] (see
 *   relativeEff); it sets the tail length M = ceil(min(0.2 S, 3 sqrt(S / rEff))); 1 = independent draws
 * @param kThreshold points whose k-hat exceeds it are listed in badK (default 0.7)
 */
export function psisLoo(ll: PointwiseLogLik, rEff: number | ArrayLike<number> = 1, kThreshold = 0.7): LooResult {
  const { nDraws: S, nPoints: N, values } = ll;
  if (typeof rEff !== 'number' && rEff.length !== N) throw new Error(`psisLoo: ${rEff.length} relative efficiencies for ${N} points.`);
  const rEffAt = (t: number) => (typeof rEff === 'number' ? rEff : rEff[t]);
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
    const { logWeights, k } = psisSmooth(ratios, rEffAt(t));
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

/**
 * Relative efficiency of the draws for each point, as R's loo::relative_eff(exp(loglik)):
 * the ESS of exp(log p(y_t | draw)) over the chains taken as given (no split, no ranks:
 * basicEss, rstan's ess_rfun, which loo uses) divided by the number of draws. MCMC draws with
 * autocorrelation give r_eff < 1 and so a longer Pareto tail. exp is taken after subtracting the
 * point's largest value (ESS does not change with scale), so tiny densities do not underflow.
 * @param ll rows in chain order, as posteriorParams pools them
 * @param chainOf [S] chain index of each row (see keptDrawChains); chains of unequal length are
 *   cut to the shortest, as loo needs equal lengths
 * @returns [N] r_eff > 0; 1 where it cannot be computed (fewer than 3 draws per chain, non-finite)
 */
export function relativeEff(ll: PointwiseLogLik, chainOf: ArrayLike<number>): Float64Array {
  const { nDraws: S, nPoints: N, values } = ll;
  if (chainOf.length !== S) throw new Error(`relativeEff: ${chainOf.length} chain ids for ${S} draws.`);
  const rows = new Map<number, number[]>();
  for (let s = 0; s < S; s++) {
    const r = rows.get(chainOf[s]) ?? [];
    r.push(s);
    rows.set(chainOf[s], r);
  }
  const groups = [...rows.values()];
  const n = Math.min(...groups.map((g) => g.length));
  const out = new Float64Array(N).fill(1);
  if (!(n >= 3)) return out;
  for (let t = 0; t < N; t++) {
    let max = -Infinity;
    for (let s = 0; s < S; s++) max = Math.max(max, values[s * N + t]);
    const chains = groups.map((g) => Float64Array.from({ length: n }, (_, i) => Math.exp(values[g[i] * N + t] - max)));
    const r = basicEss(chains) / (groups.length * n);
    out[t] = Number.isFinite(r) && r > 0 ? r : 1;
  }
  return out;
}
