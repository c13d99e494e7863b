import { channelValue, type Curves } from './curves.ts';

/**
 * What the optimizer maximises over the posterior draws of a plan's value: the mean, or a
 * risk-aware low quantile or CVaR (mean of the worst `level` fraction of draws), level in (0, 0.5].
 */
export type Objective = { kind: 'expected' } | { kind: 'quantile'; level: number } | { kind: 'cvar'; level: number };

/** Per-draw values of a plan and, optionally, their gradients. */
export interface PlanDraws {
  /** value per draw, [n] */ total: Float64Array;
  /** value per draw and channel, [n * C] */ perChannel: Float64Array;
  /** d value / d budget_c per draw, [n * C] (present when asked for) */ grad?: Float64Array;
  /** d2 value / d budget_c2 per draw, [n * C] (present with grad) */ hess?: Float64Array;
  /** the plan's incremental KPI inside the horizon per draw, KPI units, [n] (present with grad) */ inHorizon?: Float64Array;
}

/**
 * Values of plan x under the given draws.
 * @param x horizon budget per channel, currency >= 0, [C]
 * @param draws indices into 0..D-1
 */
export function planDraws(cv: Curves, x: ArrayLike<number>, draws: readonly number[], withGrad = false): PlanDraws {
  const C = cv.C;
  const n = draws.length;
  const total = new Float64Array(n);
  const perChannel = new Float64Array(n * C);
  const grad = withGrad ? new Float64Array(n * C) : undefined;
  const hess = withGrad ? new Float64Array(n * C) : undefined;
  const inHorizon = withGrad ? new Float64Array(n) : undefined;
  const g = new Float64Array(3);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let c = 0; c < C; c++) {
      const v = channelValue(cv, draws[k], c, x[c], grad ? g : undefined);
      perChannel[k * C + c] = v;
      if (grad) {
        grad[k * C + c] = g[0];
        hess![k * C + c] = g[1];
        inHorizon![k] += g[2];
      }
      s += v;
    }
    total[k] = s;
  }
  return { total, perChannel, grad, hess, inHorizon };
}

/** An objective's reduction: per-draw values [n] -> (value, weight of each draw in its gradient [n]). */
type Reducer = (o: Objective, total: Float64Array) => { value: number; weights: Float64Array };

/** The draws that make up a low tail: the m smallest, by index. */
function lowest(total: Float64Array, m: number): number[] {
  const idx = Array.from({ length: total.length }, (_, i) => i);
  idx.sort((a, b) => total[a] - total[b]);
  return idx.slice(0, m);
}

const REDUCERS = {
  expected: (_o, total) => {
    const n = total.length;
    let s = 0;
    for (let i = 0; i < n; i++) s += total[i];
    return { value: s / n, weights: new Float64Array(n).fill(1 / n) };
  },
  // the mean of the ceil(level n) worst draws; its gradient is the mean of theirs
  cvar: (o, total) => {
    const n = total.length;
    const m = Math.max(1, Math.ceil(tailLevel(o) * n));
    const w = new Float64Array(n);
    let s = 0;
    for (const i of lowest(total, m)) {
      s += total[i];
      w[i] = 1 / m;
    }
    return { value: s / m, weights: w };
  },
  // type-7 quantile: a blend of two order statistics, so the gradient blends theirs
  quantile: (o, total) => {
    const n = total.length;
    const pos = (n - 1) * tailLevel(o);
    const lo = Math.floor(pos);
    const hi = Math.min(n - 1, lo + 1);
    const order = lowest(total, hi + 1);
    const h = pos - lo;
    const w = new Float64Array(n);
    w[order[lo]] += 1 - h;
    w[order[hi]] += h;
    return { value: (1 - h) * total[order[lo]] + h * total[order[hi]], weights: w };
  },
} satisfies Record<Objective['kind'], Reducer>;

function tailLevel(o: Objective): number {
  const level = o.kind === 'expected' ? 0.5 : o.level;
  if (!(level > 0 && level <= 0.5)) throw new Error(`Risk level must be in (0, 0.5], got ${level}.`);
  return level;
}

/** Objective value of per-draw values [n]. */
export function reduceObjective(o: Objective, total: Float64Array): number {
  return REDUCERS[o.kind](o, total).value;
}

/**
 * Objective value of plan x, its gradient in the budgets (a supergradient at the kinks of the
 * risk-aware objectives) and the diagonal of its Hessian (the draws' weights held fixed; exact
 * for the expected value, whose Hessian is diagonal because channels add up).
 * @param x [C] currency
 * @returns value (metric units), grad [C] (value per currency), hess [C] (value per currency^2)
 */
export function objectiveAt(cv: Curves, o: Objective, x: ArrayLike<number>, draws: readonly number[]): { value: number; grad: Float64Array; hess: Float64Array } {
  const p = planDraws(cv, x, draws, true);
  const { value, weights } = REDUCERS[o.kind](o, p.total);
  const C = cv.C;
  const grad = new Float64Array(C);
  const hess = new Float64Array(C);
  for (let k = 0; k < draws.length; k++) {
    const w = weights[k];
    if (w === 0) continue;
    for (let c = 0; c < C; c++) {
      grad[c] += w * p.grad![k * C + c];
      hess[c] += w * p.hess![k * C + c];
    }
  }
  return { value, grad, hess };
}
