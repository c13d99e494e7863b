import type { CheckResult } from '../check/result.ts';
import type { SamplerSummary } from './sampler-stats.ts';
import type { SummaryRow } from './summary.ts';

/**
 * Thresholds of the convergence checks. `maxRhat` and `minEss` come from the training config
 * (max_rhat, min_ess); the others have no config key yet.
 */
export interface ConvergenceThresholds {
  /** R-hat above this warns (Vehtari et al. 2021 recommend 1.01). */
  maxRhat: number;
  /**
   * R-hat above this blocks: 1.05 is where rstan itself declares that the chains have not mixed.
   * The effective limit is max(blockRhat, maxRhat), so loosening max_rhat never blocks earlier.
   */
  blockRhat: number;
  /** Bulk or tail ESS below this warns (400 = 100 per chain for 4 chains). */
  minEss: number;
  /** E-BFMI below this warns, per chain. */
  minEbfmi: number;
  /** Divergences above this fraction of post-warmup draws block; any divergence warns. */
  maxDivergenceFraction: number;
}

/** Defaults: R-hat warn 1.01 / block 1.05, ESS 400, E-BFMI 0.3, divergences block above 1%. */
export const DEFAULT_CONVERGENCE_THRESHOLDS: ConvergenceThresholds = {
  maxRhat: 1.01,
  blockRhat: 1.05,
  minEss: 400,
  minEbfmi: 0.3,
  maxDivergenceFraction: 0.01,
};

/** What the convergence checks read: the summary table and, for HMC, the sampler statistics. */
export interface ConvergenceInput {
  rows: readonly SummaryRow[];
  sampler?: SamplerSummary;
}

/** The convergence checks, one id each. */
export type ConvergenceCheckId = 'fit.rhat' | 'fit.ess_bulk' | 'fit.ess_tail' | 'fit.divergences' | 'fit.treedepth' | 'fit.ebfmi';

/** How many offending parameters the evidence lists, worst first. */
const WORST_N = 5;

/** Rounded for display in evidence; null where the number is not finite (evidence is plain JSON). */
const round = (x: number, digits: number): number | null => (Number.isFinite(x) ? Number(x.toFixed(digits)) : null);

/** The worst rows by a key, NaN first (a value that could not be computed is the worst). */
function worst(rows: readonly SummaryRow[], key: 'rhat' | 'essBulk' | 'essTail', order: 'high' | 'low', digits: number) {
  const score = (r: SummaryRow) => (Number.isNaN(r[key]) ? Infinity : order === 'high' ? r[key] : -r[key]);
  return [...rows]
    .sort((a, b) => score(b) - score(a))
    .slice(0, WORST_N)
    .map((r) => ({ name: r.name, value: Number.isNaN(r[key]) ? null : round(r[key], digits) }));
}

function noRows(id: ConvergenceCheckId): CheckResult {
  return { id, severity: 'block', title: 'No parameters to check', detail: 'The summary table is empty, so convergence cannot be judged.', evidence: { parameters: 0 } };
}

