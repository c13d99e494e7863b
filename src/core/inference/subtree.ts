import { phasePoint, type PhasePoint } from './phase-point.ts';

/**
 * Buffers of one level of the NUTS tree recursion: the proposal of its final half and the
 * momenta (p and velocity p#) at the inner ends of its two halves, plus their summed momenta rho.
 * Preallocated per depth so the hot loop never allocates; every array is [dim].
 */
export interface SubtreeLevel {
  zProposeFinal: PhasePoint;
  pInitEnd: Float64Array;
  pSharpInitEnd: Float64Array;
  pFinalBeg: Float64Array;
  pSharpFinalBeg: Float64Array;
  rhoInit: Float64Array;
  rhoFinal: Float64Array;
}

/** Fresh buffers of one subtree level of dimension dim. */
export function subtreeLevel(dim: number): SubtreeLevel {
  return {
    zProposeFinal: phasePoint(dim),
    pInitEnd: new Float64Array(dim),
    pSharpInitEnd: new Float64Array(dim),
    pFinalBeg: new Float64Array(dim),
    pSharpFinalBeg: new Float64Array(dim),
    rhoInit: new Float64Array(dim),
    rhoFinal: new Float64Array(dim),
  };
}

/**
 * Generalised no-U-turn criterion between two pieces of a trajectory with summed momenta a and b
 * ([dim] each) and end velocities sharpA, sharpB: true while both ends keep moving along a + b.
 */
export function noUTurn(sharpA: Float64Array, sharpB: Float64Array, a: Float64Array, b: Float64Array): boolean {
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    const r = a[i] + b[i];
    da += sharpA[i] * r;
    db += sharpB[i] * r;
  }
  return da > 0 && db > 0;
}

/** log(exp(a) + exp(b)) without overflow: merges the log weights of two subtrees (-Infinity = empty). */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
