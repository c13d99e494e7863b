import { wrap, proxy, releaseProxy } from 'comlink';
import type { AnalysisWorkerApi, AnalysisFit } from '../../workers/api.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import type { ModelData } from '../core/model/model-data.ts';
import type { AnalysisOptions, FitAnalysis } from '../core/analysis/analyse-fit.ts';

/** The analysis was cancelled by the user or replaced by a newer one. */
export class AnalysisCancelled extends Error {
  override name = 'AnalysisCancelled';
}

/** A running analysis: its result, and a cancel that stops the worker at once. */
export interface AnalysisHandle {
  result: Promise<FitAnalysis>;
  /** Terminates the worker (immediate); `result` rejects with AnalysisCancelled. */
  cancel(): void;
}

/**
 * Runs analyseFit in its own web worker so the tab stays responsive (a fit of 4000 draws on a
 * few hundred weeks takes seconds). The fit's tables are copied, not transferred: the Fit screen
 * keeps reading them.
 * @param onProgress (draws done, draws to do), every 100 draws
 */
export function startAnalysis(
  spec: ModelSpec,
  data: ModelData,
  fit: AnalysisFit,
  options: Omit<AnalysisOptions, 'onProgress'>,
  onProgress: (done: number, total: number) => void = () => {},
): AnalysisHandle {
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
  const work = api.analyse(spec, data, { names: fit.names, tables: fit.tables }, options, proxy(onProgress));
  const result = Promise.race([work, failed]).finally(close);
  return {
    result,
    cancel: () => {
      close();
      settle?.(new AnalysisCancelled('Analysis cancelled.'));
    },
  };
}
