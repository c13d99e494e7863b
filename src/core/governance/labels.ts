import { formatNumber } from '../format/number.ts';
import type { GovernanceConfig } from '../spec/config-governance.ts';
import type { ChangeSplit } from './attribution.ts';
import type { DataDriftReport } from './data-drift.ts';
import type { ModelDriftReport } from './model-drift.ts';
import type { ChannelSummary, RunSummary } from './run-summary.ts';

/** The three labels of section B/D, a closed list. */
export type ChannelLabelKind = 'safe' | 'review' | 'do_not_infer';

/** Display text of each label. */
export const LABEL_TEXT = { safe: 'Safe to act on', review: 'Needs review', do_not_infer: 'Do not infer' } as const satisfies Record<ChannelLabelKind, string>;

/** Identifiability signals of one channel, as computed by the analysis stage (all optional). */
export interface IdentifiabilitySignal {
  channel: string;
  /** Other channels whose spend co-moves with this one, with Pearson r. */
  correlatedWith?: { channel: string; r: number }[];
  /** Variance inflation factor of the channel's spend (>= 1). */
  vif?: number;
  /** Share of weeks with zero spend, percent. */
  zeroSpendPct?: number;
  /** Overlap of the ROI prior and posterior densities, 0..1 (1 = the data taught nothing). */
  priorPosteriorOverlap?: number;
}

/** What would settle a channel's evidence (section D). */
export interface ExperimentTrigger {
  channel: string;
  why: string;
  /** The test design and the precision it must reach. */
  test: string;
}

/** One channel's label with every reason behind it. */
export interface ChannelLabel {
  channel: string;
  label: ChannelLabelKind;
  reasons: string[];
  experiment?: ExperimentTrigger;
}

/** Thresholds of the labels (the config's governance.labels). */
export type LabelThresholds = GovernanceConfig['labels'];

/** Inputs of the labels: the run, and what is known about it. */
export interface LabelInput {
  current: RunSummary;
  identifiability?: IdentifiabilitySignal[];
  dataDrift?: DataDriftReport;
  modelDrift?: ModelDriftReport;
  attribution?: ChangeSplit[];
  /**
   * ROI at which a channel pays back: 1 when the KPI is revenue in the spend's currency; null
   * when the KPI is not money (conversions), where no break-even test applies. Default 1.
   */
  breakEvenRoi?: number | null;
  /** P(rank changed) above which a channel needs review (the config's governance.model.rank_change_prob; default 0.5). */
  rankChangeProb?: number;
}

const RANK = { safe: 0, review: 1, do_not_infer: 2 } as const satisfies Record<ChannelLabelKind, number>;
const f = (x: number, d = 3) => formatNumber(x, d);

/** 90% ROI interval width relative to |median| (Infinity for a zero median). */
export function relativeWidth(c: ChannelSummary): number {
  return (c.roi.q95 - c.roi.q05) / Math.abs(c.roi.q50);
}

/**
 * Labels each channel of the run Safe to act on / Needs review / Do not infer with its reasons
 * (interval width vs estimate, identifiability signals, drift and whether it is explained), and
 * an experiment trigger where the evidence is insufficient.
 */
