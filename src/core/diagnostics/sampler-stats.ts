/**
 * HMC-specific diagnostics from per-iteration sampler statistics: divergences, tree-depth
 * saturation and E-BFMI, as rstan's check_divergences / check_treedepth / check_energy.
 */

/**
 * The per-iteration statistics of one chain that these diagnostics read (post-warmup only);
 * inference's `IterationStats` satisfies it.
 */
export interface ChainSamplerStats {
  /** [iterations], 1 when the transition diverged, else 0. */
  divergent: ArrayLike<number>;
  /** [iterations], tree depth reached (integer >= 0). */
  treeDepth: ArrayLike<number>;
  /** [iterations], Hamiltonian at the selected point (nats). */
  energy: ArrayLike<number>;
}

/** A count over all chains, with the per-chain split. */
export interface ChainCounts {
  /** Events over all chains. */
  count: number;
  /** Iterations over all chains. */
  total: number;
  /** Events per chain, [chains]. */
  perChain: number[];
}

function countWhere(stats: readonly ChainSamplerStats[], pick: (s: ChainSamplerStats) => ArrayLike<number>, hit: (v: number) => boolean): ChainCounts {
  const perChain = stats.map((s) => {
    const xs = pick(s);
    let k = 0;
    for (let i = 0; i < xs.length; i++) if (hit(xs[i]!)) k++;
    return k;
  });
  const total = stats.reduce((acc, s) => acc + pick(s).length, 0);
  return { count: perChain.reduce((a, b) => a + b, 0), total, perChain };
}

/** Divergent transitions after warmup. */
export function countDivergences(stats: readonly ChainSamplerStats[]): ChainCounts {
  return countWhere(stats, (s) => s.divergent, (v) => v !== 0);
}

/**
 * Transitions that stopped at the tree-depth limit (treeDepth >= maxTreeDepth: the trajectory
 * was cut short, not a U-turn).
 * @param maxTreeDepth the sampler's limit (Stan's default 10)
 */
export function countTreeDepthHits(stats: readonly ChainSamplerStats[], maxTreeDepth: number): ChainCounts {
  return countWhere(stats, (s) => s.treeDepth, (v) => v >= maxTreeDepth);
}

/**
 * Energy Bayesian fraction of missing information of one chain, as rstan's check_energy:
 * (sum_i (E_i - E_{i-1})^2 / n) / var(E), var with the n - 1 denominator.
 * Low values (< 0.3) mean momentum resampling barely moves the energy level: heavy tails or
 * funnels that the sampler explores slowly.
 * @param energy [iterations], n >= 2
 * @returns >= 0; NaN for n < 2 or constant energy
 */
export function ebfmi(energy: ArrayLike<number>): number {
  const n = energy.length;
  if (n < 2) return NaN;
  let sumSq = 0;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += energy[i]!;
  mu /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = energy[i]! - mu;
    ss += d * d;
    if (i > 0) {
      const diff = energy[i]! - energy[i - 1]!;
      sumSq += diff * diff;
    }
  }
  const variance = ss / (n - 1);
  return variance > 0 ? sumSq / n / variance : NaN;
}

/** Sampler diagnostics of a whole fit. */
export interface SamplerSummary {
  divergences: ChainCounts;
  treeDepthHits: ChainCounts;
  /** Tree-depth limit the hits were counted against. */
  maxTreeDepth: number;
  /** E-BFMI per chain, [chains]. */
  ebfmi: number[];
}

/**
 * Divergences, tree-depth hits and E-BFMI of all chains.
 * @param stats one entry per chain, post-warmup iterations only
 * @param maxTreeDepth the sampler's limit (>= 1)
 */
export function summarizeSamplerStats(stats: readonly ChainSamplerStats[], maxTreeDepth: number): SamplerSummary {
  return {
    divergences: countDivergences(stats),
    treeDepthHits: countTreeDepthHits(stats, maxTreeDepth),
    maxTreeDepth,
    ebfmi: stats.map((s) => ebfmi(s.energy)),
  };
}
