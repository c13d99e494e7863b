import { startHeldOutEvaluation, type AnalysisHandle } from '../clients/analysis-client.ts';
import type { AnalysisFit } from '../../workers/api.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import type { Dataset } from '../core/model/dataset.ts';
import { prepareModelData } from '../core/model/model-data.ts';
import type { FitSettings } from '../core/inference/fit-job.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';
import type { HeldOutEvaluation, HeldOutOptions } from '../core/evaluation/holdout.ts';
import type { Split } from '../core/evaluation/splits.ts';
import {
  addFold,
  backtestFitSettings,
  backtestSplits,
  estimateBacktest,
  foldSeed,
  type BacktestConfig,
  type BacktestEstimate,
  type BacktestKind,
  type BacktestResult,
} from '../core/evaluation/backtest.ts';
import { FitState, type FitStarter } from './fit.svelte.ts';

/** Where a backtest stands. */
export type BacktestPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** What evaluates a refit on a split's test weeks (startHeldOutEvaluation; tests pass an in-process one). */
export type HeldOutStarter = (spec: ModelSpec, split: Split, fit: AnalysisFit, seed: number, options: HeldOutOptions) => AnalysisHandle<HeldOutEvaluation>;

/** What a backtest refits: the main fit's model, data and settings, and the config. */
export interface BacktestInputs {
  spec: ModelSpec;
  /** the cleaned dataset the main fit ran on */ dataset: Dataset;
  /** the main fit's settings (its kernel pinned to the one it ran on) */ settings: FitSettings;
  /** the main fit's wall seconds and draws per chain run, for the estimate */ main: { wallS: number; drawsRun?: number };
  config: BacktestConfig;
  thresholds: Partial<ConvergenceThresholds>;
}

/** A backtest before it runs: its splits, refit settings and cost, or why it cannot run. */
export type BacktestPlan =
  | { ok: true; splits: Split[]; settings: FitSettings; estimate: BacktestEstimate }
  | { ok: false; error: string };

/** How each refit went: convergence of the fold's fit. */
export interface RefitSummary {
  fold: number;
  /** largest R-hat over columns */ maxRhat: number;
  divergences: number;
  /** draws per chain kept */ draws: number;
  wallS: number;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Holdout and rolling-origin backtests: each split's training weeks refitted in the fit workers
 * (one FitState, the same runner as the main fit, one fold after the other), then its test weeks
 * forecast in an analysis worker. User-started; cancel terminates the workers and keeps the
 * folds already evaluated; the main fit is never touched.
 */
export class BacktestState {
  /** the running fold's refit (its progress is the fold's progress) */
  readonly refit: FitState;
  #evaluate: HeldOutStarter;
  #phase = $state<BacktestPhase>('idle');
  #result = $state.raw<BacktestResult | null>(null);
  #refits = $state.raw<RefitSummary[]>([]);
  #error = $state<string | null>(null);
  #fold = $state<number | null>(null);
  #step = $state<'fitting' | 'evaluating' | null>(null);
  #evalHandle: AnalysisHandle<HeldOutEvaluation> | null = null;
  #run = 0;
  /** which backtest the Run button starts */
  kind = $state<BacktestKind>('holdout');

  /**
   * @param deps.starter starts a refit's workers (default startFit)
   * @param deps.evaluate evaluates a refit on its test weeks (default: an analysis worker)
   */
  constructor(deps: { starter?: FitStarter; evaluate?: HeldOutStarter } = {}) {
    this.refit = new FitState(deps.starter);
    this.#evaluate = deps.evaluate ?? startHeldOutEvaluation;
  }

