import type { LogDensity, KernelName } from '../kernels/kernel.ts';
import type { KernelProbe } from '../kernels/probe.ts';
import { createChain, type Chain, type ChainResult } from './chain.ts';
import type { ChainStatus } from './progress.ts';
import { Rng } from './rng.ts';

/** Sampler settings of a fit (config section `training`). */
export interface FitSettings {
  /** number of chains, >= 1 */ chains: number;
  /** warmup iterations per chain */ warmup: number;
  /** post-warmup draws per chain */ draws: number;
  /** seed of the whole fit; chain i uses Rng.forChain(seed, i) */ seed: number;
  /** target acceptance of step-size adaptation, in (0, 1) */ adaptDelta: number;
  maxTreeDepth: number;
  /** a pinned kernel, or 'auto' for a measured probe at fit start */ kernel: KernelName | 'auto';
}

/** Stan's defaults: 4 chains x (1000 warmup + 1000 draws), adapt_delta 0.8, max tree depth 10. */
export const DEFAULT_FIT_SETTINGS: FitSettings = {
  chains: 4, warmup: 1000, draws: 1000, seed: 1, adaptDelta: 0.8, maxTreeDepth: 10, kernel: 'auto',
};

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
 * @param chainIds global chain indices this thread runs (e.g. [0, 2] on worker 0 of 2)
 * @param now monotonic clock in ms (passed in: core stays pure)
 * @param onStatus called about every `statusEveryMs` with every chain's status
 */
export function runChains(
  target: LogDensity,
  chainIds: readonly number[],
  settings: FitSettings,
  now: () => number,
  onStatus?: (status: ChainStatus[]) => void,
  statusEveryMs = 100,
): ChainRun[] {
  const total = settings.warmup + settings.draws;
  const chains: Chain[] = chainIds.map((id) =>
    createChain({
      target,
      rng: Rng.forChain(settings.seed, id),
      warmup: settings.warmup,
      draws: settings.draws,
      adaptDelta: settings.adaptDelta,
      maxTreeDepth: settings.maxTreeDepth,
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
  let active = chains.length;
  while (active > 0) {
    active = 0;
    for (let i = 0; i < chains.length; i++) {
      if (chains[i].progress().done) continue;
      const t0 = now();
      const p = chains[i].step(slice);
      computeMs[i] += now() - t0;
      if (!p.done) active++;
    }
    if (onStatus && now() - lastReport >= statusEveryMs) {
      lastReport = now();
      onStatus(status());
    }
  }
  onStatus?.(status());
  return chains.map((c, i) => ({ chain: chainIds[i], result: c.result(), computeS: computeMs[i] / 1000 }));
}
