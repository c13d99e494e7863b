import type { LogDensity, KernelName } from '../kernels/kernel.ts';
import type { KernelProbe } from '../kernels/probe.ts';
import { createChain, truncateResult, type AdaptationKind, type Chain, type ChainResult } from './chain.ts';
import type { MetricKind } from './metric.ts';
import type { ChainStatus } from './progress.ts';
import { Rng } from './rng.ts';
import type { InitBox } from './initial-point.ts';

/** Sampler settings of a fit (config section `training`). */
export interface FitSettings {
  /** number of chains, >= 1 */ chains: number;
  /** warmup iterations per chain */ warmup: number;
  /** post-warmup draws per chain */ draws: number;
  /** seed of the whole fit; chain i uses Rng.forChain(seed, i) */ seed: number;
  /** target acceptance of step-size adaptation, in (0, 1) */ adaptDelta: number;
  maxTreeDepth: number;
  /** a pinned kernel, or 'auto' for a measured probe at fit start */ kernel: KernelName | 'auto';
  /** warmup strategy; default 'stan' (Stan's windows) */ adaptation?: AdaptationKind;
  /** metric adapted in warmup; default 'diag' */ metric?: MetricKind;
  /**
   * per-coordinate uniform initialisation box on the unconstrained scale; default (-2, 2) in
   * every coordinate (Stan). runFitJob fills it from the model family (modelInitBox) when absent.
   */
  initBox?: InitBox;
  /**
   * Run until converged: sample in blocks of `blockDraws` after warmup and stop once every
   * column has R-hat <= maxRhat and bulk and tail ESS >= minEss over all chains; `draws` is then the cap.
   */
  untilConverged?: UntilConverged;
}

/** Stopping rule of the run-until-converged mode. */
export interface UntilConverged {
  /** largest acceptable rank-normalised split R-hat, e.g. 1.01 */ maxRhat: number;
  /** smallest acceptable bulk and tail ESS over all chains, e.g. 400 */ minEss: number;
  /** draws per chain between checks, >= 1 */ blockDraws: number;
}

/** One block of draws a worker hands over in run-until-converged mode. */
export interface DrawBlock {
  /** 0-based block index (the same on every worker) */ block: number;
  /** draws per chain so far, after this block */ drawsSoFar: number;
  /** per chain of this thread: global index and the block's unconstrained draws [n * dim] */
  chains: { chain: number; draws: Float64Array }[];
}

/** Stan's settings exactly: 4 chains x (1000 warmup + 1000 draws), Stan's windows, diagonal metric, adapt_delta 0.8, max tree depth 10. */
export const STAN_FIT_SETTINGS: FitSettings = {
  chains: 4, warmup: 1000, draws: 1000, seed: 1, adaptDelta: 0.8, maxTreeDepth: 10, kernel: 'auto',
  adaptation: 'stan', metric: 'diag',
};

// The app's default settings (DEFAULT_FIT_SETTINGS) are the config's training defaults:
// src/core/inference/fit-settings.ts derives them from src/core/spec/config.ts.

/** One finished chain: the sampler's output plus the compute time it took. */
export interface ChainRun {
  chain: number;
  result: ChainResult;
  /** seconds of this chain's own compute */ computeS: number;
}

/** What one worker (or a direct in-process run) returns. */
export interface FitJobResult {
  kernel: KernelName;
  probes: KernelProbe[];
  runs: ChainRun[];
}

/**
 * Runs several chains on one thread, interleaved in short slices so every chain reports
 * progress and the thread can be reasoned about (ETA, cancel by terminating the worker).
 * Same seed and chain ids give bit-identical draws whichever thread runs them.
 * With `settings.untilConverged`, after warmup the chains advance block by block and
 * `onBlock` (awaited; true = stop) sees each block's draws; the runs are then cut at that block.
 * @param chainIds global chain indices this thread runs (e.g. [0, 2] on worker 0 of 2)
 * @param now monotonic clock in ms (passed in: core stays pure)
 * @param onStatus called about every `statusEveryMs` with every chain's status
 */
export async function runChains(
  target: LogDensity,
  chainIds: readonly number[],
  settings: FitSettings,
  now: () => number,
  onStatus?: (status: ChainStatus[]) => void,
  onBlock?: (block: DrawBlock) => Promise<boolean> | boolean,
  statusEveryMs = 100,
): Promise<ChainRun[]> {
  const total = settings.warmup + settings.draws;
  const dim = target.dim;
  const chains: Chain[] = chainIds.map((id) =>
    createChain({
      target,
      rng: Rng.forChain(settings.seed, id),
      warmup: settings.warmup,
      draws: settings.draws,
      adaptDelta: settings.adaptDelta,
      maxTreeDepth: settings.maxTreeDepth,
      adaptation: settings.adaptation ?? 'stan',
      metric: settings.metric ?? 'diag',
      initBox: settings.initBox,
    }),
  );
  const computeMs = chainIds.map(() => 0);
  const status = (): ChainStatus[] =>
    chains.map((c, i) => {
      const p = c.progress();
      const r = p.iteration > 0 ? c.result() : undefined;
      return {
        chain: chainIds[i],
        iteration: p.iteration,
        total,
        phase: p.done ? 'done' : p.iteration === 0 ? 'init' : p.phase,
        divergences: p.divergences,
        itersPerS: computeMs[i] > 0 ? (p.iteration * 1000) / computeMs[i] : 0,
        leapfrogs: r ? r.nLeapfrogTotal : 0,
      };
    });
  let lastReport = now();
  // Slices of a few iterations keep the status fresh without measurable overhead.
  const slice = 5;
  const runTo = (stop: number): void => {
    let active = chains.length;
    while (active > 0) {
      active = 0;
      for (let i = 0; i < chains.length; i++) {
        const left = stop - chains[i].progress().iteration;
        if (left <= 0) continue;
        const t0 = now();
        chains[i].step(Math.min(slice, left));
        computeMs[i] += now() - t0;
        if (left > slice) active++;
      }
      if (onStatus && now() - lastReport >= statusEveryMs) {
        lastReport = now();
        onStatus(status());
      }
    }
  };
  const rule = settings.untilConverged;
  let kept = settings.draws;
  if (rule && onBlock) {
    const every = Math.max(1, Math.floor(rule.blockDraws));
    runTo(settings.warmup);
    let done = 0;
    for (let b = 0; done < settings.draws; b++) {
      const next = Math.min(settings.draws, done + every);
      runTo(settings.warmup + next);
      const block: DrawBlock = {
        block: b,
        drawsSoFar: next,
        chains: chains.map((c, i) => ({ chain: chainIds[i], draws: c.result().draws.slice(done * dim, next * dim) })),
      };
      done = next;
      if (await onBlock(block)) break;
    }
    kept = done;
  } else {
    runTo(total);
  }
  onStatus?.(status());
  return chains.map((c, i) => ({
    chain: chainIds[i],
    result: kept < settings.draws ? truncateResult(c.result(), kept) : c.result(),
    computeS: computeMs[i] / 1000,
  }));
}
