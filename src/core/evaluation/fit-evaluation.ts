import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import { buildLayout } from '../model/layout.ts';
import type { Rng } from '../inference/rng.ts';
import { keptDrawChains, posteriorParams, type PosteriorTables } from './draws.ts';
import { fitBand, predictiveDraws, type BandRow } from './predictive.ts';
import { fitMetrics, type FitMetrics } from './metrics.ts';
import { posteriorPredictiveChecks, type PpcRow } from './ppc.ts';
import { priorPosteriorContraction, type ContractionRow } from './contraction.ts';
import { pointwiseLogLik, psisLoo, relativeEff, type LooResult } from './loo.ts';

/** Everything the Evaluation stage shows about a fit on its own data (in sample). */
export interface FitEvaluation {
  /** MAPE, R^2, NRMSE and 50/80/90% coverage over the fitted weeks */ inSample: FitMetrics;
  /** fit-vs-actual band per week */ band: BandRow[];
  ppc: PpcRow[];
  contraction: ContractionRow[];
  loo: LooResult;
  /** posterior draws used */ nDraws: number;
}

/** Options of evaluateFit. */
export interface FitEvaluationOptions {
  /** posterior draws used for the predictive and PSIS-LOO (thinned evenly), default 1000 */ maxDraws?: number;
  /** Pareto k-hat threshold, default 0.7 */ kThreshold?: number;
  /** interval levels whose coverage is reported, default 0.5, 0.8, 0.9 */ levels?: readonly number[];
}

/**
 * In-sample evaluation of a fit: accuracy and prediction-interval coverage, fit-vs-actual band,
 * posterior predictive checks, prior vs posterior contraction, PSIS-LOO.
 * @param data the ModelData the fit ran on (prepareModelData of the fitted dataset)
 * @param dates [N] ISO week dates of `data`
 * @param rng seeded; draws the predictive noise
 */
export function evaluateFit(
  spec: ModelSpec,
  data: ModelData,
  dates: readonly string[],
  fit: PosteriorTables,
  rng: Rng,
  options: FitEvaluationOptions = {},
): FitEvaluation {
  const layout = buildLayout(spec, data);
  const maxDraws = options.maxDraws ?? 1000;
  const params = posteriorParams(fit, layout, maxDraws);
  const pd = predictiveDraws(spec, data, params, rng);
  const actual = Float64Array.from(data.y, (v) => v * data.yScale);
  const ll = pointwiseLogLik(spec, data, params, pd.mean);
  return {
    inSample: fitMetrics(actual, pd, 0, data.N, options.levels),
    band: fitBand(dates, actual, pd),
    ppc: posteriorPredictiveChecks(actual, pd),
    contraction: priorPosteriorContraction(spec, layout, fit),
    loo: psisLoo(ll, relativeEff(ll, keptDrawChains(fit, maxDraws)), options.kThreshold ?? 0.7),
    nDraws: params.length,
  };
}
