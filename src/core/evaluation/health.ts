import type { CheckResult } from '../check/result.ts';
import type { Config } from '../spec/config.ts';
import { convergenceChecks } from '../diagnostics/checks.ts';
import type { SummaryRow } from '../diagnostics/summary.ts';
import type { SamplerSummary } from '../diagnostics/sampler-stats.ts';
import { thresholdsFromTraining } from '../inference/fit-settings.ts';
import type { FitMetrics } from './metrics.ts';
import type { LooResult } from './loo.ts';
import type { PpcRow } from './ppc.ts';

/** What the health card reads: the fit's diagnostics and the evaluation's results. */
export interface HealthInput {
  fit: { summary: readonly SummaryRow[]; sampler?: SamplerSummary };
  /** in-sample metrics (evaluateFit) */ inSample: FitMetrics;
  /** out-of-sample metrics (holdout or backtest summary): eval.mape / eval.coverage judge them, and the in-sample rows are kept beside them (ids *_in_sample) */
  outOfSample?: Pick<FitMetrics, 'mape' | 'coverage'> & { weeks?: number };
  loo?: LooResult;
  ppc?: readonly PpcRow[];
  /** ISO dates of the fitted weeks, to name the points with a high Pareto k */ dates?: readonly string[];
}

/** Evaluation checks of the health card (convergence ids come from diagnostics/checks.ts). */
export type HealthCheckId = 'eval.mape' | 'eval.coverage' | 'eval.mape_in_sample' | 'eval.coverage_in_sample' | 'eval.pareto_k' | 'eval.ppc';

/** PPC p-values outside [PPC_P_LOW, 1 - PPC_P_LOW] warn: the data's statistic is in the 2.5% tails of the replicates. */
export const PPC_P_LOW = 0.025;

const r = (x: number, d = 3) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

type Thresholds = Config['evaluation'];

/** The metrics a row judges: out of sample when a holdout or backtest ran, else in sample. */
const judged = (h: HealthInput, inSample: boolean) => (inSample || !h.outOfSample ? { m: h.inSample, oos: false } : { m: h.outOfSample, oos: true });

function checkMape(h: HealthInput, t: Thresholds, inSample = false): CheckResult {
  const id = inSample ? 'eval.mape_in_sample' : 'eval.mape';
  const { m, oos } = judged(h, inSample);
  const where = oos ? `out of sample${h.outOfSample?.weeks ? ` (${h.outOfSample.weeks} held-out weeks)` : ''}` : 'in sample';
  const v = m.mape;
  const evidence = { mape: r(v, 4), threshold: t.mape, where: oos ? 'out of sample' : 'in sample', inSampleMape: r(h.inSample.mape, 4) };
  if (!Number.isFinite(v)) {
    return { id, severity: 'warn', title: 'MAPE not computable', detail: `Every week compared has a KPI of 0 (${where}).`, evidence };
  }
  if (v <= t.mape) {
    return { id, severity: 'info', title: `Prediction error within limits (MAPE ${oos ? 'out of sample' : 'in sample'})`, detail: `MAPE ${where} is ${pct(v)}, at most ${pct(t.mape)}.`, evidence };
  }
  return {
    id,
    severity: 'warn',
    title: `Large prediction error (MAPE ${oos ? 'out of sample' : 'in sample'})`,
    detail: `MAPE ${where} is ${pct(v)}, above the ${pct(t.mape)} limit (evaluation.mape).`,
    evidence,
    fix: oos
      ? 'The model forecasts held-out weeks poorly: look for a change in the business the controls miss (price, distribution, a new product) and add it as a control.'
      : 'The model misses much of the KPI: add the controls that drive it (price, promotions, holidays), or check the data for outliers.',
  };
}

function checkCoverage(h: HealthInput, t: Thresholds, inSample = false): CheckResult {
  const id = inSample ? 'eval.coverage_in_sample' : 'eval.coverage';
  const { m, oos } = judged(h, inSample);
  const where = oos ? 'out of sample' : 'in sample';
  const cov = m.coverage.find((c) => Math.abs(c.level - t.interval) < 1e-9);
  if (!cov) {
    return { id, severity: 'warn', title: 'Coverage not computed', detail: `No ${pct(t.interval)} interval was evaluated (evaluation.interval).`, evidence: { interval: t.interval } };
  }
  const evidence = { level: t.interval, share: r(cov.share, 4), threshold: t.coverage, where };
  if (cov.share >= t.coverage) {
    return { id, severity: 'info', title: `Prediction intervals hold (${where})`, detail: `${pct(cov.share)} of weeks ${where} fall inside their ${pct(t.interval)} prediction interval (at least ${pct(t.coverage)} required).`, evidence };
  }
  return {
    id,
    severity: 'warn',
    title: `Prediction intervals too narrow (${where})`,
    detail: `Only ${pct(cov.share)} of weeks ${where} fall inside their ${pct(t.interval)} prediction interval; at least ${pct(t.coverage)} required (evaluation.coverage).`,
    evidence,
    fix: 'The model is overconfident: weeks it cannot explain (outliers, a structural break, a missing control) make its intervals too narrow. Inspect the weeks outside the band.',
  };
}

