import type { Rng } from '../inference/rng.ts';
import { channelValue, meanCurve, type Curves } from './curves.ts';
import { objectiveAt, type Objective } from './objective.ts';
import { projectToBudget, type Box } from './constraints.ts';
import { quantileSorted } from '../diagnostics/quantile.ts';

/** The optimizer was cancelled through its AbortSignal. */
export class OptimizeCancelled extends Error {
  override name = 'OptimizeCancelled';
  constructor() {
    super('The optimisation was cancelled.');
  }
}

/** Progress of a solve: fraction in [0, 1] and the stage it is in. */
export type ProgressFn = (fraction: number, stage: string) => void;

/** Settings of solveFixedBudget. */
export interface SolveOptions {
  /** draws the objective is taken over (indices into 0..D-1) */ draws: readonly number[];
  /** a smaller subset for the grid programme and the first ascent */ coarseDraws: readonly number[];
  /** budget steps of the grid programme, >= 8; default 48 */ grid?: number;
  /** random feasible starts besides the structured ones; default 2 */ randomStarts?: number;
  rng: Rng;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** A solved plan. */
export interface Solution {
  /** horizon budget per channel, currency, [C] */ x: Float64Array;
  /** objective over `draws` */ value: number;
  /** objective gradient at x, value per currency, [C] */ grad: Float64Array;
  /** which start it came from */ start: string;
  /** projected-gradient iterations over all starts */ iterations: number;
}

/** Stops with OptimizeCancelled when the signal fired; yields to the event loop so a cancel can arrive. */
export async function checkpoint(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  await new Promise((r) => setTimeout(r, 0));
  if (signal.aborted) throw new OptimizeCancelled();
}

/** Per-channel value tables on a budget grid and the exact separable optimum over them. */
export interface GridProgramme {
  /** budget step, currency */ step: number;
  /** best total value using exactly k steps above the lower bounds, [G + 1] (-Infinity if none) */ best: Float64Array;
  /** allocation of k steps: horizon budget per channel [C] */ allocation(k: number): Float64Array;
}

/**
 * Dynamic programme over channels for a separable value sum_c v_c(x_c): exact on the grid, so it
 * finds the global structure (which channels to switch on, past an S-curve's threshold) that a
 * local method misses. v_c is tabulated at lo_c + k * step (clipped to hi_c), k = 0..G.
 * @param value (c, budgets [G + 1]) -> values [G + 1]
 */
export function gridProgramme(C: number, box: Box, span: number, G: number, value: (c: number, budgets: Float64Array) => Float64Array): GridProgramme {
  const step = span / G;
  const tables: Float64Array[] = [];
  const budgetsOf: Float64Array[] = [];
  for (let c = 0; c < C; c++) {
    const kmax = Math.min(G, Math.ceil((box.hi[c] - box.lo[c]) / step - 1e-9));
    const b = Float64Array.from({ length: kmax + 1 }, (_, k) => Math.min(box.hi[c], box.lo[c] + k * step));
    budgetsOf.push(b);
    tables.push(value(c, b));
  }
  let f = new Float64Array(G + 1).fill(-Infinity);
  const choice: Int32Array[] = [];
  f[0] = 0;
  for (let c = 0; c < C; c++) {
    const t = tables[c];
    const next = new Float64Array(G + 1).fill(-Infinity);
    const ch = new Int32Array(G + 1).fill(-1);
    for (let k = 0; k <= G; k++) {
      for (let j = 0; j < t.length && j <= k; j++) {
        const v = f[k - j] + t[j];
        if (v > next[k]) {
          next[k] = v;
          ch[k] = j;
        }
      }
    }
    choice.push(ch);
    f = next;
  }
  return {
    step,
    best: f,
    allocation(k: number) {
      const x = new Float64Array(C);
      let left = k;
      for (let c = C - 1; c >= 0; c--) {
        const j = Math.max(0, choice[c][left]);
        x[c] = budgetsOf[c][j];
        left -= j;
      }
      return x;
    },
  };
}

/**
 * Projected Newton-scaled gradient ascent with Armijo backtracking on { box, sum x = total }
 * from x0: the step is g_c / w_c with w_c = -d2f/dx_c2 where the objective is concave in x_c
 * (floored so no step exceeds ~10% of the total), projected in the same metric. With the
 * expected value's exact diagonal Hessian this is Newton's method on the budget constraint and
 * converges in a few steps; in convex (S-curve) regions it falls back to scaled gradient steps.
 * Stops when a step would move no budget by more than 1e-5 of the total.
 */
async function ascend(
  cv: Curves, o: Objective, box: Box, total: number, x0: Float64Array, draws: readonly number[], maxIter: number, signal?: AbortSignal,
): Promise<{ x: Float64Array; value: number; grad: Float64Array; iterations: number }> {
  const C = cv.C;
  let x = projectToBudget(x0, box, total);
  let cur = objectiveAt(cv, o, x, draws);
  // a budget step of 1e-5 of the total changes the value by far less than any interval shown
  const tol = 1e-5 * Math.max(total, 1e-12);
  let t = 1;
  let it = 0;
  const y = new Float64Array(C);
  const w = new Float64Array(C);
  for (; it < maxIter; it++) {
    if (it % 8 === 7) await checkpoint(signal);
    let gmax = 0;
    for (let c = 0; c < C; c++) gmax = Math.max(gmax, Math.abs(cur.grad[c]));
    const floor = Math.max(gmax / (0.1 * Math.max(total, 1e-12)), 1e-300);
    for (let c = 0; c < C; c++) {
      w[c] = Math.max(-cur.hess[c], floor);
      y[c] = x[c] + (t * cur.grad[c]) / w[c];
    }
    const xn = projectToBudget(y, box, total, w);
    let moved = 0;
    let slope = 0;
    for (let c = 0; c < C; c++) {
      moved = Math.max(moved, Math.abs(xn[c] - x[c]));
      slope += cur.grad[c] * (xn[c] - x[c]);
    }
    if (moved < tol) break;
    const next = objectiveAt(cv, o, xn, draws);
    if (next.value > cur.value && next.value >= cur.value + 1e-4 * slope) {
      x = xn;
      cur = next;
      t = Math.min(1, 2 * t);
    } else {
      t *= 0.25;
      if (t < 1e-10) break;
    }
  }
  return { x, value: cur.value, grad: cur.grad, iterations: it };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Per-channel curves of the objective's separable stand-in: the mean, or the per-channel low quantile for risk-aware objectives. */
function proxyCurve(cv: Curves, o: Objective, c: number, budgets: Float64Array, draws: readonly number[]): Float64Array {
  if (o.kind === 'expected') return meanCurve(cv, c, budgets, draws);
  const out = new Float64Array(budgets.length);
  const v = new Float64Array(draws.length);
  for (let g = 0; g < budgets.length; g++) {
    draws.forEach((d, k) => (v[k] = channelValue(cv, d, c, budgets[g])));
    v.sort();
    out[g] = quantileSorted(v, o.level);
  }
  return out;
}

/**
 * Maximises the objective over plans with horizon total `total` inside the box. Method: a grid
 * dynamic programme over channels on the mean (and, for risk-aware objectives, on per-channel
 * low quantiles) over a draw subset gives the global structure, which matters for S-shaped Hill
 * curves; projected-gradient ascent with analytic gradients then refines every start (grid
 * optima, the current plan projected, random feasible points) on the subset; the best two are
 * polished on all draws and the better one is returned.
 * @param current [C] current plan, one of the starts
 */
export async function solveFixedBudget(cv: Curves, o: Objective, box: Box, total: number, current: ArrayLike<number>, opts: SolveOptions): Promise<Solution> {
  const C = cv.C;
  const G = Math.max(8, Math.floor(opts.grid ?? 48));
  const report = opts.onProgress ?? (() => {});
  const sumLo = box.lo.reduce((a, b) => a + b, 0);
  const span = Math.max(0, total - sumLo);
  const starts: { name: string; x: Float64Array }[] = [];
  const kinds: Objective[] = o.kind === 'expected' ? [o] : [{ kind: 'expected' }, o];
  for (const k of kinds) {
    if (span <= 0) break;
    const dp = gridProgramme(C, box, span, G, (c, b) => proxyCurve(cv, k, c, b, opts.coarseDraws));
    let kBest = G;
    if (dp.best[G] === -Infinity) for (let k2 = G; k2 >= 0 && dp.best[kBest] === -Infinity; k2--) kBest = k2;
    starts.push({ name: `grid programme (${k.kind})`, x: dp.allocation(kBest) });
    report(0.1 * starts.length, 'grid programme');
    await checkpoint(opts.signal);
  }
  starts.push({ name: 'current plan', x: Float64Array.from(current) });
  for (let s = 0; s < (opts.randomStarts ?? 2); s++) {
    const w = Float64Array.from({ length: C }, () => -Math.log(1 - opts.rng.uniform()));
    const sw = w.reduce((a, b) => a + b, 0);
    starts.push({ name: `random start ${s + 1}`, x: w.map((v) => (v / sw) * total) });
  }
  let iterations = 0;
  const coarse: (Solution & { rank: number })[] = [];
  for (const [i, s] of starts.entries()) {
    const r = await ascend(cv, o, box, total, s.x, opts.coarseDraws, 60, opts.signal);
    iterations += r.iterations;
    coarse.push({ ...r, start: s.name, iterations: r.iterations, rank: r.value });
    report(0.2 + (0.5 * (i + 1)) / starts.length, 'refining starts');
  }
  coarse.sort((a, b) => b.rank - a.rank);
  let best: Solution | undefined;
  // the runner-up is polished too unless it sits where the best one does
  const distinct = coarse.filter((s, i) => i === 0 || maxDiff(s.x, coarse[0].x) > 1e-3 * total).slice(0, 2);
  for (const s of distinct) {
    const r = await ascend(cv, o, box, total, s.x, opts.draws, 40, opts.signal);
    iterations += r.iterations;
    if (!best || r.value > best.value) best = { ...r, start: s.start, iterations: 0 };
    report(best === undefined ? 0.85 : 0.95, 'polishing on all draws');
  }
  return { ...best!, iterations };
}
