import { analyseFit } from '../../src/core/analysis/analyse-fit.ts';
import { assembleFit } from '../../src/core/inference/fit-result.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import type { RefitRunner } from '../../src/state/refresh-refits.svelte.ts';

/**
 * The Refresh screen's refit runner in process (node has no web workers): every chain on this
 * thread through runFitJob, which the fit worker calls with the same job, so the draws are those
 * of the app's workers (chain i uses seed stream (seed, i) whichever thread runs it).
 */
export const inProcessRefitRunner: RefitRunner = {
  fit(spec, data, settings, onProgress, thresholds) {
    const result = (async () => {
      if (settings.untilConverged) throw new Error('inProcessRefitRunner: run-until-converged needs the workers\' barrier; pin the draws');
      const kernel = settings.kernel === 'auto' ? 'fused' : settings.kernel;
      const chainIds = Array.from({ length: settings.chains }, (_, i) => i);
      const runs = await runFitJob({ spec, data, chainIds, settings, kernel }, () => performance.now());
      onProgress(1);
      return assembleFit(runs, { settings, kernel, probes: [], wallS: 1 }, thresholds);
    })();
    return { result, cancel: () => {} };
  },
  analyse(spec, data, fit, options) {
    return { result: Promise.resolve().then(() => analyseFit(spec, data, fit, options)), cancel: () => {} };
  },
};
