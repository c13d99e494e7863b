import { trainingConfigSchema, type TrainingConfig } from '../spec/config.ts';
import type { ConvergenceThresholds } from '../diagnostics/checks.ts';
import type { FitSettings, UntilConverged } from './fit-job.ts';

/**
 * The sampler settings a config's `training` section asks for: the config is the one source
 * of truth, so a YAML file reproduces a fit.
 */
export function fitSettingsFromTraining(t: TrainingConfig): FitSettings {
  return {
    chains: t.chains,
    warmup: t.warmup,
    draws: t.draws,
    seed: t.seed,
    adaptDelta: t.adapt_delta,
    maxTreeDepth: t.max_treedepth,
    kernel: t.kernel,
    adaptation: t.adaptation,
    metric: t.metric,
    ...(t.until_converged ? { untilConverged: { maxRhat: t.max_rhat, minEss: t.min_ess, blockDraws: t.block_draws } } : {}),
  };
}

/** Writes fit settings back into a training section (the settings of the fit actually run). */
export function trainingFromFitSettings(s: FitSettings, base: TrainingConfig): TrainingConfig {
  return {
    ...base,
    chains: s.chains,
    warmup: s.warmup,
    draws: s.draws,
    seed: s.seed,
    adapt_delta: s.adaptDelta,
    max_treedepth: s.maxTreeDepth,
    kernel: s.kernel,
    adaptation: s.adaptation ?? 'stan',
    metric: s.metric ?? 'diag',
    until_converged: s.untilConverged !== undefined,
    ...(s.untilConverged ? { max_rhat: s.untilConverged.maxRhat, min_ess: s.untilConverged.minEss, block_draws: s.untilConverged.blockDraws } : {}),
  };
}

/** Convergence-check thresholds from the config (max_rhat, min_ess). */
export function thresholdsFromTraining(t: TrainingConfig): Partial<ConvergenceThresholds> {
  return { maxRhat: t.max_rhat, minEss: t.min_ess };
}

/**
 * The app's default fit settings: the config's training defaults (src/core/spec/config.ts, the
 * one place they are written; measurements in bench/README.md): 4 chains, a short
 * gradient-then-dense warmup of 400 and up to 1000 draws, adapt_delta 0.9, stopping as soon as
 * the chains meet DEFAULT_UNTIL_CONVERGED.
 */
export const DEFAULT_FIT_SETTINGS: FitSettings = fitSettingsFromTraining(trainingConfigSchema.parse({}));

/** The stopping rule the app uses: R-hat <= 1.01 and bulk/tail ESS >= 400 (Vehtari et al. 2021), checked every 100 draws. */
export const DEFAULT_UNTIL_CONVERGED: UntilConverged = DEFAULT_FIT_SETTINGS.untilConverged!;
