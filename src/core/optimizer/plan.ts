import type { CheckResult } from '../check/result.ts';
import { Rng } from '../inference/rng.ts';
import { buildCurves, meanCurve, type Curves, type Metric } from './curves.ts';
import { planDraws, reduceObjective, type Objective } from './objective.ts';
import { resolveBox, type Box, type ChannelBound } from './constraints.ts';
import { checkpoint, gridProgramme, solveFixedBudget, type ProgressFn, type Solution } from './solver.ts';
import { comparePlans, type PlanComparison } from './summary.ts';
import { optimizerGates, type GateThresholds, type Identification } from './gates.ts';
import { selectDraws, type ResponseModel } from './response-model.ts';

/**
 * What to plan. fixedBudget: maximise the objective at this horizon total (default: the current
 * plan's total). targetRoi / targetMroi: the largest horizon total (up to maxTotal, default 3x
 * current) whose best plan still returns at least `roi` per currency on average / at the margin.
 */
export type PlanMode =
  | { kind: 'fixedBudget'; total?: number }
  | { kind: 'targetRoi'; roi: number; maxTotal?: number }
  | { kind: 'targetMroi'; mroi: number; maxTotal?: number };

/** A request to the optimizer. */
export interface PlanRequest {
  mode: PlanMode;
  /** default 'kpi' */ metric?: Metric;
  /** default expected */ objective?: Objective;
  /** by channel name */ bounds?: Record<string, ChannelBound>;
  /** take the objective over a seeded subset of this many draws (default all) */ draws?: number;
  /** seed of subsets and random starts; default 1 */ seed?: number;
  /** budget steps of the grid programme; default 48 */ grid?: number;
  identified?: Record<string, Identification>;
  gates?: Partial<GateThresholds>;
}

/** The optimizer's answer. */
export interface PlanResult {
  channels: string[];
  /** horizon budget per channel, currency, [C] */ current: number[];
  recommended: number[];
  /** 'improved': the recommendation beats the current plan on the objective; 'current': nothing did, the current plan is returned */ status: 'improved' | 'current';
  /** one line for the user */ message: string;
  /** objective over the draws used: current plan and recommendation, metric units */ objective: { kind: Objective['kind']; current: number; recommended: number };
  metric: Metric;
  /** recommended vs current, per channel and in total, over the draws used */ comparison: PlanComparison;
  checks: CheckResult[];
  /** how the plan was found */ method: string;
  /** draws the objective was taken over */ draws: number;
  /** horizon total searched in target modes: the ROI or mROI met there */ target?: { kind: 'roi' | 'mroi'; value: number; achieved: number; total: number };
  /** seconds: unrolling the curves, the search, the comparison and gates (0 without PlanOptions.now) */ timings: { curvesS: number; solveS: number; reportS: number };
}

/** Method note, for the report. */
export const SOLVER_METHOD =
  'Grid dynamic programme over channels (exact on a budget grid for the separable mean, and for per-channel low quantiles when risk-aware) for the global structure of S-shaped Hill curves; projected-gradient ascent with Armijo backtracking and analytic gradients over the draws from each grid optimum, the current plan and random feasible starts; best two polished on all draws; never returns a plan worse than the current one on the objective.';

/** Options of optimizePlan: progress in [0, 1] and cancel. */
export interface PlanOptions {
  onProgress?: ProgressFn;
  signal?: AbortSignal;
  /** monotonic clock in ms for PlanResult.timings (passed in: core stays pure); timings are 0 without it */ now?: () => number;
}

/**
 * Finds the recommended plan for a request over a response model (see PlanRequest), compares it
 * with the current plan draw by draw and runs the sanity gates.
 * @throws on infeasible bounds, a target no budget meets, or a missing revenue/margin for the metric
 */
