import type { ModelSpec } from '../spec/model-spec.ts';
import { buildLayout } from '../model/layout.ts';
import type { Rng } from '../inference/rng.ts';
import { posteriorParams, type PosteriorTables } from './draws.ts';
import { prepareForecastData } from './forecast-data.ts';
import { fitBand, predictiveDraws, type BandRow, type PredictiveDraws } from './predictive.ts';
import { fitMetrics, type FitMetrics } from './metrics.ts';
import type { Split } from './splits.ts';

/** Out-of-sample accuracy of a fit on a split's training weeks. */
export interface HeldOutEvaluation {
  fold: number;
  /** first and last training / test dates, ISO */ trainDates: [string, string];
  testDates: [string, string];
  /** metrics of the forecast over the test weeks (KPI units) */ outOfSample: FitMetrics;
  /** metrics of the same draws over the training weeks */ inSample: FitMetrics;
  /** fit-vs-actual band over the whole window (training then test weeks) */ band: BandRow[];
  /** training weeks at the start of `band` */ nTrain: number;
}

/** Options of evaluateHeldOut. */
export interface HeldOutOptions {
  /** posterior draws used (thinned evenly), default 1000 */ maxDraws?: number;
  /** interval levels whose coverage is reported, default 0.5, 0.8, 0.9 */ levels?: readonly number[];
}

/**
 * Evaluates a fit made on `split.train` against the split's test weeks: the forecast runs the
 * model over the whole window with the fit's draws, so each test week's adstock carries the
 * spend of the training weeks before it, and the predictive includes the Normal noise.
 * This is the function the app calls after each refit of a holdout or backtest fold.
 * @param fit the refit on split.train (a FitResult satisfies PosteriorTables)
 * @param rng seeded; draws the predictive noise
 */
export function evaluateHeldOut(spec: ModelSpec, split: Split, fit: PosteriorTables, rng: Rng, options: HeldOutOptions = {}): HeldOutEvaluation {
  const data = prepareForecastData(split.window, split.nTrain, spec);
  const layout = buildLayout(spec, data);
  const params = posteriorParams(fit, layout, options.maxDraws ?? 1000);
  const pd: PredictiveDraws = predictiveDraws(spec, data, params, rng);
  const actual = split.window.target.values;
  const { dates } = split.window;
  const n = split.nTrain;
  return {
    fold: split.fold,
    trainDates: [dates[0], dates[n - 1]],
    testDates: [dates[n], dates[dates.length - 1]],
    outOfSample: fitMetrics(actual, pd, n, data.N, options.levels),
    inSample: fitMetrics(actual, pd, 0, n, options.levels),
    band: fitBand(dates, actual, pd),
    nTrain: n,
  };
}

/** Backtest summary over folds: mean of each metric, and coverage pooled over all test weeks. */
export interface BacktestSummary {
  folds: number;
  testWeeks: number;
  mape: number;
  r2: number;
  nrmse: number;
  coverage: { level: number; share: number }[];
}

/**
 * Averages the folds' out-of-sample metrics (MAPE, R^2, NRMSE: plain mean over folds; coverage:
 * weighted by test weeks, i.e. the share of all test weeks inside their interval).
 * @param folds >= 1 results of evaluateHeldOut
 */
export function summarizeBacktests(folds: readonly HeldOutEvaluation[]): BacktestSummary {
  if (folds.length === 0) throw new Error('No backtest folds to summarise.');
  const mean = (f: (e: HeldOutEvaluation) => number) => folds.reduce((s, e) => s + f(e), 0) / folds.length;
  const weeks = folds.reduce((s, e) => s + e.outOfSample.weeks, 0);
  return {
    folds: folds.length,
    testWeeks: weeks,
    mape: mean((e) => e.outOfSample.mape),
    r2: mean((e) => e.outOfSample.r2),
    nrmse: mean((e) => e.outOfSample.nrmse),
    coverage: folds[0].outOfSample.coverage.map(({ level }, i) => ({
      level,
      share: folds.reduce((s, e) => s + e.outOfSample.coverage[i].share * e.outOfSample.weeks, 0) / weeks,
    })),
  };
}
