import { getContext, setContext, untrack } from 'svelte';
import { startAnalysis, startEvaluation, startGeoAnalysis, AnalysisCancelled, type AnalysisHandle } from '../clients/analysis-client.ts';
import type { GeoAnalysis } from '../core/analysis/geo-analysis.ts';
import type { FitAnalysis } from '../core/analysis/analyse-fit.ts';
import type { FitEvaluation } from '../core/evaluation/fit-evaluation.ts';
import { healthCard } from '../core/evaluation/health.ts';
import type { CheckResult } from '../core/check/result.ts';
import type { Config } from '../core/spec/config.ts';
import type { KpiKind } from '../core/analysis/roi.ts';
import { guessKpiKind } from '../core/analysis/kpi-kind.ts';
import { thresholdsFromTraining } from '../core/inference/fit-settings.ts';
import type { FitState } from './fit.svelte.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import type { BacktestKind } from '../core/evaluation/backtest.ts';
import { BacktestState, type BacktestInputs, type BacktestPlan, type HeldOutStarter } from './backtest.svelte.ts';
import type { FitStarter } from './fit.svelte.ts';

/** Where the analysis of the latest fit stands. */
export type ResultsPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** What ResultsState reads from the dataset of the fit: week dates and the KPI's name. */
export interface ResultsSource {
  /** week start dates, ISO YYYY-MM-DD [N]; undefined when no dataset is loaded */ dates(): readonly string[] | undefined;
  /** the KPI column's name, e.g. `revenue` */ kpiName(): string | undefined;
  /** revenue per KPI unit of the dataset (data.revenue_per_kpi), when mapped */ revenuePerKpi?(): Dataset['revenuePerKpi'];
  /** the config's training and evaluation thresholds, for the health card and backtests */ config(): Pick<Config, 'training' | 'evaluation'>;
  /** the cleaned dataset the fit runs on, for holdout and backtest refits */ dataset?(): Dataset | null | undefined;
}

/**
 * The Results stage: analyses every finished fit (contributions, ROI, curves) in a worker and
 * holds the FitAnalysis, its progress, error and cancel. The week dates and the KPI are taken
 * when the fit starts, so a dataset loaded during the fit does not relabel its results.
 */
