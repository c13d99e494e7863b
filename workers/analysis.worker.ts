import { expose } from 'comlink';
import { analyseFit } from '../src/core/analysis/analyse-fit.ts';
import type { AnalysisWorkerApi } from './api.ts';

// Thin: the logic lives in src/core/analysis.
const api: AnalysisWorkerApi = {
  analyse: async (spec, data, fit, options, onProgress) => analyseFit(spec, data, fit, { ...options, onProgress }),
};
expose(api);