  get phase() { return this.#phase; }
  /** folds evaluated so far (kept after a cancel) and their summary; null before a backtest */
  get result() { return this.#result; }
  /** per evaluated fold: how its refit converged */
  get refits() { return this.#refits; }
  get error() { return this.#error; }
  /** 0-based fold running now; null when none */
  get fold() { return this.#fold; }
  /** what the running fold is doing */
  get step() { return this.#step; }
  /** 0..1 over the whole backtest: folds done plus the running refit's share */
  get fraction(): number {
    const r = this.#result;
    if (!r || r.planned === 0) return 0;
    const inFold = this.#step === 'evaluating' ? 1 : (this.refit.progress?.fraction ?? 0);
    return Math.min(1, (r.folds.length + (this.#phase === 'running' ? inFold : 0)) / r.planned);
  }

  /** The splits, refit settings and estimated cost of a backtest of `kind`, or why it cannot run. */
  plan(kind: BacktestKind, inputs: BacktestInputs): BacktestPlan {
    try {
      const splits = backtestSplits(inputs.dataset, kind, inputs.config);
      const settings = backtestFitSettings(inputs.settings, inputs.config.evaluation.backtest_draws);
      const estimate = estimateBacktest({ ...inputs.main, settings: inputs.settings }, settings, splits, inputs.dataset.dates.length);
      return { ok: true, splits, settings, estimate };
    } catch (e) {
      return { ok: false, error: message(e) };
    }
  }

  /**
   * Runs a backtest of `kind`: refits fold after fold and evaluates each on its test weeks. A
   * running backtest is cancelled first. Never throws: problems land in `error`.
   * @returns resolves when the backtest ends (done, cancelled or failed)
   */
  async start(kind: BacktestKind, inputs: BacktestInputs): Promise<void> {
    this.cancel();
    const run = ++this.#run;
    this.kind = kind;
    this.#error = null;
    this.#refits = [];
    const plan = this.plan(kind, inputs);
    if (!plan.ok) {
      this.#result = null;
      this.#fail(plan.error);
      return;
    }
    const { splits, settings } = plan;
    this.#result = { kind, folds: [], planned: splits.length, summary: null, drawsPerChain: settings.draws };
    this.#phase = 'running';
    for (const split of splits) {
      this.#fold = split.fold;
      this.#step = 'fitting';
      const what = `Split ${split.fold + 1} of ${splits.length} (training weeks ${split.train.dates[0]} to ${split.train.dates[split.nTrain - 1]})`;
      let data;
      try {
        data = prepareModelData(split.train, inputs.spec);
      } catch (e) {
        this.#fail(`${what} cannot be fitted: ${message(e)}`);
        return;
      }
      this.refit.settings = { ...settings };
      await this.refit.start(inputs.spec, data, inputs.thresholds);
      if (run !== this.#run) return;
      const fit = this.refit.result;
      if (this.refit.phase !== 'done' || !fit) {
        this.#fail(`${what}: the refit ${this.refit.phase === 'cancelled' ? 'was cancelled' : `failed: ${this.refit.error}`}`);
        return;
      }
      this.#step = 'evaluating';
      const handle = this.#evaluate(inputs.spec, split, fit, foldSeed(settings.seed, split.fold), {});
      this.#evalHandle = handle;
      let ev: HeldOutEvaluation;
      try {
        ev = await handle.result;
      } catch (e) {
        if (run !== this.#run) return;
        this.#fail(`${what}: the forecast of the held-out weeks failed: ${message(e)}`);
        return;
      }
      if (run !== this.#run) return;
      this.#evalHandle = null;
      this.#result = addFold(this.#result!, ev);
      this.#refits = [
        ...this.#refits,
        {
          fold: split.fold,
          maxRhat: Math.max(...fit.summary.map((r) => r.rhat)),
          divergences: fit.sampler.divergences.count,
          draws: fit.tables[0]?.nDraws ?? 0,
          wallS: fit.wallS,
        },
      ];
    }
    this.#fold = null;
    this.#step = null;
    this.#evalHandle = null;
    this.#phase = 'done';
  }

  /** Stops the running refit or forecast now (workers terminated); the folds already evaluated stay. */
  cancel(): void {
    if (this.#phase !== 'running') return;
    this.#run++;
    this.refit.cancel();
    this.#evalHandle?.cancel();
    this.#evalHandle = null;
    this.#fold = null;
    this.#step = null;
    this.#phase = 'cancelled';
  }

  /** Forgets the backtest (a new main fit started: its folds belong to the old one). */
  reset(): void {
    this.cancel();
    this.#run++;
    this.#result = null;
    this.#refits = [];
    this.#error = null;
    this.#phase = 'idle';
  }

  /** Records why a backtest cannot start (no fit, no dataset...). */
  refuse(why: string): void {
    this.cancel();
    this.#run++;
    this.#result = null;
    this.#fail(why);
  }

  #fail(msg: string): void {
    this.#error = msg;
    this.#fold = null;
    this.#step = null;
    this.#evalHandle = null;
    this.#phase = 'failed';
  }
}

