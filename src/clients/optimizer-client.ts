import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import type { OptimizerWorkerApi } from '../../workers/api.ts';
import type { ResponseModel } from '../core/optimizer/response-model.ts';
import type { PlanRequest, PlanResult } from '../core/optimizer/plan.ts';
import type { Scenario, ScenarioOutcome } from '../core/optimizer/scenarios.ts';
import type { Metric } from '../core/optimizer/curves.ts';

/** Main-thread side of the optimizer worker: one worker, jobs run one after another there. */
export interface OptimizerClient {
  /**
   * Solves a plan in the worker. Aborting `signal` cancels it at the worker's next checkpoint
   * (milliseconds); the promise then rejects with an error named 'OptimizeCancelled'.
   * @param onProgress fraction in [0, 1] and the stage
   */
  optimize(model: ResponseModel, req: PlanRequest, opts?: { onProgress?: (fraction: number, stage: string) => void; signal?: AbortSignal }): Promise<PlanResult>;
  evaluateScenarios(model: ResponseModel, scenarios: Scenario[], opts?: { metric?: Metric; draws?: number; seed?: number }): Promise<ScenarioOutcome[]>;
  /** Terminates the worker. */
  dispose(): void;
}

/** Starts the optimizer worker (workers/optimizer.worker.ts). */
export function createOptimizerClient(): OptimizerClient {
  const worker = new Worker(new URL('../../workers/optimizer.worker.ts', import.meta.url), { type: 'module' });
  const api: Remote<OptimizerWorkerApi> = wrap<OptimizerWorkerApi>(worker);
  let nextId = 1;
  return {
    async optimize(model, req, opts = {}) {
      const id = nextId++;
      const onAbort = () => void api.cancel(id);
      if (opts.signal?.aborted) throw Object.assign(new Error('The optimisation was cancelled.'), { name: 'OptimizeCancelled' });
      opts.signal?.addEventListener('abort', onAbort);
      const progress = opts.onProgress ? proxy(opts.onProgress) : undefined;
      try {
        return await api.optimize(id, model, req, progress);
      } finally {
        opts.signal?.removeEventListener('abort', onAbort);
      }
    },
    evaluateScenarios: (model, scenarios, opts) => api.evaluateScenarios(model, scenarios, opts),
    dispose() {
      api[releaseProxy]();
      worker.terminate();
    },
  };
}
