import type { Dataset } from '../model/dataset.ts';
import { sliceDataset } from './forecast-data.ts';

/** One train/test split of a weekly dataset: train on the first nTrain weeks of `window`, test on the rest. */
export interface Split {
  /** 0-based fold; 0 for a plain holdout */ fold: number;
  /** rows of the source dataset the window covers, [start, end) */ start: number;
  end: number;
  /** training weeks at the start of the window, >= 2 */ nTrain: number;
  /** test weeks at the end of the window, >= 1 */ nTest: number;
  /** the training weeks alone: what a refit is run on */ train: Dataset;
  /** training + test weeks: what the forecast of the test weeks is computed over (adstock carry) */ window: Dataset;
}

/** Smallest training part a split accepts: fewer weeks cannot identify a channel's carryover. */
export const MIN_TRAIN_WEEKS = 26;

function makeSplit(ds: Dataset, fold: number, start: number, nTrain: number, nTest: number): Split {
  const window = sliceDataset(ds, start, start + nTrain + nTest);
  return { fold, start, end: start + nTrain + nTest, nTrain, nTest, train: sliceDataset(window, 0, nTrain), window };
}

/**
 * Holdout of the last `holdoutWeeks` weeks (config `evaluation.holdout_weeks`): train on
 * everything before them.
 * @param holdoutWeeks >= 1, leaving at least MIN_TRAIN_WEEKS training weeks
 * @throws with the numbers and the fix when the data are too short
 */
export function holdoutSplit(ds: Dataset, holdoutWeeks: number): Split {
  const N = ds.dates.length;
  if (!(Number.isInteger(holdoutWeeks) && holdoutWeeks >= 1)) {
    throw new Error(`evaluation.holdout_weeks is ${holdoutWeeks}: set it to a whole number of weeks >= 1 to hold out the last weeks.`);
  }
  if (N - holdoutWeeks < MIN_TRAIN_WEEKS) {
    throw new Error(
      `Holding out ${holdoutWeeks} of ${N} weeks leaves ${N - holdoutWeeks} to train on; at least ${MIN_TRAIN_WEEKS} are needed. ` +
        `Lower evaluation.holdout_weeks to at most ${Math.max(0, N - MIN_TRAIN_WEEKS)}.`,
    );
  }
  return makeSplit(ds, 0, 0, N - holdoutWeeks, holdoutWeeks);
}

/** Rolling-origin settings (config `training.rolling_splits`). */
export interface RollingSplitsConfig {
  /** training window length, weeks >= 1 */ window_weeks: number;
  /** weeks between origins, and the test length of each fold, >= 1 */ step_weeks: number;
  /** keep only the most recent `folds` folds; 0 = every fold that fits */ folds: number;
}

/**
 * Rolling-origin backtest splits: each fold trains on `window_weeks` consecutive weeks and
 * tests on the `step_weeks` weeks after them; origins move by `step_weeks` and are anchored so
 * that the last fold ends at the last week. Folds in time order.
 * @throws with the numbers and the fix when not even one fold fits
 */
export function rollingSplits(ds: Dataset, cfg: RollingSplitsConfig): Split[] {
  const N = ds.dates.length;
  const { window_weeks: w, step_weeks: h, folds } = cfg;
  if (w < MIN_TRAIN_WEEKS) {
    throw new Error(`training.rolling_splits.window_weeks is ${w}; at least ${MIN_TRAIN_WEEKS} training weeks are needed.`);
  }
  if (w + h > N) {
    throw new Error(
      `A rolling backtest needs window_weeks + step_weeks = ${w + h} weeks; the data have ${N}. ` +
        `Lower training.rolling_splits.window_weeks to at most ${Math.max(0, N - h)}.`,
    );
  }
  const starts: number[] = [];
  for (let origin = N - h; origin - w >= 0; origin -= h) starts.push(origin - w);
  const kept = folds > 0 ? starts.slice(0, folds) : starts;
  return kept.reverse().map((start, fold) => makeSplit(ds, fold, start, w, h));
}
