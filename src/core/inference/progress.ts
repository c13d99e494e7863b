/** What one chain reports while it runs (streamed from its worker). */
export interface ChainStatus {
  chain: number;
  /** iterations done, warmup included */ iteration: number;
  /** warmup + draws */ total: number;
  phase: 'init' | 'warmup' | 'sampling' | 'done';
  /** divergent transitions so far (sampling phase) */ divergences: number;
  /** iterations per second of this chain's own compute time (not wall time shared with other chains) */ itersPerS: number;
  /** leapfrog steps so far */ leapfrogs: number;
}

/** The whole fit at a glance for the progress bar. */
export interface FitProgress {
  chains: ChainStatus[];
  /** 0..1 over all chains */ fraction: number;
  /** seconds left, or null before any speed is known */ etaS: number | null;
  divergences: number;
}

/**
 * Aggregates per-chain progress into an overall fraction and ETA. Chains share
 * `workers` threads, so the ETA is the remaining work of the slowest thread.
 * @param workers number of worker threads the chains are spread over (round-robin)
 */
export function summarizeProgress(chains: readonly ChainStatus[], workers: number): FitProgress {
  const total = chains.reduce((s, c) => s + c.total, 0);
  const done = chains.reduce((s, c) => s + c.iteration, 0);
  let etaS: number | null = 0;
  for (let w = 0; w < workers; w++) {
    let left = 0;
    for (let i = w; i < chains.length; i += workers) {
      const c = chains[i];
      const rest = c.total - c.iteration;
      if (rest <= 0) continue;
      if (!(c.itersPerS > 0)) {
        etaS = null;
        break;
      }
      left += rest / c.itersPerS;
    }
    if (etaS === null) break;
    etaS = Math.max(etaS, left);
  }
  return {
    chains: [...chains],
    fraction: total > 0 ? done / total : 0,
    etaS,
    divergences: chains.reduce((s, c) => s + c.divergences, 0),
  };
}
