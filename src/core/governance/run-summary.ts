import type { CheckResult } from '../check/result.ts';

/*
 * The narrow, plain-object view of a fit that governance compares: per channel ROI and share
 * of contribution with their intervals. The analysis stage's output is adapted to this shape;
 * everything here is JSON-serialisable except the optional draws (typed arrays for speed).
 */

/** A scalar's posterior summary: mean, sd and the 5/25/50/75/95% quantiles, optionally its draws. */
export interface PosteriorStat {
  mean: number;
  /** Posterior standard deviation, > 0 for a real posterior (0 only for a constant). */
  sd: number;
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
  /**
   * Thinned draws (<= 1000), the same draw index across channels of one run being the same
   * posterior sample (needed for P(rank changed)).
   */
  draws?: ArrayLike<number>;
}

/** One paid channel's results. */
export interface ChannelSummary {
  /** Channel name as in the mapping's channel_map. */
  name: string;
  /** Return on investment: incremental KPI per unit of spend over the fit window (>= 0 typically). */
  roi: PosteriorStat;
  /** Share of the paid-media contribution, in [0, 1]. */
  share: PosteriorStat;
}

/** Convergence numbers of a fit (the worst over parameters). */
export interface RunDiagnostics {
  maxRhat: number;
  minEssBulk: number;
  divergences: number;
}

/** A fit as governance sees it. */
export interface RunSummary {
  runId: string;
  /** Kernel that produced the draws (e.g. `fused`, `tfjs-wasm`): bit-identical re-runs need the same one. */
  kernel: string;
  channels: ChannelSummary[];
  diagnostics?: RunDiagnostics;
  /** The fit's own checks (data contract, convergence, evaluation). */
  checks: CheckResult[];
}

/** The quantities compared per channel. */
export const CHANNEL_QUANTITIES = ['roi', 'share'] as const;
/** `roi` or `share`. */
export type ChannelQuantity = (typeof CHANNEL_QUANTITIES)[number];

/** Statistic names of a PosteriorStat, in display order. */
export const STAT_KEYS = ['mean', 'sd', 'q05', 'q25', 'q50', 'q75', 'q95'] as const;

/** Channel lookup by name. */
export function channelByName(run: RunSummary): Map<string, ChannelSummary> {
  return new Map(run.channels.map((c) => [c.name, c]));
}

/**
 * Evenly spaced draws, at most `max` of them, first and last kept.
 * @param values all draws of one quantity (chains concatenated)
 * @param max >= 1 (1000 in a run bundle)
 */
export function thinDraws(values: ArrayLike<number>, max = 1000): number[] {
  const n = values.length;
  if (n <= max) return Array.from(values);
  const out: number[] = new Array(max);
  if (max === 1) return [values[0]!];
  for (let i = 0; i < max; i++) out[i] = values[Math.round((i * (n - 1)) / (max - 1))]!;
  return out;
}
