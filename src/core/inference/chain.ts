import type { LogDensity } from '../kernels/kernel.ts';
import type { Rng } from './rng.ts';
import { Nuts } from './nuts.ts';
import type { MetricKind } from './metric.ts';
import { StanWarmup, type Adaptable, type Warmup } from './adaptation.ts';
import { GradientWarmup } from './gradient-warmup.ts';
import { DenseWarmup, type DenseWarmupOptions } from './dense-warmup.ts';
import { initialPoint, type InitBox } from './initial-point.ts';

/**
 * Warmup strategies: 'stan' (Stan's windows; variance or covariance by `metric`), 'gradient'
 * (nutpie-like diagonal metric from draw and gradient variances; far shorter warmup) or
 * 'gradient-dense' (gradient diagonal first, then dense covariance windows; short warmup).
 */
export type AdaptationKind = 'stan' | 'gradient' | 'gradient-dense';

type WarmupFactory = (sampler: Adaptable, config: ChainConfig) => Warmup;

/** Builds each warmup strategy from the chain's configuration. */
export const WARMUPS = {
  stan: (sampler, c) => new StanWarmup(sampler, c.warmup, { adaptDelta: c.adaptDelta ?? 0.8, metric: c.metric ?? 'diag' }),
  gradient: (sampler, c) => new GradientWarmup(sampler, c.warmup, { adaptDelta: c.adaptDelta ?? 0.8 }, c.invMetric !== undefined),
  'gradient-dense': (sampler, c) =>
    new DenseWarmup(sampler, c.warmup, { adaptDelta: c.adaptDelta ?? 0.8, ...c.denseWarmup }, c.invMetric !== undefined),
} satisfies Record<AdaptationKind, WarmupFactory>;

/** Configuration of one chain. */
export interface ChainConfig {
  /** Log density over the unconstrained space R^dim, with gradient. */
  target: LogDensity;
  /** The chain's own seeded generator (e.g. Rng.forChain(seed, chain)). */
  rng: Rng;
  /** Warmup (adaptation) iterations, >= 0; Stan's default 1000. */
  warmup: number;
  /** Sampling iterations kept, >= 0. */
  draws: number;
  /** Target acceptance statistic of step-size adaptation, in (0, 1). Default 0.8. */
  adaptDelta?: number;
  /** Maximum NUTS tree depth, >= 1. Default 10. */
  maxTreeDepth?: number;
  /** Initial unconstrained point ([dim]); default uniform(-initRadius, initRadius) per coordinate. */
  init?: ArrayLike<number>;
  /** Half-width of the random initialisation box. Default 2 (Stan). */
  initRadius?: number;
  /** Per-coordinate initialisation box (unconstrained); replaces initRadius when given. */
  initBox?: InitBox;
  /** Step size before the initial heuristic search (> 0). Default 1 (Stan). */
  stepSize?: number;
  /** Initial diagonal inverse metric ([dim], > 0). Default all ones. */
  invMetric?: ArrayLike<number>;
  /** Warmup strategy. Default 'stan'. */
  adaptation?: AdaptationKind;
  /** Metric adapted during warmup: 'diag' (default, Stan's diag_e) or 'dense' (dense_e). */
  metric?: MetricKind;
  /** Tuning of the 'gradient-dense' warmup (fractions, windows, shrinkage). */
  denseWarmup?: DenseWarmupOptions;
}

/** Where a chain stands; returned by every `step`. */
export interface ChainProgress {
  /** Iterations completed, 0..warmup + draws. */
  iteration: number;
  /** Phase of the next iteration ('sampling' once warmup is over, also when done). */
  phase: 'warmup' | 'sampling';
  /** Divergent transitions after warmup. */
  divergences: number;
  /** Divergent transitions during warmup. */
  warmupDivergences: number;
  /** True when every iteration has run. */
  done: boolean;
}

/** Per-iteration sampler statistics, one entry per iteration of a phase. */
export interface IterationStats {
  stepSize: Float64Array;
  treeDepth: Int32Array;
  nLeapfrog: Int32Array;
  /** 1 when the transition diverged, else 0. */
  divergent: Uint8Array;
  energy: Float64Array;
  acceptStat: Float64Array;
  lp: Float64Array;
}

/** Everything a chain produced. Arrays are owned by the caller (transferable). */
export interface ChainResult {
  dim: number;
  /** Sampling draws, [draws * dim] row-major, unconstrained. */
  draws: Float64Array;
  /** Log density of each draw, [draws]. */
  lp: Float64Array;
  /** Sampling-phase statistics, [draws] each. */
  stats: IterationStats;
  /** Warmup statistics, [warmup] each. */
  warmupStats: IterationStats;
  /** Step size used for sampling (> 0). */
  stepSize: number;
  /** Diagonal inverse metric used for sampling, [dim] (the dense metric's diagonal when dense). */
  invMetric: Float64Array;
  /** Dense inverse metric used for sampling, [dim * dim] row-major; only when the metric is dense. */
  invMetricDense?: Float64Array;
  /** Initial point, [dim], unconstrained. */
  init: Float64Array;
  /** Leapfrog steps over the whole run (warmup + sampling). */
  nLeapfrogTotal: number;
  /** Leapfrog steps during warmup. */
  nLeapfrogWarmup: number;
  /** Iterations completed (less than warmup + draws if the run was stopped early). */
  iterations: number;
}

