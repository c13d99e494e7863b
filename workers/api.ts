import type { ModelSpec } from '../src/core/spec/model-spec.ts';
import type { ModelData } from '../src/core/model/model-data.ts';
import type { GeoModelSpec } from '../src/core/spec/geo-spec.ts';
import type { GeoModelData } from '../src/core/model/geo-model-data.ts';
import type { GeoAnalysis, GeoAnalysisOptions } from '../src/core/analysis/geo-analysis.ts';
import type { KernelName } from '../src/core/kernels/kernel.ts';
import type { KernelProbe } from '../src/core/kernels/probe.ts';
import type { FitSettings, ChainRun } from '../src/core/inference/fit-job.ts';
import type { ChainStatus } from '../src/core/inference/progress.ts';
import type { DrawTable } from '../src/core/model/draws.ts';
import type { TableBlock } from '../src/core/inference/fit-worker-impl.ts';
import type { AnalysisOptions, FitAnalysis } from '../src/core/analysis/analyse-fit.ts';
import type { FitEvaluation, FitEvaluationOptions } from '../src/core/evaluation/fit-evaluation.ts';
import type { HeldOutEvaluation, HeldOutOptions } from '../src/core/evaluation/holdout.ts';
import type { Split } from '../src/core/evaluation/splits.ts';
import type { CmdStanFile } from '../src/core/export/stan-import.ts';
import type { FitResult } from '../src/core/inference/fit-result.ts';
import type { ConvergenceThresholds } from '../src/core/diagnostics/checks.ts';

/** One worker's share of a fit: plain data and typed arrays only. */
export interface FitJob {
  /** the national spec with ModelData, or the geo spec with GeoModelData (modelOf tags the pair) */
  spec: ModelSpec | GeoModelSpec;
  data: ModelData | GeoModelData;
  /** global chain indices this worker runs */ chainIds: number[];
  settings: FitSettings;
  /** the kernel every worker uses (chosen once by `probe`) */ kernel: KernelName;
}

/** A finished chain as it crosses back: sampler output plus constrained and derived draws. */
export interface ChainOutput extends ChainRun {
  table: DrawTable;
}

/** The fit worker (workers/fit.worker.ts). Errors cross as { name, message }. */
export interface FitWorkerApi {
  /** Times the candidate kernels on this device at a starting point; picks the fastest usable. */
  probe(spec: ModelSpec | GeoModelSpec, data: ModelData | GeoModelData, budgetMs: number): Promise<{ chosen: KernelName; probes: KernelProbe[] }>;
  /**
   * Runs the job's chains interleaved; `onStatus` is a Comlink.proxy callback. With
   * settings.untilConverged, `onBlock` (a Comlink.proxy) gets every block of draws and resolves
   * true when the fit should stop there (decided over all workers' chains).
   */
  fit(job: FitJob, onStatus: (s: ChainStatus[]) => void, onBlock?: (b: TableBlock) => Promise<boolean>): Promise<ChainOutput[]>;
}

/** The draws an analysis reads: FitResult's column names and per-chain tables. */
export interface AnalysisFit {
  names: string[];
  tables: DrawTable[];
}

/** The analysis worker (workers/analysis.worker.ts). Errors cross as { name, message }. */
export interface AnalysisWorkerApi {
  /**
   * analyseFit (src/core/analysis/analyse-fit.ts) off the main thread; `onProgress` (a
   * Comlink.proxy) gets (draws done, draws to do) every 100 draws.
   */
  analyse(
    spec: ModelSpec,
    data: ModelData,
    fit: AnalysisFit,
    options: Omit<AnalysisOptions, 'onProgress'>,
    onProgress?: (done: number, total: number) => void,
  ): Promise<FitAnalysis>;
  /**
   * evaluateFit (src/core/evaluation/fit-evaluation.ts) off the main thread: in-sample accuracy,
   * coverage, PPC, contraction and PSIS-LOO; the predictive noise is drawn from `seed`.
   * @param dates [N] ISO week dates of `data`
   */
  evaluate(spec: ModelSpec, data: ModelData, dates: string[], fit: AnalysisFit, seed: number, options: FitEvaluationOptions): Promise<FitEvaluation>;
  /**
   * analyseGeoFit (src/core/analysis/geo-analysis.ts) off the main thread: national and per-geo
   * contributions and ROI with intervals; `onProgress` (a Comlink.proxy) as for `analyse`.
   */
  analyseGeo(spec: GeoModelSpec, data: GeoModelData, fit: AnalysisFit, options: Omit<GeoAnalysisOptions, 'onProgress'>, onProgress?: (done: number, total: number) => void): Promise<GeoAnalysis>;
  /**
   * evaluateHeldOut (src/core/evaluation/holdout.ts) off the main thread: the forecast of a
   * split's test weeks from a refit on its training weeks; predictive noise drawn from `seed`.
   */
  evaluateHeldOut(spec: ModelSpec, split: Split, fit: AnalysisFit, seed: number, options: HeldOutOptions): Promise<HeldOutEvaluation>;
  /**
   * importCmdStanRun (src/core/export/stan-import.ts) off the main thread: CmdStan output CSVs
   * (one per chain) as a run of the model in use; its error crosses as an Error with its message.
   */
  importCmdStan(files: CmdStanFile[], spec: ModelSpec | GeoModelSpec, data: ModelData | GeoModelData, thresholds: Partial<ConvergenceThresholds>): Promise<FitResult>;
}

/** The optimizer worker (workers/optimizer.worker.ts): plans and scenarios over a ResponseModel. Errors cross as { name, message }. */
export type { OptimizerWorkerImpl as OptimizerWorkerApi } from '../src/core/optimizer/worker-impl.ts';
