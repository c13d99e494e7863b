import type { CheckResult } from '../check/result.ts';
import type { KernelName } from '../kernels/kernel.ts';
import type { KernelProbe } from '../kernels/probe.ts';
import type { DrawTable } from '../model/draws.ts';
import { columnChains, summarizeDraws, type SummaryRow } from '../diagnostics/summary.ts';
import { rhat } from '../diagnostics/rhat.ts';
import { essBulk, essTail } from '../diagnostics/ess.ts';
import { summarizeSamplerStats, type SamplerSummary } from '../diagnostics/sampler-stats.ts';
import { convergenceChecks, type ConvergenceThresholds } from '../diagnostics/checks.ts';
import type { ChainRun, FitSettings } from './fit-job.ts';

/** A finished fit: draws per chain, the summary table, sampler diagnostics and checks. */
export interface FitResult {
  settings: FitSettings;
  /** the kernel that ran the chains; 'cmdstan' for draws imported from CmdStan's CSVs (see `imported`) */ kernel: KernelName | 'cmdstan';
  probes: KernelProbe[];
  /** column names of every chain's table (constrained params, roi[..], contribution[..]) */ names: string[];
  /** per chain, ordered by chain index */ tables: DrawTable[];
  summary: SummaryRow[];
  sampler: SamplerSummary;
  checks: CheckResult[];
  /** wall seconds from start to the last chain's end */ wallS: number;
  leapfrogs: { warmup: number; sampling: number };
  /** min bulk ESS over every column per wall second */ essPerS: number;
  /** run-until-converged: draws per chain kept and seconds from start to the stopping decision */
  converged?: { met: boolean; draws: number; seconds: number };
  /** where the wall time went, seconds: kernel probe, chains (workers), summary; max per-chain compute */
  timings?: { probeS: number; chainsS: number; assembleS: number; maxChainComputeS: number };
  /** where the draws came from when they were not sampled here (src/core/export/stan-import.ts) */
  imported?: ImportedRunSource;
}

/** The origin of an imported run: CmdStan output files sampled elsewhere (e.g. on a cluster). */
export interface ImportedRunSource {
  engine: 'cmdstan';
  /** file name of each chain, in chain order */ files: string[];
  /** Stan version from the files' comments, e.g. `2.33.1` (null when absent) */ stanVersion: string | null;
  /** per chain: warmup and sampling seconds from CmdStan's timing block [chains] */ elapsed: { warmup: number; sampling: number }[];
}

/** Worst convergence numbers over columns: what the run-until-converged rule compares. */
export interface BlockConvergence {
  maxRhat: number;
  minEssBulk: number;
  minEssTail: number;
}

/**
 * Whether every column meets the stopping rule, checking columns in `order` and stopping at the
 * first that fails (R-hat first: the cheapest to fail early on). Moves a failing column to the
 * front of `order` so the next block checks it first. Same answer as blockConvergence, far cheaper
 * while the chains are not there yet.
 * @param chains per chain, row-major [n * width] values
 * @param order column indices (a permutation of 0..width-1), updated in place
 */
export function meetsRule(
  chains: readonly Float64Array[],
  width: number,
  rule: { maxRhat: number; minEss: number },
  order: number[],
): boolean {
  for (let k = 0; k < order.length; k++) {
    const col = columnChains(chains, width, order[k]);
    const r = rhat(col);
    const ok = r <= rule.maxRhat && essBulk(col) >= rule.minEss && essTail(col) >= rule.minEss;
    if (!ok) {
      order.unshift(...order.splice(k, 1));
      return false;
    }
  }
  return true;
}

/**
 * Convergence of draws so far, over every column of every chain.
 * @param chains per chain, row-major [n * width] values (all chains the same n >= 4)
 */
export function blockConvergence(names: readonly string[], chains: readonly Float64Array[]): BlockConvergence {
  const rows = summarizeDraws(names, chains, names.length);
  let maxRhat = 0;
  let minEssBulk = Infinity;
  let minEssTail = Infinity;
  for (const r of rows) {
    maxRhat = Math.max(maxRhat, Number.isNaN(r.rhat) ? Infinity : r.rhat);
    minEssBulk = Math.min(minEssBulk, Number.isNaN(r.essBulk) ? 0 : r.essBulk);
    minEssTail = Math.min(minEssTail, Number.isNaN(r.essTail) ? 0 : r.essTail);
  }
  return { maxRhat, minEssBulk, minEssTail };
}

/** Assembles the chains of all workers into one FitResult (chains ordered by index). */
export function assembleFit(
  runs: readonly (ChainRun & { table: DrawTable })[],
  meta: {
    settings: FitSettings;
    kernel: KernelName;
    probes: KernelProbe[];
    wallS: number;
    converged?: { met: boolean; draws: number; seconds: number };
  },
  thresholds: Partial<ConvergenceThresholds> = {},
): FitResult {
  const ordered = [...runs].sort((a, b) => a.chain - b.chain);
  const names = ordered[0].table.names;
  const tables = ordered.map((r) => r.table);
  const summary = summarizeDraws(
    names,
    tables.map((t) => t.values),
    names.length,
  );
  const sampler = summarizeSamplerStats(
    ordered.map((r) => r.result.stats),
    meta.settings.maxTreeDepth,
  );
  const checks = convergenceChecks({ rows: summary, sampler }, thresholds);
  let warmup = 0;
  let total = 0;
  for (const r of ordered) {
    warmup += r.result.nLeapfrogWarmup;
    total += r.result.nLeapfrogTotal;
  }
  const minEss = Math.min(...summary.map((r) => r.essBulk));
  return {
    ...meta,
    names,
    tables,
    summary,
    sampler,
    checks,
    leapfrogs: { warmup, sampling: total - warmup },
    essPerS: minEss / meta.wallS,
  };
}
