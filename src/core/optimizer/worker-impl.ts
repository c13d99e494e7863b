import { optimizePlan, type PlanRequest, type PlanResult } from './plan.ts';
import { evaluateScenarios, type Scenario, type ScenarioOutcome } from './scenarios.ts';
import type { ResponseModel } from './response-model.ts';
import type { Metric } from './curves.ts';

/** What the optimizer worker does (workers/optimizer.worker.ts exposes it as is). */
export interface OptimizerWorkerImpl {
  /**
   * Solves a plan request; `onProgress` gets (fraction in [0, 1], stage). Rejects with
   * OptimizeCancelled after cancel(jobId).
   */
  optimize(jobId: number, model: ResponseModel, req: PlanRequest, onProgress?: (fraction: number, stage: string) => void): Promise<PlanResult>;
  /** Stops job `jobId` at its next checkpoint (a no-op for a finished or unknown job). */
  cancel(jobId: number): void;
  evaluateScenarios(model: ResponseModel, scenarios: Scenario[], opts?: { metric?: Metric; draws?: number; seed?: number }): ScenarioOutcome[];
}

/** The optimizer worker's implementation: one AbortController per running job. */
export function createOptimizerWorkerImpl(): OptimizerWorkerImpl {
  const running = new Map<number, AbortController>();
  return {
    async optimize(jobId, model, req, onProgress) {
      const ac = new AbortController();
      running.set(jobId, ac);
      try {
        return await optimizePlan(model, req, { signal: ac.signal, onProgress: onProgress && throttle(onProgress), now: () => performance.now() });
      } finally {
        running.delete(jobId);
      }
    },
    cancel(jobId) {
      running.get(jobId)?.abort();
    },
    evaluateScenarios: (model, scenarios, opts) => evaluateScenarios(model, scenarios, opts),
  };
}

/** Progress crosses threads: at most one report per stage change or 2% step. */
function throttle(f: (fraction: number, stage: string) => void): (fraction: number, stage: string) => void {
  let last = -1;
  let lastStage = '';
  return (fr, st) => {
    if (st !== lastStage || fr - last >= 0.02 || fr === 1) {
      last = fr;
      lastStage = st;
      f(fr, st);
    }
  };
}