function checkRhat({ rows }: ConvergenceInput, t: ConvergenceThresholds): CheckResult {
  if (rows.length === 0) return noRows('fit.rhat');
  const block = Math.max(t.blockRhat, t.maxRhat);
  const bad = rows.filter((r) => Number.isNaN(r.rhat) || r.rhat > t.maxRhat);
  const severe = bad.filter((r) => Number.isNaN(r.rhat) || r.rhat > block);
  const max = rows.reduce((m, r) => (Number.isNaN(r.rhat) || r.rhat > m ? r.rhat : m), -Infinity);
  const evidence = { maxRhat: round(max, 4), warnAbove: t.maxRhat, blockAbove: block, count: bad.length, parameters: rows.length, worst: worst(rows, 'rhat', 'high', 4) };
  if (bad.length === 0) {
    return { id: 'fit.rhat', severity: 'info', title: 'Chains agree (R-hat)', detail: `All ${rows.length} parameters have R-hat <= ${t.maxRhat} (largest ${round(max, 3)}).`, evidence };
  }
  const nonFinite = bad.filter((r) => Number.isNaN(r.rhat)).length;
  return {
    id: 'fit.rhat',
    severity: severe.length > 0 ? 'block' : 'warn',
    title: severe.length > 0 ? 'Chains disagree: results are not reliable' : 'Chains have not fully converged',
    detail:
      `${bad.length} of ${rows.length} parameters have R-hat above ${t.maxRhat}` +
      (severe.length > 0 ? `, ${severe.length} above ${block}` : '') +
      (nonFinite > 0 ? ` (${nonFinite} with non-finite draws)` : '') +
      `; largest ${Number.isNaN(max) ? 'not computable' : round(max, 3)}.`,
    evidence,
    fix: 'Run longer (more warmup and draws). If chains settle in different places, look for weakly identified pairs (e.g. a channel coefficient against its saturation) and tighten those priors.',
  };
}

function checkEss(kind: 'bulk' | 'tail') {
  const key = kind === 'bulk' ? 'essBulk' : 'essTail';
  const id: ConvergenceCheckId = kind === 'bulk' ? 'fit.ess_bulk' : 'fit.ess_tail';
  return ({ rows }: ConvergenceInput, t: ConvergenceThresholds): CheckResult => {
    if (rows.length === 0) return noRows(id);
    const bad = rows.filter((r) => Number.isNaN(r[key]) || r[key] < t.minEss);
    const min = rows.reduce((m, r) => (Number.isNaN(r[key]) || r[key] < m ? r[key] : m), Infinity);
    const evidence = { minEss: round(min, 1), threshold: t.minEss, count: bad.length, parameters: rows.length, worst: worst(rows, key, 'low', 1) };
    const what = kind === 'bulk' ? 'means and medians' : '5% and 95% interval ends';
    if (bad.length === 0) {
      return { id, severity: 'info', title: `Enough effective draws (${kind} ESS)`, detail: `All ${rows.length} parameters have ${kind} ESS >= ${t.minEss} (smallest ${round(min, 0)}).`, evidence };
    }
    return {
      id,
      severity: 'warn',
      title: `Too few effective draws for ${what}`,
      detail: `${bad.length} of ${rows.length} parameters have ${kind} ESS below ${t.minEss}; smallest ${Number.isNaN(min) ? 'not computable' : round(min, 0)}.`,
      evidence,
      fix:
        kind === 'bulk'
          ? 'Run more draws (ESS grows about in proportion); strongly correlated parameters may need tighter priors.'
          : 'Run more draws; if tail ESS stays far below bulk ESS, the chains explore the tails slowly (heavy tails or a chain with a different spread).',
    };
  };
}

function checkDivergences({ sampler }: ConvergenceInput, t: ConvergenceThresholds): CheckResult {
  const d = sampler?.divergences;
  if (!d) return { id: 'fit.divergences', severity: 'info', title: 'Divergences not checked', detail: 'No sampler statistics were given.', evidence: {} };
  const fraction = d.total > 0 ? d.count / d.total : 0;
  const evidence = { divergences: d.count, draws: d.total, fraction: round(fraction, 5), perChain: d.perChain, blockAbove: t.maxDivergenceFraction };
  if (d.count === 0) return { id: 'fit.divergences', severity: 'info', title: 'No divergent transitions', detail: `0 of ${d.total} draws diverged.`, evidence };
  const block = fraction > t.maxDivergenceFraction;
  return {
    id: 'fit.divergences',
    severity: block ? 'block' : 'warn',
    title: block ? 'Many divergent transitions: the posterior is not fully explored' : 'Some divergent transitions',
    detail: `${d.count} of ${d.total} draws (${round(100 * fraction, 2)}%) diverged${block ? `, above the ${100 * t.maxDivergenceFraction}% limit` : ''}.`,
    evidence,
    fix: 'Increase adapt_delta (e.g. 0.95 or 0.99) for smaller steps; if divergences persist, tighten priors on scale-like parameters (saturation, noise) or reparameterise.',
  };
}

