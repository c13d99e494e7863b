import { describe, expect, it } from 'vitest';
import robynCsv from '../../public/demo/robyn_simulated_weekly.csv?raw';
import robynSpec from '../fixtures/reference/robyn_spec.json';
import { datasetFromCsv } from '../helpers/csv-dataset.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { startFit, FitCancelled } from '../../src/clients/fit-client.ts';
import type { FitSettings } from '../../src/core/inference/fit-job.ts';
import type { FitProgress } from '../../src/core/inference/progress.ts';

const data = prepareModelData(datasetFromCsv(robynCsv, robynSpec), DEFAULT_MODEL_SPEC);
const settings: FitSettings = { chains: 3, warmup: 60, draws: 40, seed: 11, adaptDelta: 0.8, maxTreeDepth: 6, kernel: 'fused' };

describe('fit through web workers', () => {
  it('gives draws identical to running the chains directly in this thread', async () => {
    const progress: FitProgress[] = [];
    const handle = startFit(DEFAULT_MODEL_SPEC, data, settings, (p) => progress.push(p));
    const viaWorkers = await handle.result;
    const direct = await runFitJob({ spec: DEFAULT_MODEL_SPEC, data, chainIds: [0, 1, 2], settings, kernel: 'fused' }, () => performance.now());
    expect(viaWorkers.tables).toHaveLength(3);
    for (let c = 0; c < 3; c++) {
      expect(Array.from(viaWorkers.tables[c].values)).toEqual(Array.from(direct[c].table.values));
    }
    expect(viaWorkers.summary.map((r) => r.name)).toContain('roi[tv_S]');
    expect(viaWorkers.kernel).toBe('fused');
    const last = progress.at(-1)!;
    expect(last.fraction).toBe(1);
    expect(last.chains.every((c) => c.phase === 'done')).toBe(true);
  });

  it('stops when converged at a point set by the draws alone: same seed, same stop, draws as a direct run', async () => {
    const uc: FitSettings = {
      ...settings, chains: 4, warmup: 100, draws: 400, adaptation: 'gradient-dense',
      untilConverged: { maxRhat: 1.1, minEss: 40, blockDraws: 25 },
    };
    const a = await startFit(DEFAULT_MODEL_SPEC, data, uc, () => {}).result;
    const b = await startFit(DEFAULT_MODEL_SPEC, data, uc, () => {}).result;
    expect(a.converged?.met).toBe(true);
    const n = a.converged!.draws;
    expect(n % 25).toBe(0);
    expect(n).toBeLessThan(400);
    expect(b.converged!.draws).toBe(n);
    const width = a.names.length;
    const direct = await runFitJob(
      { spec: DEFAULT_MODEL_SPEC, data, chainIds: [0, 1, 2, 3], settings: { ...uc, draws: n, untilConverged: undefined }, kernel: 'fused' },
      () => performance.now(),
    );
    for (let c = 0; c < 4; c++) {
      expect(a.tables[c].values.length).toBe(n * width);
      expect(Array.from(a.tables[c].values)).toEqual(Array.from(direct[c].table.values));
      expect(Array.from(b.tables[c].values)).toEqual(Array.from(a.tables[c].values));
    }
    expect(Math.max(...a.summary.map((r) => r.rhat))).toBeLessThanOrEqual(1.1);
    expect(Math.min(...a.summary.map((r) => r.essBulk))).toBeGreaterThanOrEqual(40);
  });

  it('picks a kernel by a measured probe when not pinned and reports every probe', async () => {
    const r = await startFit(DEFAULT_MODEL_SPEC, data, { ...settings, chains: 2, warmup: 20, draws: 10, kernel: 'auto' }, () => {}).result;
    expect(r.probes.map((p) => p.name).sort()).toEqual(['fused', 'tfjs-wasm']);
    const best = r.probes.filter((p) => !p.error).reduce((a, b) => (b.gradPerS > a.gradPerS ? b : a));
    expect(r.kernel).toBe(best.name);
  });

  it('starts the chains on a guessed kernel while the probe runs: the draws are those of a fit pinned to the chosen kernel', async () => {
    const small: FitSettings = { ...settings, chains: 2, warmup: 30, draws: 20 };
    const pinned = await startFit(DEFAULT_MODEL_SPEC, data, small, () => {}).result;
    const guessed = await startFit(DEFAULT_MODEL_SPEC, data, { ...small, kernel: 'auto' }, () => {}).result;
    // a wrong guess: the chains start on tfjs-wasm, the probe picks fused, the fit restarts on it
    const restarted = await startFit(DEFAULT_MODEL_SPEC, data, { ...small, kernel: 'auto' }, () => {}, {}, { speculative: 'tfjs-wasm' }).result;
    for (const r of [guessed, restarted]) {
      expect(r.kernel).toBe('fused');
      expect(r.probes.map((p) => p.name).sort()).toEqual(['fused', 'tfjs-wasm']);
      for (let c = 0; c < 2; c++) expect(Array.from(r.tables[c].values)).toEqual(Array.from(pinned.tables[c].values));
    }
    expect(guessed.timings!.probeS).toBeGreaterThan(0);
  });

  it('cancel stops all workers within 200 ms and rejects with FitCancelled', async () => {
    const handle = startFit(DEFAULT_MODEL_SPEC, data, { ...settings, warmup: 1000, draws: 1000 }, () => {});
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    handle.cancel();
    await expect(handle.result).rejects.toBeInstanceOf(FitCancelled);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});

describe('fit worker errors', () => {
  it('a chain that cannot start rejects with a clear message instead of hanging', async () => {
    const bad = { ...data, y: data.y.map((v, i) => (i === 5 ? NaN : v)) };
    const handle = startFit(DEFAULT_MODEL_SPEC, bad, { ...settings, chains: 2 }, () => {});
    await expect(handle.result).rejects.toThrow(/finite|NaN/i);
  });
});
