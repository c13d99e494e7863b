import type { FitAnalysis } from '../analysis/analyse-fit.ts';
import type { Estimate } from '../analysis/estimate.ts';
import { ROI_UNIT_LABELS } from '../analysis/roi.ts';
import { worstSeverity, SEVERITY_RANK, type CheckResult, type Severity } from '../check/result.ts';
import type { FitEvaluation } from '../evaluation/fit-evaluation.ts';
import type { PlanResult } from '../optimizer/plan.ts';
import type { RefreshReview } from '../governance/refresh-review.ts';
import type { ChannelLabelKind } from '../governance/labels.ts';
import { formatNumber } from '../format/number.ts';

/** Version of the report model's JSON shape; a viewer refuses a bundle of a newer one. */
export const REPORT_MODEL_VERSION = 1;

/** A posterior quantity as the report prints it: mean, median, 50% and 90% intervals. */
export interface ReportEstimate {
  mean: number;
  median: number;
  /** 90% interval */ q05: number;
  q95: number;
  /** 50% interval */ q25: number;
  q75: number;
}

/** One paid channel's row of the results table. */
export interface ReportChannel {
  name: string;
  /** total spend over the sample, currency */ spend: number;
  /** total contribution over the sample, KPI units */ contribution: ReportEstimate;
  /** share of all media contribution, fraction */ mediaShare: ReportEstimate;
  /** ROI in the report's roiUnit */ roi: ReportEstimate;
  /** marginal ROI in the report's roiUnit */ mroi: ReportEstimate;
  /** identifiability reasons (empty: the data pin the channel down) */ flags: string[];
  /** governance label when a refresh review was given */ label?: ChannelLabelKind;
}

/** Per-week series of the fit chart: row-level data, left out of a share bundle unless opted in. */
export interface ReportSeries {
  /** [N] ISO dates or `week k` */ weeks: string[];
  /** observed KPI [N] */ observed: number[];
  /** fitted mean and 90% band [N] each */ fitted: { mean: number[]; q05: number[]; q95: number[] };
}

/** One row of the plan table. */
export interface ReportPlanRow {
  channel: string;
  /** horizon spend, currency */ current: number;
  recommended: number;
  /** value of the change, metric units */ delta: ReportEstimate;
}

/** The report of one run: plain JSON (no typed arrays), so it can be bundled and shared. */
export interface ReportModel {
  version: typeof REPORT_MODEL_VERSION;
  title: string;
  /** ISO timestamp */ createdAt: string;
  kpiName: string;
  /** e.g. `revenue per currency spent` */ roiUnit: string;
  weeks: number;
  /** first and last week, when dates are known */ period: { from: string; to: string } | null;
  draws: number;
  summary: {
    /** one line: the best channel with its interval */ headline: string;
    /** what to do, each with its uncertainty */ actions: string[];
    /** channels whose 90% ROI interval is clear of break-even and are well identified */ safe: string[];
    /** channels whose ROI interval is wide, crosses break-even or is poorly identified */ caution: string[];
    /** worst severity of the health card and diagnostics */ health: Severity;
  };
  channels: ReportChannel[];
  totals: { fitted: ReportEstimate; baselineShare: ReportEstimate; mediaShare: ReportEstimate; observed: number };
  accuracy: { mape: number; r2: number; nrmse: number; coverage: { level: number; share: number }[]; loo?: { elpd: number; se: number; badK: number } } | null;
  series: ReportSeries | null;
  plan: { status: PlanResult['status']; message: string; metric: string; rows: ReportPlanRow[]; delta: ReportEstimate; probBeatsBase: number } | null;
  refresh: { verdict: Severity; publish: string; gates: CheckResult[]; memo: { title: string; sections: { heading: string; items: string[] }[] } } | null;
  appendix: { health: CheckResult[]; diagnostics: CheckResult[]; dataChecks: CheckResult[]; lineage: { key: string; value: string }[] };
}

