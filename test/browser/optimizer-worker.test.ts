import { describe, expect, it } from 'vitest';
import { createOptimizerClient } from '../../src/clients/optimizer-client.ts';
import { optimizePlan } from '../../src/core/optimizer/plan.ts';
import { syntheticResponseModel } from '../../src/core/synthetic/response-model.ts';

const model = syntheticResponseModel(
  [
    { name: 'tv', beta: 0.3, alpha: 0.6, K: 1, S: 1, scale: 100, weekly: 100 },
    { name: 'search', beta: 0.15, alpha: 0.2, K: 0.5, S: 0.8, scale: 50, weekly: 80 },
    { name: 'ooh', beta: 0.5, alpha: 0.3, K: 2.5, S: 3.5, scale: 60, weekly: 30 },
  ],
  { D: 300 },
);

describe('optimizer through its web worker', () => {
  it('gives the plan of a direct run in this thread, with progress up to 1', async () => {
    const client = createOptimizerClient();
    try {
      const seen: number[] = [];
      const req = { mode: { kind: 'fixedBudget' as const }, objective: { kind: 'cvar' as const, level: 0.1 } };
      const viaWorker = await client.optimize(model, req, { onProgress: (f) => seen.push(f) });
      const direct = await optimizePlan(model, req);
      expect(viaWorker.recommended).toEqual(direct.recommended);
      expect(viaWorker.comparison.delta).toEqual(direct.comparison.delta);
      expect(viaWorker.checks).toEqual(direct.checks);
      expect(seen.at(-1)).toBe(1);
      const [s] = await client.evaluateScenarios(model, [{ name: 'rec', spend: viaWorker.recommended }]);
      expect(s.vsCurrent.delta).toEqual(direct.comparison.delta);
    } finally {
      client.dispose();
    }
  });

  it('aborting the signal cancels the running solve', async () => {
    const client = createOptimizerClient();
    try {
      const ac = new AbortController();
      const run = client.optimize(model, { mode: { kind: 'fixedBudget' } }, { signal: ac.signal, onProgress: () => ac.abort() });
      await expect(run).rejects.toMatchObject({ name: 'OptimizeCancelled' });
      // the worker is still usable afterwards
      const r = await client.optimize(model, { mode: { kind: 'fixedBudget' } });
      expect(r.status).toBe('improved');
    } finally {
      client.dispose();
    }
  });
});
