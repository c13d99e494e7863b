import type { Rng } from './rng.ts';

/** The part of the sampler that initialisation needs (implemented by Nuts). */
export interface Positionable {
  readonly dim: number;
  /** Moves to q; false when the density or gradient is not finite there. */
  setPosition(q: ArrayLike<number>): boolean;
}

/** A per-coordinate initialisation box on the unconstrained scale: lo[i] < hi[i], each [dim]. */
export interface InitBox {
  lo: ArrayLike<number>;
  hi: ArrayLike<number>;
}

/** Random draws tried before giving up (Stan: 100). */
export const MAX_INIT_TRIES = 100;

/**
 * Puts the sampler at its starting point and returns a copy of it ([dim], unconstrained).
 * With `init` given, uses it as is (throws if the density or gradient is not finite there);
 * otherwise draws each coordinate uniform(-radius, radius) (or uniform(lo_i, hi_i) when `radius`
 * is a box), retrying up to 100 times.
 */
export function initialPoint(
  sampler: Positionable,
  rng: Rng,
  init: ArrayLike<number> | undefined,
  radius: number | InitBox,
): Float64Array {
  const q = new Float64Array(sampler.dim);
  if (init) {
    if (init.length !== sampler.dim) throw new Error(`init has length ${init.length}, expected ${sampler.dim}`);
    q.set(init);
    if (!sampler.setPosition(q)) throw new Error('The log density or its gradient is not finite at the given initial point.');
    return q;
  }
  const box = typeof radius === 'number' ? undefined : radius;
  if (box) {
    if (box.lo.length !== q.length || box.hi.length !== q.length) throw new Error(`init box has length ${box.lo.length}/${box.hi.length}, expected ${q.length}`);
    for (let i = 0; i < q.length; i++) if (!(box.lo[i] < box.hi[i])) throw new Error(`init box coordinate ${i}: lo ${box.lo[i]} must be below hi ${box.hi[i]}`);
  } else if (!((radius as number) >= 0)) throw new Error(`initRadius must be >= 0, got ${radius}`);
  const r = radius as number;
  for (let t = 0; t < MAX_INIT_TRIES; t++) {
    for (let i = 0; i < q.length; i++) q[i] = box ? rng.uniformIn(box.lo[i], box.hi[i]) : rng.uniformIn(-r, r);
    if (sampler.setPosition(q)) return q;
  }
  throw new Error(
    `No finite log density and gradient after ${MAX_INIT_TRIES} random initial points in ${box ? 'the init box' : `(-${r}, ${r})`}.`,
  );
}