export async function optimizePlan(model: ResponseModel, req: PlanRequest, opts: PlanOptions = {}): Promise<PlanResult> {
  const metric = req.metric ?? 'kpi';
  const objective = req.objective ?? { kind: 'expected' };
  const seed = req.seed ?? 1;
  const now = opts.now ?? (() => 0);
  const tStart = now();
  const cv = buildCurves(model, metric);
  const tSolve = now();
  const draws = selectDraws(model.D, req.draws, seed);
  // the grid programme and the first ascent only need the curves' shape: 80 draws give it
  const coarseDraws = draws.length <= 80 ? draws : selectDraws(draws.length, 80, seed + 1).map((i) => draws[i]);
  const rng = new Rng(seed);
  const current = model.current;
  const currentTotal = current.reduce((a, b) => a + b, 0);
  const progress = opts.onProgress ?? (() => {});
  const solveAt = (total: number, box: Box, grid = req.grid, onProgress?: ProgressFn) =>
    solveFixedBudget(cv, objective, box, total, current, { draws, coarseDraws, grid, rng, signal: opts.signal, onProgress });

  let total: number;
  let target: PlanResult['target'];
  let sol: Solution;
  if (req.mode.kind === 'fixedBudget') {
    total = req.mode.total ?? currentTotal;
    if (!(total >= 0 && Number.isFinite(total))) throw new Error(`Budget must be a finite amount >= 0, got ${req.mode.total}.`);
    sol = await solveAt(total, resolveBox(model.channels, current, total, req.bounds), req.grid, progress);
  } else {
    const r = await searchTarget(cv, model, req, draws, coarseDraws, solveAt, progress, opts.signal);
    ({ total, sol, target } = r);
  }

  const box = resolveBox(model.channels, current, total, req.bounds);
  const tReport = now();
  const curDraws = planDraws(cv, current, draws);
  const cur = { value: reduceObjective(objective, curDraws.total) };
  const currentFeasible = Math.abs(total - currentTotal) <= 1e-9 * Math.max(1, total) &&
    current.every((v, c) => v >= box.lo[c] * (1 - 1e-12) && v <= box.hi[c] * (1 + 1e-12));
  // never worse than today: with the same total and the current plan allowed, keep it unless beaten
  const keptCurrent = currentFeasible && !(sol.value > cur.value + 1e-12 * Math.abs(cur.value));
  const x = keptCurrent ? Float64Array.from(current) : sol.x;
  const comparison = comparePlans(cv, model.channels, model.flight, x, current, draws, curDraws);
  const checks = optimizerGates({ cv, draws, cmp: comparison, maxWeekly: model.maxWeekly, keptCurrent, identified: req.identified, thresholds: req.gates });
  progress(1, 'done');
  const tEnd = now();
  const recValue = keptCurrent ? cur.value : sol.value;
  return {
    channels: [...model.channels],
    current: Array.from(current),
    recommended: Array.from(x),
    status: keptCurrent ? 'current' : 'improved',
    message: keptCurrent
      ? 'No plan under these constraints beats the current one on the objective; the current plan is returned.'
      : `The recommended plan beats the current one in ${(comparison.probBeatsBase * 100).toFixed(0)}% of posterior draws.`,
    objective: { kind: objective.kind, current: cur.value, recommended: recValue },
    metric,
    comparison,
    checks,
    method: SOLVER_METHOD,
    draws: draws.length,
    target,
    timings: { curvesS: (tSolve - tStart) / 1000, solveS: (tReport - tSolve) / 1000, reportS: (tEnd - tReport) / 1000 },
  };
}

/**
 * Target modes: the grid programme over the expected value gives the best value V(b) of every
 * horizon total b on a grid at once; the largest b meeting the target is then refined by
 * bisection with full solves of the request's objective.
 */
