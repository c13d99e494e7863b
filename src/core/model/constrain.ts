import type { ParamLayout } from './layout.ts';
import { BIJECTORS } from './bijectors.ts';

/** One constrained draw of the model, by parameter group (the model's own parametrisation). */
export interface ModelParams {
  /** baseline, units of y / mean y */ intercept: number;
  /** trend coefficient delta (0 when the trend is off) */ trend: number;
  /** Fourier coefficients [nF] */ fourier: Float64Array;
  /** media coefficients [C], units of y / mean y */ beta: Float64Array;
  /** adstock retention [C] in (0, 1) */ alpha: Float64Array;
  /** Hill half-saturation [C] > 0, units of mean spend */ K: Float64Array;
  /** Hill slope [C] > 0 */ S: Float64Array;
  /** control coefficients [K] */ gamma: Float64Array;
  /** residual sd > 0, units of y / mean y */ sigma: number;
}

/**
 * Maps an unconstrained vector to constrained values, element by element per the layout.
 * @param theta [dim] unconstrained
 * @returns out [dim] constrained (same order)
 */
export function constrain(layout: ParamLayout, theta: ArrayLike<number>, out = new Float64Array(layout.dim)): Float64Array {
  for (const b of layout.blocks) {
    const f = BIJECTORS[b.transform].forward;
    for (let i = b.offset; i < b.offset + b.size; i++) out[i] = f(theta[i]);
  }
  return out;
}

/** Inverse of constrain: constrained [dim] -> unconstrained [dim]. */
export function unconstrain(layout: ParamLayout, x: ArrayLike<number>, out = new Float64Array(layout.dim)): Float64Array {
  for (const b of layout.blocks) {
    const f = BIJECTORS[b.transform].inverse;
    for (let i = b.offset; i < b.offset + b.size; i++) out[i] = f(x[i]);
  }
  return out;
}

/** Sum of log |dx/du| over all elements at unconstrained theta [dim]. */
export function logJacobian(layout: ParamLayout, theta: ArrayLike<number>): number {
  let s = 0;
  for (const b of layout.blocks) {
    const j = BIJECTORS[b.transform].logJacobian;
    for (let i = b.offset; i < b.offset + b.size; i++) s += j(theta[i]);
  }
  return s;
}

/** Splits a constrained vector [dim] into named groups; absent groups are 0 / empty. */
export function toParams(layout: ParamLayout, x: ArrayLike<number>): ModelParams {
  const vec = (name: keyof ParamLayout['byName']) => {
    const b = layout.byName[name];
    return b ? Float64Array.from({ length: b.size }, (_, i) => x[b.offset + i]) : new Float64Array(0);
  };
  const one = (name: keyof ParamLayout['byName']) => {
    const b = layout.byName[name];
    return b ? x[b.offset] : 0;
  };
  return {
    intercept: one('intercept'),
    trend: one('trend'),
    fourier: vec('fourier'),
    beta: vec('beta'),
    alpha: vec('alpha'),
    K: vec('K'),
    S: vec('S'),
    gamma: vec('gamma'),
    sigma: one('sigma'),
  };
}

/** Flattens named groups into a constrained vector [dim] in layout order (sizes must match the layout). */
export function fromParams(layout: ParamLayout, p: ModelParams): Float64Array {
  const out = new Float64Array(layout.dim);
  for (const b of layout.blocks) {
    const v = p[b.name];
    const arr = typeof v === 'number' ? [v] : v;
    if (arr.length !== b.size) throw new Error(`Parameter ${b.name} has ${arr.length} values; the layout expects ${b.size}.`);
    for (let i = 0; i < b.size; i++) out[b.offset + i] = arr[i];
  }
  return out;
}

/** Constrained vector [dim] as a record keyed by element name, e.g. `alpha[tv_S]`. */
export function namedParams(layout: ParamLayout, x: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  layout.names.forEach((n, i) => (out[n] = x[i]));
  return out;
}
