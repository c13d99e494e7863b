import type { Prior, PriorKind } from '../spec/prior.ts';
import type { CheckResult } from '../check/result.ts';
import type { ModelData } from '../model/model-data.ts';
import { column, correlation, type Estimate } from './estimate.ts';

/** Thresholds past which a channel is flagged as possibly not identified (all configurable). */
export interface IdentifiabilityThresholds {
  /** |Pearson correlation| of weekly spend with another channel at or above this flags collinearity */ spendCorrelation: number;
  /** |correlation| of ROI draws with another channel at or above this flags a trade-off between the two */ posteriorCorrelation: number;
  /** 1 - posterior var / prior var of beta below this: the data barely moved the prior */ minContraction: number;
  /** (q95 - q05) / |median| of ROI above this: the 90% interval is wider than the estimate */ maxRoiRelativeWidth: number;
  /** fewer weeks with spend than this: too few to separate the channel from noise */ minActiveWeeks: number;
  /** coefficient of variation of weekly spend below this: flat spend looks like the intercept */ minSpendCv: number;
}

/**
 * Defaults: spend |r| >= 0.8 and posterior |r| >= 0.6 are the usual collinearity rules of thumb;
 * contraction < 0.2 (Betancourt's "poorly informed"); an ROI interval wider than the ROI itself;
 * fewer than 8 weeks of spend; spend varying by less than 10% of its mean.
 */
export const DEFAULT_IDENTIFIABILITY_THRESHOLDS: IdentifiabilityThresholds = {
  spendCorrelation: 0.8,
  posteriorCorrelation: 0.6,
  minContraction: 0.2,
  maxRoiRelativeWidth: 1.0,
  minActiveWeeks: 8,
  minSpendCv: 0.1,
};

/** Why a channel may not be identified (closed set). */
export type IdentifiabilityCode =
  | 'spend-correlation'
  | 'posterior-correlation'
  | 'weak-contraction'
  | 'wide-roi-interval'
  | 'sparse-spend'
  | 'flat-spend';

/** One reason, with the number measured and the threshold it crossed. */
export interface IdentifiabilityReason {
  code: IdentifiabilityCode;
  /** one line for a marketer */ message: string;
  value: number;
  threshold: number;
  /** the other channel, for the correlation reasons */ other?: string;
}

/** The signals of one channel; NaN where a signal cannot be computed (a single channel, constant draws). */
export interface ChannelIdentifiability {
  channel: string;
  /** largest |spend correlation| with another channel (signed value) and that channel ('' when alone) */
  spendCorrelation: { value: number; with: string };
  /** largest |correlation of ROI draws| with another channel (signed value) and that channel */
  posteriorCorrelation: { value: number; with: string };
  /** 1 - posterior var / prior var of the channel's beta (1: data decide; <= 0: prior only) */ contraction: number;
  /** 1 - posterior var / prior var of the channel's ROI, prior var from draws of the priors (NaN without them) */ roiContraction: number;
  /** (q95 - q05) / |median| of ROI */ roiRelativeWidth: number;
  /** weeks with spend > 0 */ activeWeeks: number;
  /** sd / mean of weekly spend */ spendCv: number;
  reasons: IdentifiabilityReason[];
}

/** Variance of each prior family (halfNormal: sigma^2 (1 - 2/pi)). */
export const PRIOR_VARIANCE = {
  normal: (p: Extract<Prior, { kind: 'normal' }>) => p.sigma ** 2,
  halfNormal: (p: Extract<Prior, { kind: 'halfNormal' }>) => p.sigma ** 2 * (1 - 2 / Math.PI),
  logNormal: (p: Extract<Prior, { kind: 'logNormal' }>) => Math.expm1(p.sigma ** 2) * Math.exp(2 * p.mu + p.sigma ** 2),
  beta: (p: Extract<Prior, { kind: 'beta' }>) => (p.a * p.b) / ((p.a + p.b) ** 2 * (p.a + p.b + 1)),
} satisfies { [K in PriorKind]: (p: Extract<Prior, { kind: K }>) => number };

/** Variance of a prior distribution. */
export function priorVariance(p: Prior): number {
  return PRIOR_VARIANCE[p.kind](p as never);
}

/** Sample variance (n - 1) of values; 0 for one value. */
function variance(v: Float64Array): number {
  const n = v.length;
  if (n < 2) return 0;
  let m = 0;
  for (const x of v) m += x;
  m /= n;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return s / (n - 1);
}

/** Per channel: the other channel with the largest |r| (NaN correlations skipped). */
function strongestPartner(series: Float64Array[], names: readonly string[], c: number): { value: number; with: string } {
  let best = { value: NaN, with: '' };
  series.forEach((s, o) => {
    if (o === c) return;
    const r = correlation(series[c], s);
    if (Number.isNaN(r)) return;
    if (Number.isNaN(best.value) || Math.abs(r) > Math.abs(best.value)) best = { value: r, with: names[o] };
  });
  return best;
}

/**
 * Identifiability signals and reasons for every channel.
 * @param betaDraws [nDraws * C] draws of beta (model units)
 * @param roiDraws [nDraws * C] draws of ROI
 * @param roi ROI estimate per channel [C]
 * @param betaPrior the prior of beta
 * @param priorRoi [nPriorDraws * C] ROI under the priors alone (priorRoiDraws), for roiContraction
 */
