import { expose } from 'comlink';
import { analyseFit } from '../src/core/analysis/analyse-fit.ts';
import { evaluateFit } from '../src/core/evaluation/fit-evaluation.ts';
import { evaluateHeldOut } from '../src/core/evaluation/holdout.ts';
import { Rng } from '../src/core/inference/rng.ts';
import type { AnalysisWorkerApi } from './api.ts';

// Thin: the logic lives in src/core/analysis and src/core/evaluation.
const api: AnalysisWorkerApi = {
  analyse: async (spec, data, fit, options, onProgress) => analyseFit(spec, data, fit, { ...options, onProgress }),
  evaluate: async (spec, data, dates, fit, seed, options) => evaluateFit(spec, data, dates, fit, new Rng(seed), options),
  evaluateHeldOut: async (spec, split, fit, seed, options) => evaluateHeldOut(spec, split, fit, new Rng(seed), options),
};
expose(api);
