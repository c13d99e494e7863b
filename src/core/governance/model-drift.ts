import type { CheckResult } from '../check/result.ts';
import { formatNumber } from '../format/number.ts';
import type { GovernanceConfig } from '../spec/config-governance.ts';
import { CHANNEL_QUANTITIES, channelByName, type ChannelQuantity, type PosteriorStat, type RunSummary } from './run-summary.ts';

/** Thresholds of the model drift report (the config's governance.model). */
export type ModelDriftThresholds = GovernanceConfig['model'];

/** How one quantity (ROI or share) of one channel moved between two runs. */
export interface QuantityDrift {
  previous: number;
  current: number;
  /** current - previous, posterior means. */
  delta: number;
  /** sqrt((sd_prev^2 + sd_cur^2) / 2). */
  pooledSd: number;
  /** delta / pooledSd (0 when both are 0). */
  deltaSd: number;
  /** P(sign of the current value differs from the previous), the runs taken as independent. */
  pSignChanged: number;
  /** 90% interval width, current / previous. */
  widthRatio90: number;
  /** 50% interval width, current / previous. */
  widthRatio50: number;
  /** stable: |deltaSd| <= swing_sd; swing: up to severe_sd; severe: beyond. */
  level: 'stable' | 'swing' | 'severe';
}

/** One channel's model drift. */
export interface ChannelDrift {
  channel: string;
  /** Name in the previous run when the channel was renamed. */
  previousName: string;
  roi: QuantityDrift;
  share: QuantityDrift;
  /** Rank by posterior mean ROI among the common channels, 1 = highest. */
  rank: { previous: number; current: number };
  /** P(rank changed) from aligned draws (1 - sum_r P_prev(r) P_cur(r)); null without draws. */
  pRankChanged: number | null;
}