export function labelChannels(input: LabelInput, th: LabelThresholds): ChannelLabel[] {
  const ident = new Map((input.identifiability ?? []).map((s) => [s.channel, s]));
  const drift = new Map((input.modelDrift?.channels ?? []).map((c) => [c.channel, c]));
  const splits = input.attribution ?? [];
  return input.current.channels.map((c) => {
    // a holder, not a let: TypeScript does not see the closure's writes and would narrow to 'safe'
    const verdict: { label: ChannelLabelKind } = { label: 'safe' };
    const reasons: string[] = [];
    const raise = (to: ChannelLabelKind, why: string) => {
      if (RANK[to] > RANK[verdict.label]) verdict.label = to;
      reasons.push(why);
    };
    let experimentWhy: string | null = null;
    let design = '';
    const rw = relativeWidth(c);
    const band = `90% ROI interval ${f(c.roi.q05)} to ${f(c.roi.q95)} around a median of ${f(c.roi.q50)}`;
    if (!(rw <= th.do_not_infer_rel_width)) {
      raise('do_not_infer', `${band}: ${Number.isFinite(rw) ? `${f(rw, 2)}x` : 'infinitely'} the estimate wide (limit ${th.do_not_infer_rel_width}x)`);
      experimentWhy = `its ROI is not pinned down (${band})`;
    } else if (rw > th.review_rel_width) raise('review', `${band}: ${f(rw, 2)}x the estimate wide (review above ${th.review_rel_width}x)`);
    const breakEven = input.breakEvenRoi === undefined ? 1 : input.breakEvenRoi;
    if (breakEven !== null && c.roi.q05 < breakEven && c.roi.q95 > breakEven) raise('review', `the 90% interval spans break-even (ROI ${f(breakEven)}): whether it pays back is uncertain`);
    const s = ident.get(c.name);
    for (const o of s?.correlatedWith ?? []) {
      if (Math.abs(o.r) > th.do_not_infer_correlation) {
        raise('do_not_infer', `spend co-moves with ${o.channel} (r = ${f(o.r, 3)} > ${th.do_not_infer_correlation}): the split between them is not identified`);
        experimentWhy = `its spend moves with ${o.channel} (r = ${f(o.r, 3)}), so the model cannot tell them apart`;
        design = `a geo test that changes ${c.name} spend while holding ${o.channel} fixed`;
      } else if (Math.abs(o.r) > th.review_correlation) raise('review', `spend co-moves with ${o.channel} (r = ${f(o.r, 3)} > ${th.review_correlation})`);
    }
    if (s?.vif !== undefined && s.vif > th.review_vif) raise('review', `variance inflation factor ${f(s.vif, 3)} > ${th.review_vif}`);
    if (s?.zeroSpendPct !== undefined && s.zeroSpendPct > 50) raise('review', `no spend in ${f(s.zeroSpendPct, 3)}% of weeks: little variation to learn from`);
    if (s?.priorPosteriorOverlap !== undefined && s.priorPosteriorOverlap > th.do_not_infer_prior_overlap) {
      raise('do_not_infer', `the ROI posterior overlaps its prior by ${f(100 * s.priorPosteriorOverlap, 3)}%: the estimate is the prior, not the data`);
      experimentWhy ??= `the data barely moved its ROI away from the prior`;
    }
    const d = drift.get(c.name);
    if (d) {
      const split = splits.find((x) => x.channel === c.name && x.quantity === 'roi');
      const moved = `ROI moved ${d.roi.deltaSd >= 0 ? '+' : ''}${f(d.roi.deltaSd, 3)} sd since the previous run`;
      if (d.roi.level === 'severe' && !split?.explained) raise('do_not_infer', `${moved}, unexplained`);
      else if (d.roi.level !== 'stable') raise('review', split?.explained ? `${moved} (${split.kind})` : moved);
      if (d.pRankChanged !== null && d.pRankChanged > (input.rankChangeProb ?? 0.5)) raise('review', `P(rank differs between the runs) ${f(d.pRankChanged, 2)}: its place in the ROI order is not settled`);
    }
    for (const b of input.dataDrift?.backfills ?? []) {
      if (b.channel === c.name) raise('review', `${b.column} restated in ${b.weeks.length} week(s) (${b.weeks[0]} to ${b.weeks[b.weeks.length - 1]})`);
    }
    for (const m of input.dataDrift?.mapping ?? []) if (m.channel === c.name) raise('review', m.detail);
    const label = verdict.label;
    if (label === 'safe') reasons.unshift(`${band}: narrow relative to the estimate, no identifiability or drift flag`);
    const out: ChannelLabel = { channel: c.name, label, reasons };
    if (label === 'do_not_infer' || (label === 'review' && experimentWhy)) {
      const halfWidth = 0.25 * Math.abs(c.roi.q50);
      out.experiment = {
        channel: c.name,
        why: experimentWhy ?? reasons[0]!,
        test: `${design || `a geo holdout (matched markets, ${c.name} paused or doubled in the test geos)`} for at least 6-8 weeks, sized so the 90% interval of incremental ROI is within +/-${f(halfWidth)} (a quarter of the current median ${f(c.roi.q50)}); feed the result back as an ROI prior`,
      };
    }
    return out;
  });
}
