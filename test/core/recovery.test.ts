import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { assembleFit } from '../../src/core/inference/fit-result.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';

// Parameter recovery: data generated from the reference model with known truth, fitted by the
// same pipeline the app runs in its workers (here in-process), must cover the true ROI.
describe('recovery on synthetic data with known truth', () => {
  it('90% intervals cover the true ROI of at least 5 of 6 channels, with converged chains', async () => {
    const { dataset, truth } = generateSynthetic(new Rng(2024));
    const data = prepareModelData(dataset, DEFAULT_MODEL_SPEC);
    const settings = { ...DEFAULT_FIT_SETTINGS, chains: 4, warmup: 500, draws: 500, seed: 7, kernel: 'fused' as const };
    const runs = await runFitJob({ spec: DEFAULT_MODEL_SPEC, data, chainIds: [0, 1, 2, 3], settings, kernel: 'fused' }, () => performance.now());
    const fit = assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS: 1 });
    const covered = truth.channels.map((ch, c) => {
      const row = fit.summary.find((r) => r.name === `roi[${ch}]`)!;
      return { ch, truth: truth.roi[c], q05: row.q05, q95: row.q95, ok: row.q05 <= truth.roi[c] && truth.roi[c] <= row.q95 };
    });
    expect(covered.filter((c) => c.ok).length, JSON.stringify(covered)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...fit.summary.map((r) => r.rhat))).toBeLessThan(1.05);
  }, 300_000);
});
