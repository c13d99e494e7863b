import type { SaturationSpec } from '../spec/model-spec.ts';

/**
 * Hill saturation a^S / (a^S + K^S), written as the logistic of S (log a - log K) as the
 * reference does; exactly 0 where a <= 0 (no media in the whole adstock window).
 * @param a adstocked input >= 0 (units of mean spend)
 * @param K half-saturation point > 0 (same units): hill(K) = 0.5
 * @param S slope > 0
 * @returns response in [0, 1)
 */
export function hill(a: number, K: number, S: number): number {
  if (!(a > 0)) return 0;
  return 1 / (1 + Math.exp(-S * (Math.log(a) - Math.log(K))));
}

/** Shape parameters of a saturation curve. */
export interface SaturationParams {
  /** half-saturation point, > 0 */ K: number;
  /** slope, > 0 */ S: number;
}

/** A saturation transform: adstocked series [N] -> response [N] in [0, 1). */
export type SaturationFn = (a: ArrayLike<number>, p: SaturationParams) => Float64Array;

/** Saturation transforms by spec kind. */
export const SATURATIONS = {
  hill: (a, p) => Float64Array.from(a as ArrayLike<number>, (v) => hill(v, p.K, p.S)),
} satisfies Record<SaturationSpec['kind'], SaturationFn>;

/** Applies the saturation a spec names. */
export function applySaturation(spec: SaturationSpec, a: ArrayLike<number>, p: SaturationParams): Float64Array {
  return SATURATIONS[spec.kind](a, p);
}