function checkParetoK(h: HealthInput, t: Thresholds): CheckResult {
  const loo = h.loo;
  if (!loo) return { id: 'eval.pareto_k', severity: 'info', title: 'PSIS-LOO not computed', detail: 'No leave-one-out estimate was given.', evidence: {} };
  const limit = t.pareto_k;
  const bad = loo.pointwise
    .flatMap((p, i) => (p.k > limit ? [{ week: h.dates?.[i] ?? i, k: r(p.k) }] : []))
    .sort((a, b) => (b.k ?? Infinity) - (a.k ?? Infinity));
  const maxK = Math.max(...loo.pointwise.map((p) => p.k));
  const evidence = { threshold: limit, count: bad.length, points: loo.pointwise.length, maxK: r(maxK), worst: bad.slice(0, 10), elpdLoo: r(loo.elpdLoo, 2), se: r(loo.se, 2), pLoo: r(loo.pLoo, 2) };
  if (bad.length === 0) {
    return { id: 'eval.pareto_k', severity: 'info', title: 'Leave-one-out estimate is reliable (Pareto k)', detail: `All ${loo.pointwise.length} weeks have Pareto k <= ${limit} (largest ${r(maxK, 2)}); elpd_loo ${r(loo.elpdLoo, 1)} (se ${r(loo.se, 1)}), p_loo ${r(loo.pLoo, 1)}.`, evidence };
  }
  return {
    id: 'eval.pareto_k',
    severity: 'warn',
    title: 'Some weeks dominate the fit (Pareto k)',
    detail: `${bad.length} of ${loo.pointwise.length} weeks have Pareto k above ${limit} (evaluation.pareto_k): leaving one of them out would change the posterior a lot, so elpd_loo is not reliable for model comparison.`,
    evidence,
    fix: 'Look at these weeks for outliers or one-off events; model them with a control (event flag) or check the data.',
  };
}

function checkPpc(h: HealthInput): CheckResult {
  if (!h.ppc) return { id: 'eval.ppc', severity: 'info', title: 'Posterior predictive checks not run', detail: 'No checks were given.', evidence: {} };
  const rows = h.ppc.map((p) => ({ statistic: p.statistic, observed: r(p.observed, 4), replicatedMean: r(p.replicatedMean, 4), pValue: r(p.pValue, 3) }));
  const off = h.ppc.filter((p) => p.pValue < PPC_P_LOW || p.pValue > 1 - PPC_P_LOW);
  const evidence = { rows, low: PPC_P_LOW, high: 1 - PPC_P_LOW };
  if (off.length === 0) {
    return { id: 'eval.ppc', severity: 'info', title: 'Replicated data look like the data', detail: `All ${h.ppc.length} statistics have posterior predictive p-values in [${PPC_P_LOW}, ${1 - PPC_P_LOW}].`, evidence };
  }
  return {
    id: 'eval.ppc',
    severity: 'warn',
    title: 'Replicated data differ from the data',
    detail: `The model rarely reproduces the data's ${off.map((p) => `${p.statistic.replace(/_/g, ' ')} (p = ${r(p.pValue, 3)})`).join(', ')}.`,
    evidence,
    fix: 'A lag-1 autocorrelation off means structure left in the residuals (missing seasonality or carryover); min/max off means outliers or a skewed KPI.',
  };
}

/** The evaluation checks, keyed by id; null where a row does not apply (in-sample rows beside out-of-sample ones only once a holdout or backtest ran). */
export const HEALTH_CHECKS = {
  'eval.mape': (h, t) => checkMape(h, t),
  'eval.coverage': (h, t) => checkCoverage(h, t),
  'eval.mape_in_sample': (h, t) => (h.outOfSample ? checkMape(h, t, true) : null),
  'eval.coverage_in_sample': (h, t) => (h.outOfSample ? checkCoverage(h, t, true) : null),
  'eval.pareto_k': checkParetoK,
  'eval.ppc': checkPpc,
} satisfies Record<HealthCheckId, (h: HealthInput, t: Thresholds) => CheckResult | null>;

/**
 * The model health card: convergence (R-hat, ESS, divergences, tree depth, E-BFMI against
 * training.max_rhat / min_ess) followed by the evaluation checks (MAPE against evaluation.mape,
 * judged out of sample once a holdout or backtest ran, with the in-sample rows kept beside it;
 * coverage of the evaluation.interval prediction interval against evaluation.coverage, Pareto k
 * against evaluation.pareto_k, PPC p-values).
 * @param config the parsed config (its training and evaluation sections are read)
 */
export function healthCard(h: HealthInput, config: Pick<Config, 'training' | 'evaluation'>): CheckResult[] {
  const convergence = convergenceChecks({ rows: h.fit.summary, sampler: h.fit.sampler }, thresholdsFromTraining(config.training));
  const evaluation = Object.values(HEALTH_CHECKS).flatMap((check) => check(h, config.evaluation) ?? []);
  return [...convergence, ...evaluation];
}