/** What buildReportModel reads; everything past `analysis` is optional. */
export interface ReportInput {
  analysis: FitAnalysis;
  kpiName: string;
  /** ISO week dates [N] of the fit */ dates?: readonly string[] | null;
  evaluation?: FitEvaluation | null;
  /** health card (healthCard of core/evaluation/health.ts) */ health?: readonly CheckResult[] | null;
  /** convergence checks of the fit */ diagnostics?: readonly CheckResult[] | null;
  dataChecks?: readonly CheckResult[] | null;
  /** provenance: file, rows, seed, app version ... as key/value */ lineage?: Record<string, string | number>;
  plan?: PlanResult | null;
  refresh?: RefreshReview | null;
  title?: string;
  /** ISO timestamp; pass one for reproducible output */ createdAt?: string;
  /** break-even ROI (default 1 for revenue ROI, none for a KPI-per-spend ROI) */ breakEven?: number | null;
}

/** Estimate or optimizer Interval to the report's shape. */
export function toReportEstimate(e: Pick<Estimate, 'mean' | 'q05' | 'q25' | 'q75' | 'q95'> & { median?: number; q50?: number }): ReportEstimate {
  return { mean: e.mean, median: e.median ?? e.q50 ?? e.mean, q05: e.q05, q95: e.q95, q25: e.q25, q75: e.q75 };
}

const f3 = (x: number) => formatNumber(x, 3);
/** `2.1 (90%: 1.4 to 3.0)` */
export function withInterval(e: ReportEstimate, fmt: (x: number) => string = f3): string {
  return `${fmt(e.median)} (90%: ${fmt(e.q05)} to ${fmt(e.q95)})`;
}

/**
 * Builds the report model of one run: executive summary (best channels by ROI with their 90%
 * intervals, what is safe to act on), results with intervals, plan and refresh verdict when
 * given, appendices of checks and lineage.
 * @throws when the analysis has no channel
 */