/** A chain that runs in slices so a worker can report progress and honour cancel in between. */
export interface Chain {
  readonly dim: number;
  /** Runs up to k more iterations (k >= 0) and reports progress. */
  step(k: number): ChainProgress;
  /** Current progress without running anything. */
  progress(): ChainProgress;
  /** The run's output so far (complete once progress().done). */
  result(): ChainResult;
}

function iterationStats(n: number): IterationStats {
  return {
    stepSize: new Float64Array(n),
    treeDepth: new Int32Array(n),
    nLeapfrog: new Int32Array(n),
    divergent: new Uint8Array(n),
    energy: new Float64Array(n),
    acceptStat: new Float64Array(n),
    lp: new Float64Array(n),
  };
}

/**
 * Creates one NUTS chain with Stan's warmup. Initialises immediately (throws when no finite
 * starting point is found); then `step(k)` advances it.
 */
export function createChain(config: ChainConfig): Chain {
  const { target, rng, warmup, draws } = config;
  if (!(Number.isInteger(warmup) && warmup >= 0)) throw new Error(`warmup must be an integer >= 0, got ${warmup}`);
  if (!(Number.isInteger(draws) && draws >= 0)) throw new Error(`draws must be an integer >= 0, got ${draws}`);
  const dim = target.dim;
  const sampler = new Nuts(target, rng, { maxTreeDepth: config.maxTreeDepth ?? 10 });
  if (config.invMetric) sampler.setInvMetric(config.invMetric);
  const init = initialPoint(sampler, rng, config.init, config.initBox ?? config.initRadius ?? 2);
  sampler.stepSize = config.stepSize ?? 1;
  const adapter = WARMUPS[config.adaptation ?? 'stan'](sampler, config);
  sampler.findReasonableStepSize();

  const drawsOut = new Float64Array(draws * dim);
  const lpOut = new Float64Array(draws);
  const stats = iterationStats(draws);
  const warmupStats = iterationStats(warmup);
  const total = warmup + draws;
  let iteration = 0;
  let divergences = 0;
  let warmupDivergences = 0;
  let nLeapfrogTotal = 0;
  let nLeapfrogWarmup = 0;

  const progress = (): ChainProgress => ({
    iteration,
    phase: iteration < warmup ? 'warmup' : 'sampling',
    divergences,
    warmupDivergences,
    done: iteration >= total,
  });

  const record = (out: IterationStats, i: number): void => {
    const s = sampler.stats;
    out.stepSize[i] = s.stepSize;
    out.treeDepth[i] = s.treeDepth;
    out.nLeapfrog[i] = s.nLeapfrog;
    out.divergent[i] = s.divergent ? 1 : 0;
    out.energy[i] = s.energy;
    out.acceptStat[i] = s.acceptStat;
    out.lp[i] = s.lp;
  };

  const step = (k: number): ChainProgress => {
    const stop = Math.min(total, iteration + Math.max(0, Math.floor(k)));
    while (iteration < stop) {
      const s = sampler.transition();
      nLeapfrogTotal += s.nLeapfrog;
      if (iteration < warmup) {
        nLeapfrogWarmup += s.nLeapfrog;
        if (s.divergent) warmupDivergences++;
        record(warmupStats, iteration);
        adapter.afterTransition(sampler, s);
        if (iteration === warmup - 1) adapter.finish(sampler);
      } else {
        const d = iteration - warmup;
        if (s.divergent) divergences++;
        record(stats, d);
        drawsOut.set(sampler.position, d * dim);
        lpOut[d] = s.lp;
      }
      iteration++;
    }
    return progress();
  };

  return {
    dim,
    step,
    progress,
    result: () => ({
      dim,
      draws: drawsOut,
      lp: lpOut,
      stats,
      warmupStats,
      stepSize: sampler.stepSize,
      invMetric: sampler.invMetric.slice(),
      invMetricDense: sampler.metric === 'dense' ? sampler.invMetricDense.slice() : undefined,
      init,
      nLeapfrogTotal,
      nLeapfrogWarmup,
      iterations: iteration,
    }),
  };
}

/** Copies a result cut to its first `draws` sampling draws (run-until-converged stops early). */
export function truncateResult(r: ChainResult, draws: number): ChainResult {
  const cut = (s: IterationStats): IterationStats => ({
    stepSize: s.stepSize.slice(0, draws),
    treeDepth: s.treeDepth.slice(0, draws),
    nLeapfrog: s.nLeapfrog.slice(0, draws),
    divergent: s.divergent.slice(0, draws),
    energy: s.energy.slice(0, draws),
    acceptStat: s.acceptStat.slice(0, draws),
    lp: s.lp.slice(0, draws),
  });
  const stats = cut(r.stats);
  const warmup = r.warmupStats.stepSize.length;
  const sampled = stats.nLeapfrog.reduce((a, b) => a + b, 0);
  return {
    ...r,
    draws: r.draws.slice(0, draws * r.dim),
    lp: r.lp.slice(0, draws),
    stats,
    nLeapfrogTotal: r.nLeapfrogWarmup + sampled,
    iterations: Math.min(r.iterations, warmup + draws),
  };
}