export function identifiability(
  data: ModelData,
  betaDraws: Float64Array,
  roiDraws: Float64Array,
  roi: readonly Estimate[],
  betaPrior: Prior,
  thresholds: IdentifiabilityThresholds = DEFAULT_IDENTIFIABILITY_THRESHOLDS,
  priorRoi?: Float64Array,
): ChannelIdentifiability[] {
  const { N, C, channels } = data;
  const spend = Array.from({ length: C }, (_, c) => column(data.X, C, c));
  const roiCols = Array.from({ length: C }, (_, c) => column(roiDraws, C, c));
  const priorVar = priorVariance(betaPrior);
  const th = thresholds;
  return channels.map((channel, c) => {
    const spendCorrelation = strongestPartner(spend, channels, c);
    const posteriorCorrelation = strongestPartner(roiCols, channels, c);
    const contraction = 1 - variance(column(betaDraws, C, c)) / priorVar;
    const roiContraction = priorRoi ? 1 - variance(roiCols[c]) / variance(column(priorRoi, C, c)) : NaN;
    const r = roi[c];
    const roiRelativeWidth = (r.q95 - r.q05) / Math.abs(r.median);
    let activeWeeks = 0;
    for (const u of spend[c]) if (u > 0) activeWeeks++;
    // X is spend / mean spend, so its sd is the coefficient of variation
    const spendCv = Math.sqrt(variance(spend[c]));
    const reasons: IdentifiabilityReason[] = [];
    const pct = (v: number) => `${Math.round(v * 100)}%`;
    if (Math.abs(spendCorrelation.value) >= th.spendCorrelation) {
      reasons.push({
        code: 'spend-correlation',
        message: `Spend moves with ${spendCorrelation.with} (correlation ${spendCorrelation.value.toFixed(2)}): the model cannot tell their effects apart well.`,
        value: spendCorrelation.value,
        threshold: th.spendCorrelation,
        other: spendCorrelation.with,
      });
    }
    if (Math.abs(posteriorCorrelation.value) >= th.posteriorCorrelation) {
      reasons.push({
        code: 'posterior-correlation',
        message: `Its ROI trades off against ${posteriorCorrelation.with}'s (posterior correlation ${posteriorCorrelation.value.toFixed(2)}): the data pin down their sum better than each.`,
        value: posteriorCorrelation.value,
        threshold: th.posteriorCorrelation,
        other: posteriorCorrelation.with,
      });
    }
    if (!(contraction >= th.minContraction)) {
      reasons.push({
        code: 'weak-contraction',
        message: `The data narrowed the prior of its effect by only ${pct(Math.max(0, contraction))} (variance): the estimate mostly restates the prior.`,
        value: contraction,
        threshold: th.minContraction,
      });
    }
    if (!(roiRelativeWidth <= th.maxRoiRelativeWidth)) {
      reasons.push({
        code: 'wide-roi-interval',
        message: `Its 90% ROI interval is ${roiRelativeWidth.toFixed(1)}x as wide as the median ROI.`,
        value: roiRelativeWidth,
        threshold: th.maxRoiRelativeWidth,
      });
    }
    if (activeWeeks < th.minActiveWeeks) {
      reasons.push({
        code: 'sparse-spend',
        message: `It has spend in only ${activeWeeks} of ${N} weeks.`,
        value: activeWeeks,
        threshold: th.minActiveWeeks,
      });
    }
    if (spendCv < th.minSpendCv) {
      reasons.push({
        code: 'flat-spend',
        message: `Its weekly spend hardly varies (coefficient of variation ${spendCv.toFixed(2)}): its effect blends into the baseline.`,
        value: spendCv,
        threshold: th.minSpendCv,
      });
    }
    return { channel, spendCorrelation, posteriorCorrelation, contraction, roiContraction, roiRelativeWidth, activeWeeks, spendCv, reasons };
  });
}

/**
 * One CheckResult per channel for the health card and the governance labels: `warn` with the
 * reasons when there are any, `info` otherwise. Ids are `analysis.identifiability.<channel>`.
 */
export function identifiabilityChecks(signals: readonly ChannelIdentifiability[]): CheckResult[] {
  return signals.map((s) => {
    const evidence = {
      channel: s.channel,
      spendCorrelation: s.spendCorrelation,
      posteriorCorrelation: s.posteriorCorrelation,
      contraction: s.contraction,
      roiContraction: s.roiContraction,
      roiRelativeWidth: s.roiRelativeWidth,
      activeWeeks: s.activeWeeks,
      spendCv: s.spendCv,
      reasons: s.reasons.map((r) => r.code),
    };
    const id = `analysis.identifiability.${s.channel}`;
    if (s.reasons.length === 0) {
      return { id, severity: 'info', title: `${s.channel}: no sign of a weakly identified effect`, detail: 'All identifiability signals are within their thresholds.', evidence };
    }
    return {
      id,
      severity: 'warn',
      title: `${s.channel}: the data may not pin down its effect`,
      detail: s.reasons.map((r) => r.message).join(' '),
      evidence,
      fix: 'Read its ROI with its interval; vary its spend independently of other channels, or set an informative prior from an experiment.',
    };
  });
}
