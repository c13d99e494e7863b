import { expose } from 'comlink';
import { analyseFit } from '../src/core/analysis/analyse-fit.ts';
import { analyseGeoFit } from '../src/core/analysis/geo-analysis.ts';
import { evaluateFit } from '../src/core/evaluation/fit-evaluation.ts';
import { evaluateHeldOut } from '../src/core/evaluation/holdout.ts';
import { Rng } from '../src/core/inference/rng.ts';
import { importCmdStanRun } from '../src/core/export/stan-import.ts';
import type { AnalysisWorkerApi } from './api.ts';

// Thin: the logic lives in src/core/analysis and src/core/evaluation.
const api: AnalysisWorkerApi = {
  analyse: async (spec, data, fit, options, onProgress) => analyseFit(spec, data, fit, { ...options, onProgress }),
  evaluate: async (spec, data, dates, fit, seed, options) => evaluateFit(spec, data, dates, fit, new Rng(seed), options),
  analyseGeo: async (spec, data, fit, options, onProgress) => analyseGeoFit(spec, data, fit, { ...options, onProgress }),
  evaluateHeldOut: async (spec, split, fit, seed, options) => evaluateHeldOut(spec, split, fit, new Rng(seed), options),
  importCmdStan: async (files, spec, data, thresholds) => importCmdStanRun(files, spec, data, thresholds),
};
expose(api);