async function searchTarget(
  cv: Curves, model: ResponseModel, req: PlanRequest, draws: number[], coarseDraws: number[],
  solveAt: (total: number, box: Box, grid?: number, onProgress?: ProgressFn) => Promise<Solution>,
  progress: ProgressFn, signal?: AbortSignal,
): Promise<{ total: number; sol: Solution; target: NonNullable<PlanResult['target']> }> {
  const mode = req.mode as Extract<PlanMode, { kind: 'targetRoi' | 'targetMroi' }>;
  const kind = mode.kind === 'targetRoi' ? 'roi' : 'mroi';
  const want = mode.kind === 'targetRoi' ? mode.roi : mode.mroi;
  if (!Number.isFinite(want)) throw new Error(`Target ${kind} must be a number, got ${want}.`);
  const currentTotal = model.current.reduce((a, b) => a + b, 0);
  const maxTotal = mode.maxTotal ?? 3 * currentTotal;
  if (!(maxTotal > 0)) throw new Error(`The largest budget to search must be > 0, got ${maxTotal}.`);
  const wide = resolveBox(model.channels, model.current, maxTotal, req.bounds);
  const sumLo = wide.lo.reduce((a, b) => a + b, 0);
  const G = 96;
  const dp = gridProgramme(cv.C, wide, maxTotal - sumLo, G, (c, b) => meanCurve(cv, c, b, coarseDraws));
  const totalAt = (k: number) => sumLo + k * dp.step;
  const roiAt = (k: number) => dp.best[k] / Math.max(totalAt(k), 1e-12);
  const mroiAt = (k: number) => (dp.best[Math.min(G, k + 1)] - dp.best[Math.max(0, k - 1)]) / ((Math.min(G, k + 1) - Math.max(0, k - 1)) * dp.step);
  const meets = (k: number) => Number.isFinite(dp.best[k]) && (kind === 'roi' ? roiAt(k) : mroiAt(k)) >= want;
  let k = -1;
  for (let j = G; j >= 1; j--) if (meets(j)) { k = j; break; }
  if (k < 0) {
    let bestK = 1;
    for (let j = 1; j <= G; j++) if ((kind === 'roi' ? roiAt(j) : mroiAt(j)) > (kind === 'roi' ? roiAt(bestK) : mroiAt(bestK))) bestK = j;
    const best = kind === 'roi' ? roiAt(bestK) : mroiAt(bestK);
    throw new Error(`No budget up to ${maxTotal.toFixed(2)} reaches a ${kind === 'roi' ? 'ROI' : 'marginal ROI'} of ${want}; the best is ${best.toFixed(4)} at a budget of ${totalAt(bestK).toFixed(2)}. Lower the target.`);
  }
  await checkpoint(signal);
  progress(0.2, 'budget search');
  // measured on the solved plan of the request's objective
  const achieved = async (total: number) => {
    const box = resolveBox(model.channels, model.current, total, req.bounds);
    const s = await solveAt(total, box, 32);
    if (kind === 'roi') return { s, v: s.value / Math.max(total, 1e-12) };
    const free = Array.from({ length: cv.C }, (_, c) => c).filter((c) => s.x[c] > box.lo[c] + 1e-9 * total && s.x[c] < box.hi[c] - 1e-9 * total);
    const g = free.length ? free.reduce((a, c) => a + s.grad[c], 0) / free.length : mroiAt(Math.round((total - sumLo) / dp.step));
    return { s, v: g };
  };
  let lo = totalAt(k);
  let hi = k < G ? totalAt(k + 1) : totalAt(k);
  let at = await achieved(lo);
  if (at.v < want) {
    // the grid's estimate was optimistic on the full objective: walk down until it holds
    for (let j = k - 1; j >= 1 && at.v < want; j--) {
      hi = lo;
      lo = totalAt(j);
      at = await achieved(lo);
    }
  }
  for (let it = 0; it < 5 && hi > lo; it++) {
    const mid = 0.5 * (lo + hi);
    const m = await achieved(mid);
    if (m.v >= want) {
      lo = mid;
      at = m;
    } else hi = mid;
    progress(0.3 + 0.1 * it, 'budget search');
  }
  const sol = await solveAt(lo, resolveBox(model.channels, model.current, lo, req.bounds));
  return { total: lo, sol, target: { kind, value: want, achieved: at.v, total: lo } };
}
