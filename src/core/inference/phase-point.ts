/** A point of phase space with the log density and its gradient cached at q. */
export interface PhasePoint {
  /** Position ([dim], unconstrained). */
  q: Float64Array;
  /** Momentum ([dim]). */
  p: Float64Array;
  /** Gradient of the log density at q ([dim]). */
  g: Float64Array;
  /** Log density at q (-Infinity until evaluated). */
  lp: number;
}

/** A fresh phase point of dimension dim (zeros, lp = -Infinity). */
export function phasePoint(dim: number): PhasePoint {
  return { q: new Float64Array(dim), p: new Float64Array(dim), g: new Float64Array(dim), lp: -Infinity };
}

/** Copies q, p, g and lp of `from` into `to` (same dim); allocation-free. */
export function copyPoint(to: PhasePoint, from: PhasePoint): void {
  // One fused loop: for tens of coordinates this beats three TypedArray.set calls.
  const tq = to.q, tp = to.p, tg = to.g, fq = from.q, fp = from.p, fg = from.g;
  for (let i = 0; i < tq.length; i++) {
    tq[i] = fq[i];
    tp[i] = fp[i];
    tg[i] = fg[i];
  }
  to.lp = from.lp;
}
