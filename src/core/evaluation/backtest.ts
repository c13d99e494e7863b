import type { Dataset } from '../model/dataset.ts';
import type { Config } from '../spec/config.ts';
import type { FitSettings } from '../inference/fit-job.ts';
import { holdoutSplit, rollingSplits, type Split } from './splits.ts';
import { summarizeBacktests, type BacktestSummary, type HeldOutEvaluation } from './holdout.ts';

/** The two ways of holding weeks out: the last N weeks once, or rolling origins (several refits). */
export type BacktestKind = 'holdout' | 'rolling';

/** The config sections a backtest reads: evaluation.holdout_weeks / backtest_draws and training.rolling_splits. */
export type BacktestConfig = { evaluation: Pick<Config['evaluation'], 'holdout_weeks' | 'backtest_draws'>; training: Pick<Config['training'], 'rolling_splits'> };

/** How each kind cuts the data into train/test splits, and its name on screen. */
export const BACKTEST_KINDS = {
  holdout: { label: 'Holdout of the last weeks', splits: (ds, cfg) => [holdoutSplit(ds, cfg.evaluation.holdout_weeks)] },
  rolling: { label: 'Rolling-origin backtest', splits: (ds, cfg) => rollingSplits(ds, cfg.training.rolling_splits) },
} satisfies Record<BacktestKind, { label: string; splits: (ds: Dataset, cfg: BacktestConfig) => Split[] }>;

/**
 * The splits of a backtest of `kind` on `ds` as the config sets them.
 * @throws with the numbers and the config key to change when the data are too short
 */
export function backtestSplits(ds: Dataset, kind: BacktestKind, cfg: BacktestConfig): Split[] {
  return BACKTEST_KINDS[kind].splits(ds, cfg);
}

/**
 * Sampler settings of each refit: the main fit's settings (chains, warmup, seed, adaptation,
 * kernel, stopping rule) with at most `draws` post-warmup draws per chain, so the same seed gives
 * the same numbers and a backtest costs less than K full fits.
 * @param draws cap on draws per chain (config evaluation.backtest_draws), >= 1
 */
export function backtestFitSettings(main: FitSettings, draws: number): FitSettings {
  return { ...main, draws: Math.max(1, Math.min(main.draws, Math.floor(draws))) };
}

/** Seed of the predictive noise of fold `fold`'s evaluation (the refit itself uses the fit's seed). */
export const foldSeed = (seed: number, fold: number): number => seed + 7919 * (fold + 1);

/** What a backtest is expected to cost, from the main fit's measured time. */
export interface BacktestEstimate {
  /** refits */ folds: number;
  /** seconds per refit, in split order */ perFold: number[];
  /** seconds in all (refits run one after the other; each uses every worker) */ totalS: number;
}

/**
 * Cost of a backtest: each refit takes the main fit's wall time scaled by its iterations per
 * chain (warmup + draws, against the main fit's warmup + draws actually run) and by its training
 * weeks (the density's cost is linear in weeks). Sampler tuning varies, so this is a rough guide.
 * @param main the main fit: wall seconds, settings, draws per chain it ran (fewer when it stopped early)
 * @param nWeeks weeks the main fit ran on
 */
export function estimateBacktest(
  main: { wallS: number; settings: FitSettings; drawsRun?: number },
  settings: FitSettings,
  splits: readonly Split[],
  nWeeks: number,
): BacktestEstimate {
  const mainIters = main.settings.warmup + (main.drawsRun ?? main.settings.draws);
  // with a stopping rule a refit may stop as early as the main fit did; without, it runs its cap
  const draws = settings.untilConverged ? Math.min(settings.draws, main.drawsRun ?? settings.draws) : settings.draws;
  const perIterS = main.wallS / Math.max(1, mainIters);
  const perFold = splits.map((s) => perIterS * (settings.warmup + draws) * (s.nTrain / Math.max(1, nWeeks)));
  return { folds: splits.length, perFold, totalS: perFold.reduce((a, b) => a + b, 0) };
}

/** A finished (or partly finished) backtest: each fold's out-of-sample evaluation and the pooled summary. */
export interface BacktestResult {
  kind: BacktestKind;
  /** folds evaluated so far, in split order */ folds: HeldOutEvaluation[];
  /** folds planned */ planned: number;
  /** mean MAPE / R^2 / NRMSE over folds, coverage pooled over test weeks; null before the first fold */ summary: BacktestSummary | null;
  /** draws per chain of each refit */ drawsPerChain: number;
}

/** Adds a fold's evaluation to a backtest (a new object: state holds it as a raw value). */
export function addFold(r: BacktestResult, fold: HeldOutEvaluation): BacktestResult {
  const folds = [...r.folds, fold];
  return { ...r, folds, summary: summarizeBacktests(folds) };
}