export class ResultsState {
  #phase = $state<ResultsPhase>('idle');
  #progress = $state<{ done: number; total: number } | null>(null);
  #analysis = $state.raw<FitAnalysis | null>(null);
  #error = $state<string | null>(null);
  #dates = $state.raw<readonly string[] | null>(null);
  #kpiName = $state('KPI');
  #kpiKind = $state<KpiKind>('unspecified');
  #revenuePerKpi: number | Float64Array | undefined = undefined;
  #revenuePerKpiName = $state<string | null>(null);
  #kpiKindGuessed = $state(true);
  #handle: AnalysisHandle<FitAnalysis> | AnalysisHandle<GeoAnalysis> | null = null;
  #geoAnalysis = $state.raw<GeoAnalysis | null>(null);
  #analysedWith = $state.raw<{ fit: FitResult; kpiKind: KpiKind; seed: number } | null>(null);
  #evaluation = $state.raw<FitEvaluation | null>(null);
  #evalPhase = $state<ResultsPhase>('idle');
  #evalError = $state<string | null>(null);
  #evalHandle: AnalysisHandle<FitEvaluation> | null = null;
  #fit: FitState;
  #source: ResultsSource;
  #dataset = $state.raw<Dataset | null>(null);
  /** holdout and rolling-origin backtests of the latest fit (user-started) */
  readonly backtest: BacktestState;
  #destroy: () => void;
  // convergence of the fit and the evaluation's numbers against the config's thresholds
  #health = $derived.by((): CheckResult[] | null => {
    const e = this.#evaluation;
    const r = this.#fit.result;
    if (!e || !r) return null;
    const dates = this.#dates ?? undefined;
    // a finished backtest adds the out-of-sample rows (a cancelled one has too few folds to judge)
    const bt = this.backtest.phase === 'done' ? this.backtest.result?.summary : null;
    const outOfSample = bt ? { mape: bt.mape, coverage: bt.coverage, weeks: bt.testWeeks } : undefined;
    return healthCard({ fit: { summary: r.summary, sampler: r.sampler }, inSample: e.inSample, ...(outOfSample ? { outOfSample } : {}), loo: e.loo, ppc: e.ppc, dates }, this.#source.config());
  });

  /**
   * @param deps how backtest refits and forecasts run (default: the fit and analysis workers; tests pass in-process ones)
   */
  constructor(fit: FitState, source: ResultsSource, deps: { starter?: FitStarter; evaluate?: HeldOutStarter } = {}) {
    this.#fit = fit;
    this.#source = source;
    this.backtest = new BacktestState(deps);
    this.#destroy = $effect.root(() => {
      // a new fit started: remember what its weeks and KPI are
      $effect(() => {
        const data = fit.data;
        const geo = fit.geo;
        if (!data && !geo) return;
        untrack(() => {
          // a geo fit reads its panel (dates, KPI, revenue per KPI per geo-week [G * N]); a national one the source
          const N = geo ? geo.data.N : data!.N;
          const dates = geo ? geo.panel.dataset.dates : source.dates();
          this.#dates = dates && dates.length === N ? [...dates] : null;
          // the national Dataset of the fit (holdout / backtest refits); none for a geo fit
          const ds = geo ? null : (source.dataset?.() ?? null);
          this.#dataset = ds && ds.dates.length === N ? ds : null;
          this.backtest.reset();
          const name = (geo ? geo.panel.dataset.target.name : source.kpiName()) ?? 'KPI';
          if (name !== this.#kpiName) this.#kpiKindGuessed = true;
          this.#kpiName = name;
          const rpk = geo ? geo.panel.revenuePerKpi : source.revenuePerKpi?.();
          const length = geo ? geo.data.G * N : N;
          this.#revenuePerKpi = rpk && (rpk.name === null || rpk.values.length === length) ? (rpk.name === null ? rpk.value : Float64Array.from(rpk.values)) : undefined;
          this.#revenuePerKpiName = rpk ? (rpk.name ?? String(rpk.value)) : null;
          // a KPI with a revenue-per-KPI role counts conversions: ROI is then revenue per unit of spend
          if (this.#kpiKindGuessed) this.#kpiKind = this.#revenuePerKpi !== undefined ? 'count' : guessKpiKind(name);
          this.#handle?.cancel();
          this.#handle = null;
          this.#analysis = null;
          this.#geoAnalysis = null;
          this.#phase = 'idle';
          this.#evalHandle?.cancel();
          this.#evalHandle = null;
          this.#evaluation = null;
          this.#evalPhase = 'idle';
        });
      });
      // ... and finished: analyse it
      $effect(() => {
        if (fit.phase === 'done' && fit.result) {
          untrack(() => {
            this.run();
            this.evaluate();
          });
        }
      });
    });
  }

  get phase() { return this.#phase; }
  /** draws analysed so far and to do; null before the first report */
  get progress() { return this.#progress; }
  get analysis() { return this.#analysis; }
  /** national and per-geo contributions and ROI of a geo fit; null for a national fit or until done */
  get geoAnalysis() { return this.#geoAnalysis; }
  /**
   * The finished analysis of `fit` with the options it was computed with (what a run bundle
   * keeps, so a re-run analyses the same way); null while that fit's analysis is not done.
   */
  analysisOf(fit: FitResult | null): { analysis: FitAnalysis; options: { kpiKind: KpiKind; seed: number } } | null {
    const w = this.#analysedWith;
    const a = this.#analysis;
    return fit && a && w && w.fit === fit && this.#phase === 'done' ? { analysis: a, options: { kpiKind: w.kpiKind, seed: w.seed } } : null;
  }
  get error() { return this.#error; }
  /** week dates of the analysed fit [N], or null when they were not known (weeks are then numbered) */
  get dates() { return this.#dates; }
  get kpiName() { return this.#kpiName; }
  /** what the KPI counts; guessed from its name until the user sets it */
  get kpiKind() { return this.#kpiKind; }
  /** the column (or constant) that turns the KPI into revenue; null when none is mapped */
  get revenuePerKpiName() { return this.#revenuePerKpiName; }
  get kpiKindGuessed() { return this.#kpiKindGuessed; }
  /** in-sample evaluation of the fit (accuracy, coverage, PPC, contraction, PSIS-LOO); null until done */
  get evaluation() { return this.#evaluation; }
  get evaluationPhase() { return this.#evalPhase; }
  get evaluationError() { return this.#evalError; }
  /** the model health card: convergence and evaluation checks; null until the evaluation is done */
  get health() { return this.#health; }

  /** What a backtest of the latest fit refits; null (with why) when there is no finished fit or its dataset is unknown. */
  #backtestInputs(): BacktestInputs | string {
    const { result, spec } = this.#fit;
    if (result && this.#fit.geo) return 'Backtests refit the national model for now: choose the national grain on the Fit screen and fit it.';
    if (!result || !spec) return 'No finished fit yet: run one on the Fit screen first.';
    if (!this.#dataset) return 'The dataset of this fit is not known (it was loaded from a saved run): fit it again to run a backtest.';
    if (result.kernel === 'cmdstan') return 'This run was imported from CmdStan: refits need the app\'s sampler, so fit it here first.';
    const config = this.#source.config();
    return {
      spec,
      dataset: this.#dataset,
      // the kernel the main fit ran on, pinned: no probe, and the same numbers for the same seed
      settings: { ...result.settings, kernel: result.kernel },
      main: { wallS: result.wallS, drawsRun: result.converged?.draws ?? result.tables[0]?.nDraws },
      config,
      thresholds: thresholdsFromTraining(config.training),
    };
  }

  /** The splits and estimated cost of a backtest of `kind` of the latest fit, or why it cannot run. */
  planBacktest(kind: BacktestKind): BacktestPlan {
    const inputs = this.#backtestInputs();
    return typeof inputs === 'string' ? { ok: false, error: inputs } : this.backtest.plan(kind, inputs);
  }

  /** Starts a backtest of `kind` of the latest fit (refits in the fit workers). @returns resolves when it ends */
  runBacktest(kind: BacktestKind): Promise<void> {
    const inputs = this.#backtestInputs();
    if (typeof inputs === 'string') {
      this.backtest.refuse(inputs);
      return Promise.resolve();
    }
    return this.backtest.start(kind, inputs);
  }

  /** Sets what the KPI counts (money, a count, not said) and analyses the fit again. */
  setKpiKind(kind: KpiKind): void {
    this.#kpiKind = kind;
    this.#kpiKindGuessed = false;
    if (this.#fit.result) this.run();
  }

  /** Analyses the latest finished fit; a running analysis is cancelled first. */
  run(): void {
    const { result, spec, data, geo } = this.#fit;
    if (!result || (!geo && (!spec || !data))) return;
    this.#handle?.cancel();
    this.#phase = 'running';
    this.#error = null;
    this.#progress = null;
    this.#analysis = null;
    this.#geoAnalysis = null;
    const options = { kpiKind: this.#kpiKind, seed: result.settings.seed, ...(this.#revenuePerKpi !== undefined ? { revenuePerKpi: this.#revenuePerKpi } : {}) };
    const onProgress = (done: number, total: number) => {
      if (this.#handle === handle) this.#progress = { done, total };
    };
    const handle = geo ? startGeoAnalysis(geo.spec, geo.data, result, options, onProgress) : startAnalysis(spec!, data!, result, options, onProgress);
    this.#handle = handle;
    const kpiKind = this.#kpiKind;
    (handle.result as Promise<FitAnalysis | GeoAnalysis>).then(
      (a) => {
        if (this.#handle !== handle) return;
        if ('geos' in a) this.#geoAnalysis = a;
        else {
          this.#analysedWith = { fit: result, kpiKind, seed: result.settings.seed };
          this.#analysis = a;
        }
        this.#phase = 'done';
      },
      (e: unknown) => {
        if (this.#handle !== handle) return;
        this.#phase = e instanceof AnalysisCancelled ? 'cancelled' : 'failed';
        this.#error = e instanceof Error ? e.message : String(e);
      },
    );
  }

  /** Evaluates the latest finished fit in sample (a second worker, beside the analysis). */
  evaluate(): void {
    // in-sample evaluation (PPC, LOO) is of the national model; a geo fit has none yet
    const { result, spec, data } = this.#fit;
    if (!result || !spec || !data) return;
    this.#evalHandle?.cancel();
    this.#evalPhase = 'running';
    this.#evalError = null;
    this.#evaluation = null;
    const dates = this.#dates ?? Array.from({ length: data.N }, (_, t) => `week ${t + 1}`);
    const kThreshold = untrack(() => this.#source.config().evaluation.pareto_k);
    const handle = startEvaluation(spec, data, dates, result, result.settings.seed, { kThreshold });
    this.#evalHandle = handle;
    handle.result.then(
      (e) => {
        if (this.#evalHandle !== handle) return;
        this.#evaluation = e;
        this.#evalPhase = 'done';
      },
      (e: unknown) => {
        if (this.#evalHandle !== handle) return;
        this.#evalPhase = e instanceof AnalysisCancelled ? 'cancelled' : 'failed';
        this.#evalError = e instanceof Error ? e.message : String(e);
      },
    );
  }

  /** Stops the analysis and evaluation workers now (a backtest has its own cancel). */
  cancel(): void {
    this.#handle?.cancel();
    this.#evalHandle?.cancel();
  }

  /** Stops the effects that follow the fit (tests; the app keeps one for its lifetime). */
  destroy(): void {
    this.cancel();
    this.backtest.reset();
    this.#destroy();
  }
}

const KEY = Symbol('ResultsState');
/** Provides the results state to the component tree (call once in App). */
export const setResultsState = (s: ResultsState) => setContext(KEY, s);
/** The results state provided by App. */
export const useResultsState = () => getContext<ResultsState>(KEY);
