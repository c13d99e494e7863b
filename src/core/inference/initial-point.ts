import type { Rng } from './rng.ts';

/** The part of the sampler that initialisation needs (implemented by Nuts). */
export interface Positionable {
  readonly dim: number;
  /** Moves to q; false when the density or gradient is not finite there. */
  setPosition(q: ArrayLike<number>): boolean;
}

/** Random draws tried before giving up (Stan: 100). */
export const MAX_INIT_TRIES = 100;

/**
 * Puts the sampler at its starting point and returns a copy of it ([dim], unconstrained).
 * With `init` given, uses it as is (throws if the density or gradient is not finite there);
 * otherwise draws each coordinate uniform(-radius, radius), retrying up to 100 times.
 */
export function initialPoint(
  sampler: Positionable,
  rng: Rng,
  init: ArrayLike<number> | undefined,
  radius: number,
): Float64Array {
  const q = new Float64Array(sampler.dim);
  if (init) {
    if (init.length !== sampler.dim) throw new Error(`init has length ${init.length}, expected ${sampler.dim}`);
    q.set(init);
    if (!sampler.setPosition(q)) throw new Error('The log density or its gradient is not finite at the given initial point.');
    return q;
  }
  if (!(radius >= 0)) throw new Error(`initRadius must be >= 0, got ${radius}`);
  for (let t = 0; t < MAX_INIT_TRIES; t++) {
    for (let i = 0; i < q.length; i++) q[i] = rng.uniformIn(-radius, radius);
    if (sampler.setPosition(q)) return q;
  }
  throw new Error(
    `No finite log density and gradient after ${MAX_INIT_TRIES} random initial points in (-${radius}, ${radius}).`,
  );
}
