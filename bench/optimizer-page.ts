// Browser side of bench/optimizer.ts: solves a fixed-budget plan in the app's optimizer worker
// through the app's client, a few times, and checks that cancel stops a running solve.
import { createOptimizerClient } from '../src/clients/optimizer-client.ts';
import type { ResponseModel } from '../src/core/optimizer/response-model.ts';
import type { PlanRequest, PlanResult } from '../src/core/optimizer/plan.ts';

/** What the page returns (JSON-able). */
export interface OptimizerPageResult {
  /** wall seconds of each solve, worker round trip included */ solveS: number[];
  result: PlanResult;
  progressReports: number;
  /** ms from abort to the rejection, and the error's name */ cancel: { ms: number; name: string };
  /** ns per Hill evaluation (exp + log) on this page just before the solves: how loaded the machine is */ hillNs: number;
}

/** Times the optimizer's inner operation alone, as a yardstick for the machine's load. */
function hillNs(): number {
  const n = 2_000_000;
  let s = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) s += 1 / (1 + Math.exp(2.3 * (0.18 - Math.log(0.1 + (i % 1000) * 0.003))));
  const ns = ((performance.now() - t0) * 1e6) / n;
  return s > 0 ? ns : NaN;
}

async function runOptimizerBench(json: string): Promise<OptimizerPageResult> {
  const p = JSON.parse(json) as { model: Record<string, unknown>; request: PlanRequest; runs: number };
  const model = Object.fromEntries(
    Object.entries(p.model).map(([k, v]) => [k, Array.isArray(v) && typeof v[0] === 'number' ? Float64Array.from(v as number[]) : v]),
  ) as unknown as ResponseModel;
  const client = createOptimizerClient();
  const ns = hillNs();
  try {
    const solveS: number[] = [];
    let result: PlanResult | undefined;
    let progressReports = 0;
    for (let r = 0; r < p.runs; r++) {
      const t0 = performance.now();
      result = await client.optimize(model, p.request, { onProgress: () => progressReports++ });
      solveS.push((performance.now() - t0) / 1000);
    }
    const ac = new AbortController();
    const running = client.optimize(model, p.request, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 50));
    const tAbort = performance.now();
    ac.abort();
    const cancel = await running.then(
      () => ({ ms: performance.now() - tAbort, name: 'finished before the cancel' }),
      (e: Error) => ({ ms: performance.now() - tAbort, name: e.name }),
    );
    return { solveS, result: result!, progressReports, cancel, hillNs: ns };
  } finally {
    client.dispose();
  }
}

(window as unknown as { runOptimizerBench: typeof runOptimizerBench }).runOptimizerBench = runOptimizerBench;
document.getElementById('status')!.textContent = 'ready';
