import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { parseConfig } from '../../src/core/spec/config-yaml.ts';
import { STAN_FIT_SETTINGS } from '../../src/core/inference/fit-job.ts';
import { DEFAULT_FIT_SETTINGS, fitSettingsFromTraining, trainingFromFitSettings, thresholdsFromTraining } from '../../src/core/inference/fit-settings.ts';

describe('fit settings from the config', () => {
  it('the default config asks for exactly the app default fit settings', () => {
    expect(fitSettingsFromTraining(defaultConfig().training)).toEqual(DEFAULT_FIT_SETTINGS);
    // the measured app defaults, written out (bench/results/fit-app.json)
    expect(DEFAULT_FIT_SETTINGS).toEqual({
      chains: 4, warmup: 400, draws: 1000, seed: 1, adaptDelta: 0.9, maxTreeDepth: 10, kernel: 'auto',
      adaptation: 'gradient-dense', metric: 'dense', untilConverged: { maxRhat: 1.01, minEss: 400, blockDraws: 100 },
    });
  });
  it("Stan's settings round-trip through the training section", () => {
    const t = trainingFromFitSettings(STAN_FIT_SETTINGS, defaultConfig().training);
    expect(t).toMatchObject({ warmup: 1000, adapt_delta: 0.8, adaptation: 'stan', metric: 'diag', until_converged: false });
    expect(fitSettingsFromTraining(t)).toEqual(STAN_FIT_SETTINGS);
  });
  it('convergence thresholds come from max_rhat and min_ess', () => {
    const r = parseConfig({ training: { max_rhat: 1.05, min_ess: 200 } });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(thresholdsFromTraining(r.value.training)).toEqual({ maxRhat: 1.05, minEss: 200 });
    expect(fitSettingsFromTraining(r.value.training).untilConverged).toEqual({ maxRhat: 1.05, minEss: 200, blockDraws: 100 });
  });
  it('an invalid training value is named by its key path', () => {
    const r = parseConfig({ training: { metric: 'full' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain('training.metric');
  });
});
