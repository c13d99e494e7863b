import type { CheckResult } from '../check/result.ts';
import type { FitAnalysis } from '../analysis/analyse-fit.ts';
import type { Estimate } from '../analysis/estimate.ts';
import type { Dataset } from '../model/dataset.ts';
import type { WeeklyTable } from './canonical.ts';
import type { IdentifiabilitySignal } from './labels.ts';
import type { MappingSnapshot } from './mapping-diff.ts';
import { thinDraws, type PosteriorStat, type RunDiagnostics, type RunSummary } from './run-summary.ts';

/*
 * Adapters from the analysis stage (analyseFit) and the cleaned Dataset to the plain shapes
 * governance compares. The draw index is kept aligned across channels (draw d of every channel is
 * the same posterior sample), which P(rank changed) relies on.
 */

/** An analysis Estimate as a governance PosteriorStat (median -> q50), with optional draws. */
export function statFromEstimate(e: Estimate, draws?: ArrayLike<number>): PosteriorStat {
  return { mean: e.mean, sd: e.sd, q05: e.q05, q25: e.q25, q50: e.median, q75: e.q75, q95: e.q95, ...(draws ? { draws } : {}) };
}

/**
 * Per channel ROI and share-of-media-contribution draws from the analysis' row-major draws.
 * Share in draw d is contribution[d, c] / sum over channels of contribution[d, :], the definition
 * of ChannelAnalysis.mediaShare.
 * @returns per channel { roi [nDraws], share [nDraws] }, thinned evenly to at most `max` each
 */
export function channelDraws(analysis: Pick<FitAnalysis, 'channels' | 'draws'>, max = 1000): { roi: number[]; share: number[] }[] {
  const C = analysis.channels.length;
  const { roi, contribution } = analysis.draws;
  const D = C === 0 ? 0 : Math.floor(roi.length / C);
  if (contribution.length !== D * C) throw new Error(`channelDraws: ${contribution.length} contribution draws for ${D} draws of ${C} channels`);
  const totals = new Float64Array(D);
  for (let d = 0; d < D; d++) for (let c = 0; c < C; c++) totals[d] += contribution[d * C + c]!;
  return analysis.channels.map((_, c) => {
    const r = new Float64Array(D);
    const s = new Float64Array(D);
    for (let d = 0; d < D; d++) {
      r[d] = roi[d * C + c]!;
      s[d] = contribution[d * C + c]! / totals[d]!;
    }
    return { roi: thinDraws(r, max), share: thinDraws(s, max) };
  });
}

/** What a run summary needs besides the analysis. */
export interface RunSummaryMeta {
  runId: string;
  /** Kernel that ran the chains (fused, tfjs-wasm...). */
  kernel: string;
  diagnostics?: RunDiagnostics;
  /** The fit's checks (convergence) and the data checks it ran on. */
  checks: CheckResult[];
}

/**
 * The run summary governance compares, from analyseFit's output: per channel ROI and media
 * share with their intervals and thinned draws (<= max per quantity).
 */
export function runSummaryFromAnalysis(analysis: Pick<FitAnalysis, 'channels' | 'draws'>, meta: RunSummaryMeta, max = 1000): RunSummary {
  const draws = channelDraws(analysis, max);
  return {
    runId: meta.runId,
    kernel: meta.kernel,
    channels: analysis.channels.map((ch, c) => ({ name: ch.name, roi: statFromEstimate(ch.roi, draws[c]!.roi), share: statFromEstimate(ch.mediaShare, draws[c]!.share) })),
    ...(meta.diagnostics ? { diagnostics: meta.diagnostics } : {}),
    checks: meta.checks,
  };
}

/**
 * Identifiability signals for the labels from the analysis' per channel signals.
 * correlatedWith: the strongest spend correlation (when finite); zeroSpendPct: 100 * (1 -
 * activeWeeks / weeks); priorPosteriorOverlap: 1 - ROI contraction (beta contraction when the
 * ROI one was not computed), clamped to [0, 1]: a proxy for the overlap of prior and posterior
 * (1 = the data taught nothing), exact for equal-shaped prior and posterior. VIF is not computed
 * by the analysis and is left out.
 */