function checkTreeDepth({ sampler }: ConvergenceInput): CheckResult {
  const h = sampler?.treeDepthHits;
  if (!h || !sampler) return { id: 'fit.treedepth', severity: 'info', title: 'Tree depth not checked', detail: 'No sampler statistics were given.', evidence: {} };
  const evidence = { hits: h.count, draws: h.total, perChain: h.perChain, maxTreeDepth: sampler.maxTreeDepth };
  if (h.count === 0) return { id: 'fit.treedepth', severity: 'info', title: 'No trajectories cut short', detail: `0 of ${h.total} draws reached the tree-depth limit ${sampler.maxTreeDepth}.`, evidence };
  return {
    id: 'fit.treedepth',
    severity: 'warn',
    title: 'Some trajectories were cut short (tree depth)',
    detail: `${h.count} of ${h.total} draws reached the tree-depth limit ${sampler.maxTreeDepth}: an efficiency problem, the draws stay valid.`,
    evidence,
    fix: 'Increase max_treedepth (each level doubles the cost), or tighten priors so the posterior is less elongated.',
  };
}

function checkEbfmi({ sampler }: ConvergenceInput, t: ConvergenceThresholds): CheckResult {
  if (!sampler) return { id: 'fit.ebfmi', severity: 'info', title: 'E-BFMI not checked', detail: 'No sampler statistics were given.', evidence: {} };
  const low = sampler.ebfmi.flatMap((v, chain) => (v >= t.minEbfmi ? [] : [{ chain, ebfmi: round(v, 3) }]));
  const evidence = { perChain: sampler.ebfmi.map((v) => round(v, 3)), threshold: t.minEbfmi, low };
  if (low.length === 0) return { id: 'fit.ebfmi', severity: 'info', title: 'Energy diagnostic fine (E-BFMI)', detail: `All ${sampler.ebfmi.length} chains have E-BFMI >= ${t.minEbfmi}.`, evidence };
  return {
    id: 'fit.ebfmi',
    severity: 'warn',
    title: 'Sampler explores slowly in energy (low E-BFMI)',
    detail: `${low.length} of ${sampler.ebfmi.length} chains have E-BFMI below ${t.minEbfmi}: ${low.map((c) => `chain ${c.chain + 1}: ${c.ebfmi ?? 'not computable'}`).join(', ')}.`,
    evidence,
    fix: 'Tighten or reparameterise heavy-tailed priors (scale parameters), and run longer warmup.',
  };
}

/** Every convergence check, keyed by id. */
export const CONVERGENCE_CHECKS = {
  'fit.rhat': checkRhat,
  'fit.ess_bulk': checkEss('bulk'),
  'fit.ess_tail': checkEss('tail'),
  'fit.divergences': checkDivergences,
  'fit.treedepth': checkTreeDepth,
  'fit.ebfmi': checkEbfmi,
} satisfies Record<ConvergenceCheckId, (input: ConvergenceInput, t: ConvergenceThresholds) => CheckResult>;

/**
 * Runs all convergence checks. Sampler checks report `info` ("not checked") without sampler stats.
 * @param input summary rows (from `summarizeDraws`) and optional sampler summary
 * @param thresholds overrides of DEFAULT_CONVERGENCE_THRESHOLDS
 * @returns one CheckResult per check id, in CONVERGENCE_CHECKS order
 */
export function convergenceChecks(input: ConvergenceInput, thresholds: Partial<ConvergenceThresholds> = {}): CheckResult[] {
  const t = { ...DEFAULT_CONVERGENCE_THRESHOLDS, ...thresholds };
  return Object.values(CONVERGENCE_CHECKS).map((check) => check(input, t));
}