/** Model drift between two runs. */
export interface ModelDriftReport {
  channels: ChannelDrift[];
  /** Pairs whose ROI order reversed: `above` was ranked above `below` before, below it now. */
  rankFlips: { above: string; below: string }[];
  added: string[];
  dropped: string[];
  checks: CheckResult[];
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function pPositive(s: PosteriorStat): number {
  if (s.draws && s.draws.length > 0) {
    let n = 0;
    for (let i = 0; i < s.draws.length; i++) if (s.draws[i]! > 0) n++;
    return n / s.draws.length;
  }
  if (!(s.sd > 0)) return s.mean > 0 ? 1 : 0;
  return normalCdf(s.mean / s.sd);
}

function quantityDrift(a: PosteriorStat, b: PosteriorStat, th: ModelDriftThresholds): QuantityDrift {
  const delta = b.mean - a.mean;
  const pooledSd = Math.sqrt((a.sd * a.sd + b.sd * b.sd) / 2);
  const deltaSd = pooledSd > 0 ? delta / pooledSd : delta === 0 ? 0 : Math.sign(delta) * Infinity;
  const pa = pPositive(a);
  const pb = pPositive(b);
  const abs = Math.abs(deltaSd);
  return {
    previous: a.mean,
    current: b.mean,
    delta,
    pooledSd,
    deltaSd,
    pSignChanged: pa * (1 - pb) + (1 - pa) * pb,
    widthRatio90: (b.q95 - b.q05) / (a.q95 - a.q05),
    widthRatio50: (b.q75 - b.q25) / (a.q75 - a.q25),
    level: abs > th.severe_sd ? 'severe' : abs > th.swing_sd ? 'swing' : 'stable',
  };
}

/** Per-channel rank distributions from aligned ROI draws: [channel][rank-1] probabilities, or null. */
function rankDistribution(stats: readonly PosteriorStat[]): number[][] | null {
  const k = stats.length;
  const n = stats[0]?.draws?.length ?? 0;
  if (k === 0 || n === 0 || stats.some((s) => s.draws?.length !== n)) return null;
  const p = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const order = Array.from({ length: k }, (_, i) => i);
  for (let d = 0; d < n; d++) {
    order.sort((x, y) => stats[y]!.draws![d]! - stats[x]!.draws![d]! || x - y);
    for (let r = 0; r < k; r++) p[order[r]!]![r]!++;
  }
  // counts first, one division: summing 1/n n times leaves rounding error in a 0 or a 1
  return p.map((row) => row.map((c) => c / n));
}

function ranks(stats: readonly PosteriorStat[]): number[] {
  const order = stats.map((_, i) => i).sort((x, y) => stats[y]!.mean - stats[x]!.mean || x - y);
  const out = new Array<number>(stats.length);
  order.forEach((c, r) => (out[c] = r + 1));
  return out;
}

/**
 * Model drift between a previous run and the refresh: per channel ROI and share deltas in
 * pooled posterior sds, P(sign changed), P(rank changed) from draws, rank flips, width ratios.
 * @param renames channel renames (from the mapping diff) to pair channels across names
 */
export function compareModels(previous: RunSummary, current: RunSummary, th: ModelDriftThresholds, renames: readonly { from: string; to: string }[] = []): ModelDriftReport {
  const prev = channelByName(previous);
  const fromOf = new Map(renames.map((r) => [r.to, r.from]));
  const common = current.channels.filter((c) => prev.has(fromOf.get(c.name) ?? c.name));
  const pairedPrev = common.map((c) => prev.get(fromOf.get(c.name) ?? c.name)!);
  const matchedPrev = new Set(pairedPrev.map((c) => c.name));
  const rPrev = ranks(pairedPrev.map((c) => c.roi));
  const rCur = ranks(common.map((c) => c.roi));
  const dPrev = rankDistribution(pairedPrev.map((c) => c.roi));
  const dCur = rankDistribution(common.map((c) => c.roi));
  const channels: ChannelDrift[] = common.map((c, i) => {
    const p = pairedPrev[i]!;
    const drift = Object.fromEntries(CHANNEL_QUANTITIES.map((q) => [q, quantityDrift(p[q], c[q], th)])) as Record<ChannelQuantity, QuantityDrift>;
    const pRank = dPrev && dCur ? 1 - dPrev[i]!.reduce((s, x, r) => s + x * dCur[i]![r]!, 0) : null;
    return { channel: c.name, previousName: p.name, ...drift, rank: { previous: rPrev[i]!, current: rCur[i]! }, pRankChanged: pRank };
  });
  const rankFlips: ModelDriftReport['rankFlips'] = [];
  for (const a of channels) for (const b of channels) if (a.rank.previous < b.rank.previous && a.rank.current > b.rank.current) rankFlips.push({ above: a.channel, below: b.channel });
  const added = current.channels.filter((c) => !common.includes(c)).map((c) => c.name);
  const dropped = previous.channels.filter((c) => !matchedPrev.has(c.name)).map((c) => c.name);
  const report: ModelDriftReport = { channels, rankFlips, added, dropped, checks: [] };
  report.checks = modelDriftChecks(report, th);
  return report;
}

const sd = (x: number) => `${x >= 0 ? '+' : ''}${formatNumber(x, 3)} sd`;

/** Model drift findings: swings (warn; severity beyond severe_sd is decided by the gates with the attribution), rank changes, interval widths. */
export function modelDriftChecks(r: Omit<ModelDriftReport, 'checks'>, th: ModelDriftThresholds): CheckResult[] {
  const moved = r.channels.flatMap((c) => CHANNEL_QUANTITIES.filter((q) => c[q].level !== 'stable').map((q) => ({ channel: c.channel, quantity: q, deltaSd: c[q].deltaSd, level: c[q].level })));
  const rankRisk = r.channels.filter((c) => c.pRankChanged !== null && c.pRankChanged > th.rank_change_prob);
  const widths = r.channels.filter((c) => c.roi.widthRatio90 > th.width_ratio || c.roi.widthRatio90 < 1 / th.width_ratio);
  return [
    {
      id: 'governance.model.swing',
      severity: moved.length ? 'warn' : 'info',
      title: moved.length ? `${moved.length} estimate${moved.length === 1 ? '' : 's'} moved by more than ${th.swing_sd} posterior sd` : `Every ROI and share within ${th.swing_sd} posterior sd of the previous run`,
      detail: moved.length ? moved.map((m) => `${m.channel} ${m.quantity} ${sd(m.deltaSd)} (${m.level})`).join('; ') : `Largest |delta|: ${formatNumber(Math.max(0, ...r.channels.flatMap((c) => CHANNEL_QUANTITIES.map((q) => Math.abs(c[q].deltaSd)))), 3)} sd.`,
      evidence: { swingSd: th.swing_sd, severeSd: th.severe_sd, moved },
    },
    {
      id: 'governance.model.rank',
      severity: r.rankFlips.length && rankRisk.length ? 'warn' : 'info',
      title: r.rankFlips.length ? `ROI order changed for ${r.rankFlips.length} pair${r.rankFlips.length === 1 ? '' : 's'}` : 'ROI order unchanged',
      detail: [
        ...r.rankFlips.map((f) => `${f.below} now above ${f.above}`),
        ...rankRisk.map((c) => `${c.channel}: P(rank changed) ${formatNumber(c.pRankChanged!, 2)}`),
      ].join('; ') || 'No pair of channels swapped places by posterior mean ROI.',
      evidence: { rankFlips: r.rankFlips, rankChangeProb: th.rank_change_prob, channels: r.channels.map((c) => ({ channel: c.channel, rank: c.rank, pRankChanged: c.pRankChanged })) },
    },
    {
      id: 'governance.model.width',
      severity: 'info',
      title: widths.length ? `ROI interval width changed beyond x${th.width_ratio} for ${widths.map((c) => c.channel).join(', ')}` : `ROI interval widths within x${th.width_ratio} of the previous run`,
      detail: r.channels.map((c) => `${c.channel}: 90% width x${formatNumber(c.roi.widthRatio90, 3)}`).join('; '),
      evidence: { widthRatio: th.width_ratio, channels: r.channels.map((c) => ({ channel: c.channel, widthRatio90: c.roi.widthRatio90, widthRatio50: c.roi.widthRatio50 })) },
    },
  ];
}