export function buildReportModel(input: ReportInput): ReportModel {
  const a = input.analysis;
  if (a.channels.length === 0) throw new Error('buildReportModel: the analysis has no paid channel');
  const breakEven = input.breakEven !== undefined ? input.breakEven : a.roiUnit === 'revenue-per-spend' ? 1 : null;
  const labels = new Map((input.refresh?.labels ?? []).map((l) => [l.channel, l.label]));
  const channels: ReportChannel[] = a.channels.map((c) => ({
    name: c.name,
    spend: c.spendTotal,
    contribution: toReportEstimate(c.contribution),
    mediaShare: toReportEstimate(c.mediaShare),
    roi: toReportEstimate(c.roi),
    mroi: toReportEstimate(c.mroi),
    flags: c.identifiability.reasons.map((r) => r.message),
    ...(labels.has(c.name) ? { label: labels.get(c.name)! } : {}),
  }));

  const safe: string[] = [];
  const caution: string[] = [];
  for (const c of channels) {
    const clear = breakEven === null ? c.roi.q05 > 0 : c.roi.q05 > breakEven || c.roi.q95 < breakEven;
    const ok = clear && c.flags.length === 0 && (c.label === undefined || c.label === 'safe');
    (ok ? safe : caution).push(c.name);
  }
  const ranked = [...channels].sort((x, y) => y.roi.median - x.roi.median);
  const unit = ROI_UNIT_LABELS[a.roiUnit];
  const best = ranked[0];
  const headline = `Highest ROI: ${best.name}, ${withInterval(best.roi)} ${unit}${safe.includes(best.name) ? '' : ' (treat with caution)'}.`;
  const actions: string[] = [];
  for (const c of ranked.slice(0, 3)) {
    const be = breakEven === null ? '' : c.roi.q05 > breakEven ? ', above break-even in 90% of draws' : c.roi.q95 < breakEven ? ', below break-even in 90% of draws' : ', interval crosses break-even';
    actions.push(`${c.name}: ROI ${withInterval(c.roi)} ${unit}${be}.`);
  }
  if (safe.length) actions.push(`Safe to act on: ${safe.join(', ')}.`);
  if (caution.length) actions.push(`Test before acting (wide, uncertain or poorly identified): ${caution.join(', ')}.`);
  if (input.plan) actions.push(`Plan: ${input.plan.message} (change ${withInterval(toReportEstimate(input.plan.comparison.delta))} ${input.plan.metric}; beats the current plan in ${(100 * input.plan.comparison.probBeatsBase).toFixed(0)}% of draws).`);
  if (input.refresh) actions.push(`Refresh verdict: ${input.refresh.verdict.publish} (${input.refresh.verdict.verdict}).`);

  const health = [...(input.health ?? [])];
  // the health card repeats the convergence checks: the appendix lists each check once
  const inHealth = new Set(health.map((c) => c.id));
  const diagnostics = (input.diagnostics ?? []).filter((c) => !inHealth.has(c.id));
  const worst = worstSeverity([...health, ...diagnostics]);
  const dates = input.dates && input.dates.length === a.weeks ? [...input.dates] : null;
  const weeks = dates ?? Array.from({ length: a.weeks }, (_, t) => `week ${t + 1}`);
  const ev = input.evaluation;
  return {
    version: REPORT_MODEL_VERSION,
    title: input.title ?? `Marketing-mix report: ${input.kpiName}`,
    createdAt: input.createdAt ?? new Date().toISOString(),
    kpiName: input.kpiName,
    roiUnit: unit,
    weeks: a.weeks,
    period: dates ? { from: dates[0], to: dates[dates.length - 1] } : null,
    draws: a.nDraws,
    summary: { headline, actions, safe, caution, health: worst },
    channels,
    totals: { fitted: toReportEstimate(a.fittedTotal), baselineShare: toReportEstimate(a.baseline.share), mediaShare: toReportEstimate(a.media.share), observed: a.observedTotal },
    accuracy: ev
      ? { mape: ev.inSample.mape, r2: ev.inSample.r2, nrmse: ev.inSample.nrmse, coverage: ev.inSample.coverage.map((c) => ({ ...c })), loo: { elpd: ev.loo.elpdLoo, se: ev.loo.se, badK: ev.loo.badK.length } }
      : null,
    series: { weeks, observed: Array.from(a.observed), fitted: { mean: Array.from(a.fitted.mean), q05: Array.from(a.fitted.q05), q95: Array.from(a.fitted.q95) } },
    plan: input.plan
      ? {
          status: input.plan.status,
          message: input.plan.message,
          metric: input.plan.metric,
          rows: input.plan.channels.map((ch, i) => ({ channel: ch, current: input.plan!.current[i], recommended: input.plan!.recommended[i], delta: toReportEstimate(input.plan!.comparison.channels[i].delta) })),
          delta: toReportEstimate(input.plan.comparison.delta),
          probBeatsBase: input.plan.comparison.probBeatsBase,
        }
      : null,
    refresh: input.refresh ? { verdict: input.refresh.verdict.verdict, publish: input.refresh.verdict.publish, gates: input.refresh.verdict.results, memo: input.refresh.memo } : null,
    appendix: {
      health: sortChecks(health),
      diagnostics: sortChecks(diagnostics),
      dataChecks: sortChecks([...(input.dataChecks ?? [])]),
      lineage: Object.entries(input.lineage ?? {}).map(([key, value]) => ({ key, value: String(value) })),
    },
  };
}

const sortChecks = (c: CheckResult[]) => c.sort((x, y) => SEVERITY_RANK[y.severity] - SEVERITY_RANK[x.severity]);

/** The report without row-level data (the weekly series): what a share bundle holds by default. */
export function withoutRows(m: ReportModel): ReportModel {
  return { ...m, series: null };
}