export function identifiabilityFromAnalysis(analysis: Pick<FitAnalysis, 'channels' | 'weeks'>): IdentifiabilitySignal[] {
  return analysis.channels.map((ch) => {
    const id = ch.identifiability;
    const sig: IdentifiabilitySignal = { channel: ch.name };
    if (Number.isFinite(id.spendCorrelation.value) && id.spendCorrelation.with) sig.correlatedWith = [{ channel: id.spendCorrelation.with, r: id.spendCorrelation.value }];
    if (analysis.weeks > 0) sig.zeroSpendPct = (100 * (analysis.weeks - id.activeWeeks)) / analysis.weeks;
    const contraction = Number.isFinite(id.roiContraction) ? id.roiContraction : id.contraction;
    if (Number.isFinite(contraction)) sig.priorPosteriorOverlap = Math.min(1, Math.max(0, 1 - contraction));
    return sig;
  });
}

/**
 * The column roles governance diffs, from a MappingConfig-like object (extra fields ignored).
 * @param table when given, exposure columns it does not hold are left out: the cleaned Dataset
 *   (and so the run's table) carries spend only, and a mapped column absent from the table would
 *   read as a broken data contract
 */
export function mappingSnapshot(
  m: { date_col: string; kpi_col: string; channel_map: Record<string, { spend: string; exposure?: string | null }>; controls: readonly string[] },
  table?: { columns: Record<string, unknown> },
): MappingSnapshot {
  const channel_map: MappingSnapshot['channel_map'] = {};
  for (const [ch, c] of Object.entries(m.channel_map)) {
    const keep = c.exposure && (!table || c.exposure in table.columns);
    channel_map[ch] = { spend: c.spend, ...(keep ? { exposure: c.exposure! } : {}) };
  }
  return { date_col: m.date_col, kpi_col: m.kpi_col, channel_map, controls: [...m.controls] };
}

/**
 * The cleaned Dataset as a WeeklyTable named by source columns (KPI column, each channel's
 * spend column, controls), so drift names the columns of the user's file.
 * @throws when a channel of the dataset has no spend column in the mapping
 */
export function weeklyTableFromDataset(ds: Dataset, mapping: MappingSnapshot): WeeklyTable {
  const columns: Record<string, Float64Array> = { [mapping.kpi_col]: Float64Array.from(ds.target.values) };
  for (const ch of ds.channels) {
    const col = mapping.channel_map[ch.name]?.spend;
    if (!col) throw new Error(`weeklyTableFromDataset: channel ${ch.name} has no spend column in the mapping`);
    columns[col] = Float64Array.from(ch.spend);
  }
  for (const c of ds.controls) columns[c.name] = Float64Array.from(c.values);
  return { dates: [...ds.dates], columns };
}

/** A WeeklyTable as plain JSON (NaN as null), for storage. */
export interface StoredTable {
  dates: string[];
  columns: Record<string, (number | null)[]>;
}

/** WeeklyTable -> StoredTable (NaN written as null). */
export function tableToStored(t: WeeklyTable): StoredTable {
  const columns: StoredTable['columns'] = {};
  for (const [k, v] of Object.entries(t.columns)) columns[k] = Array.from(v, (x) => (Number.isNaN(x) ? null : x));
  return { dates: [...t.dates], columns };
}

/** StoredTable -> WeeklyTable (null read as NaN). */
export function tableFromStored(t: StoredTable): WeeklyTable {
  const columns: WeeklyTable['columns'] = {};
  for (const [k, v] of Object.entries(t.columns)) columns[k] = Float64Array.from(v, (x) => (x === null ? NaN : x));
  return { dates: [...t.dates], columns };
}
