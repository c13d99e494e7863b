import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import type { AnalysisWorkerApi, AnalysisFit } from '../../workers/api.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import type { ModelData } from '../core/model/model-data.ts';
import type { AnalysisOptions, FitAnalysis } from '../core/analysis/analyse-fit.ts';
import type { GeoModelSpec } from '../core/spec/geo-spec.ts';
import type { GeoModelData } from '../core/model/geo-model-data.ts';
import type { GeoAnalysis, GeoAnalysisOptions } from '../core/analysis/geo-analysis.ts';
import type { FitEvaluation, FitEvaluationOptions } from '../core/evaluation/fit-evaluation.ts';
import type { HeldOutEvaluation, HeldOutOptions } from '../core/evaluation/holdout.ts';
import type { Split } from '../core/evaluation/splits.ts';
import type { CmdStanFile } from '../core/export/stan-import.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';

/** The analysis was cancelled by the user or replaced by a newer one. */
export class AnalysisCancelled extends Error {
  override name = 'AnalysisCancelled';
}

/** A running job in an analysis worker: its result, and a cancel that stops the worker at once. */
export interface AnalysisHandle<T> {
  result: Promise<T>;
  /** Terminates the worker (immediate); `result` rejects with AnalysisCancelled. */
  cancel(): void;
}

/** Runs one call in a fresh analysis worker, which ends with it (a crash rejects with its message). */
function inWorker<T>(call: (api: Remote<AnalysisWorkerApi>) => Promise<T>): AnalysisHandle<T> {
  const worker = new Worker(new URL('../../workers/analysis.worker.ts', import.meta.url), { type: 'module' });
  const api = wrap<AnalysisWorkerApi>(worker);
  let settle: ((e: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (settle = reject));
  failed.catch(() => {});
  worker.onerror = (ev) => settle?.(new Error(`The analysis worker crashed: ${ev.message || 'unknown error (see the console)'}`));
  worker.onmessageerror = () => settle?.(new Error('The analysis worker sent a message that could not be read.'));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    api[releaseProxy]();
    worker.terminate();
  };
  const result = Promise.race([call(api), failed]).finally(close);
  return {
    result,
    cancel: () => {
      close();
      settle?.(new AnalysisCancelled('Analysis cancelled.'));
    },
  };
}

/** The draws a worker reads, without the rest of a FitResult (copied, not transferred: the Fit screen keeps reading them). */
const drawsOf = (fit: AnalysisFit): AnalysisFit => ({ names: fit.names, tables: fit.tables });

/**
 * Runs analyseFit in its own web worker so the tab stays responsive (a fit of 4000 draws on a
 * few hundred weeks takes seconds).
 * @param onProgress (draws done, draws to do), every 100 draws
 */
export function startAnalysis(
  spec: ModelSpec,
  data: ModelData,
  fit: AnalysisFit,
  options: Omit<AnalysisOptions, 'onProgress'>,
  onProgress: (done: number, total: number) => void = () => {},
): AnalysisHandle<FitAnalysis> {
  return inWorker((api) => api.analyse(spec, data, drawsOf(fit), options, proxy(onProgress)));
}

/**
 * Runs evaluateFit (accuracy, coverage, PPC, contraction, PSIS-LOO) in its own web worker.
 * @param dates [N] ISO week dates of `data`
 * @param seed seeds the predictive noise
 */
export function startEvaluation(
  spec: ModelSpec,
  data: ModelData,
  dates: readonly string[],
  fit: AnalysisFit,
  seed: number,
  options: FitEvaluationOptions = {},
): AnalysisHandle<FitEvaluation> {
  return inWorker((api) => api.evaluate(spec, data, [...dates], drawsOf(fit), seed, options));
}

/**
 * Runs analyseGeoFit (national and per-geo contributions and ROI of a geo fit) in its own web worker.
 * @param onProgress (draws done, draws to do), every 100 draws
 */
export function startGeoAnalysis(
  spec: GeoModelSpec,
  data: GeoModelData,
  fit: AnalysisFit,
  options: Omit<GeoAnalysisOptions, 'onProgress'>,
  onProgress: (done: number, total: number) => void = () => {},
): AnalysisHandle<GeoAnalysis> {
  return inWorker((api) => api.analyseGeo(spec, data, drawsOf(fit), options, proxy(onProgress)));
}

/**
 * Runs evaluateHeldOut (forecast of a split's test weeks from a refit on its training weeks) in
 * its own web worker.
 * @param fit the refit on split.train
 * @param seed seeds the predictive noise
 */
export function startHeldOutEvaluation(spec: ModelSpec, split: Split, fit: AnalysisFit, seed: number, options: HeldOutOptions = {}): AnalysisHandle<HeldOutEvaluation> {
  return inWorker((api) => api.evaluateHeldOut(spec, split, drawsOf(fit), seed, options));
}

/**
 * Reads CmdStan's output CSVs (one per chain) as a run of the model in use, in its own web worker
 * (importCmdStanRun, src/core/export/stan-import.ts: ~1.5 s for 4 x 1000 draws of the reference
 * model on 208 weeks, too long for the main thread).
 * @returns the run; rejects with the importer's message (file, line, column) when a file does not fit
 */
export function importCmdStanInWorker(files: CmdStanFile[], spec: ModelSpec | GeoModelSpec, data: ModelData | GeoModelData, thresholds: Partial<ConvergenceThresholds>): Promise<FitResult> {
  return inWorker((api) => api.importCmdStan(files, spec, data, thresholds)).result;
}
