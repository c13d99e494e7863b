import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { assembleFit, type FitResult } from '../../src/core/inference/fit-result.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';
import { evaluateFit } from '../../src/core/evaluation/fit-evaluation.ts';
import { holdoutSplit } from '../../src/core/evaluation/splits.ts';
import { evaluateHeldOut } from '../../src/core/evaluation/holdout.ts';
import { healthCard } from '../../src/core/evaluation/health.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';

// The evaluation stage on a real posterior: data from the reference model with known truth,
// fitted in-process by the pipeline the workers run.
async function fit(ds: Dataset, seed: number): Promise<FitResult> {
  const data = prepareModelData(ds, DEFAULT_MODEL_SPEC);
  const settings = { ...DEFAULT_FIT_SETTINGS, chains: 4, warmup: 300, draws: 250, seed, kernel: 'fused' as const };
  const runs = await runFitJob({ spec: DEFAULT_MODEL_SPEC, data, chainIds: [0, 1, 2, 3], settings, kernel: 'fused' }, () => performance.now());
  return assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS: 1 });
}

describe('evaluation of a fitted model on synthetic data', () => {
  const { dataset } = generateSynthetic(new Rng(2024));

  it('in sample: calibrated intervals, small error, PPC p-values away from 0 and 1, reliable LOO, contraction', async () => {
    const f = await fit(dataset, 3);
    const data = prepareModelData(dataset, DEFAULT_MODEL_SPEC);
    const ev = evaluateFit(DEFAULT_MODEL_SPEC, data, dataset.dates, f, new Rng(1));
    const cov = Object.fromEntries(ev.inSample.coverage.map((c) => [c.level, c.share]));
    expect(cov[0.9]).toBeGreaterThan(0.82);
    expect(cov[0.9]).toBeLessThan(0.98);
    expect(cov[0.5]).toBeGreaterThan(0.38);
    expect(cov[0.5]).toBeLessThan(0.66);
    expect(ev.inSample.mape).toBeLessThan(0.05);
    expect(ev.inSample.r2).toBeGreaterThan(0.8);
    for (const p of ev.ppc) {
      expect(p.pValue, p.statistic).toBeGreaterThan(0.01);
      expect(p.pValue, p.statistic).toBeLessThan(0.99);
    }
    // 34 parameters, many weakly identified: p_loo well below the count, well above the noise
    expect(ev.loo.pLoo).toBeGreaterThan(5);
    expect(ev.loo.pLoo).toBeLessThan(34);
    expect(ev.loo.elpdLoo).toBeLessThan(ev.loo.lpd);
    expect(ev.loo.badK.length).toBeLessThanOrEqual(3);
    const c = Object.fromEntries(ev.contraction.map((r) => [r.name, r]));
    expect(c.sigma.contraction).toBeGreaterThan(0.95);
    expect(c['beta[tv]'].contraction).toBeGreaterThan(0.5);
    // the health card reads these numbers against the default thresholds
    const card = Object.fromEntries(
      healthCard({ fit: f, inSample: ev.inSample, loo: ev.loo, ppc: ev.ppc, dates: dataset.dates }, defaultConfig()).map((x) => [x.id, x]),
    );
    expect(card['eval.mape'].severity).toBe('info');
    expect(card['eval.coverage'].severity).toBe('info');
    expect(card['eval.ppc'].severity).toBe('info');
  }, 600_000);

  it('holdout: a fit on the first 130 weeks forecasts the last 26 within its intervals', async () => {
    const split = holdoutSplit(dataset, 26);
    const f = await fit(split.train, 4);
    const ev = evaluateHeldOut(DEFAULT_MODEL_SPEC, split, f, new Rng(2));
    const cov = Object.fromEntries(ev.outOfSample.coverage.map((c) => [c.level, c.share]));
    expect(ev.outOfSample.weeks).toBe(26);
    expect(cov[0.9]).toBeGreaterThanOrEqual(0.75);
    expect(ev.outOfSample.mape).toBeLessThan(0.08);
    expect(ev.inSample.weeks).toBe(130);
  }, 600_000);
});
