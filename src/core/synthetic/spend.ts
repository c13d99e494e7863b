import type { Rng } from '../inference/rng.ts';

/** Shapes of weekly spend that real media plans show (closed set). */
export type SpendPattern = 'alwaysOn' | 'flighted' | 'bursty' | 'trending' | 'seasonal' | 'rare';

/** A spend generator: rng, weeks N, typical weekly spend while on (currency) -> spend [N] >= 0. */
export type SpendFn = (rng: Rng, n: number, level: number) => Float64Array;

/** Multiplicative week-to-week noise around 1 (lognormal, sd ~15%). */
function jitter(rng: Rng): number {
  return Math.exp(0.15 * rng.normal() - 0.011);
}

/** Spend generators by pattern; each draws only from the rng passed in. */
export const SPEND_PATTERNS = {
  // every week, around the level
  alwaysOn: (rng, n, level) => Float64Array.from({ length: n }, () => level * jitter(rng)),
  // on/off flights: 4-8 weeks on, then 3-6 weeks dark
  flighted: (rng, n, level) => {
    const out = new Float64Array(n);
    let t = Math.floor(rng.uniform() * 4);
    while (t < n) {
      const on = 4 + Math.floor(rng.uniform() * 5);
      for (let k = 0; k < on && t < n; k++, t++) out[t] = level * jitter(rng);
      t += 3 + Math.floor(rng.uniform() * 4);
    }
    return out;
  },
  // mostly dark, with 1-3 week bursts at about 3x the level
  bursty: (rng, n, level) => {
    const out = new Float64Array(n);
    for (let t = 0; t < n; t++) {
      if (rng.uniform() < 0.1) {
        const len = 1 + Math.floor(rng.uniform() * 3);
        for (let k = 0; k < len && t < n; k++, t++) out[t] = 3 * level * jitter(rng);
      }
    }
    return out;
  },
  // grows linearly from a fifth of the level to twice the level
  trending: (rng, n, level) =>
    Float64Array.from({ length: n }, (_, t) => level * (0.2 + (1.8 * t) / (n - 1)) * jitter(rng)),
  // follows the year: peaks once a year at 1.7x the level, troughs at 0.3x
  seasonal: (rng, n, level) => {
    const phase = 2 * Math.PI * rng.uniform();
    return Float64Array.from(
      { length: n },
      (_, t) => level * (1 + 0.7 * Math.sin((2 * Math.PI * t) / 52.18 + phase)) * jitter(rng),
    );
  },
  // a handful of isolated weeks (about 6% of weeks, at least 3)
  rare: (rng, n, level) => {
    const out = new Float64Array(n);
    for (let t = 0; t < n; t++) if (rng.uniform() < 0.06) out[t] = level * jitter(rng);
    let placed = out.filter((v) => v > 0).length;
    while (placed < 3) {
      const t = Math.floor(rng.uniform() * n);
      if (out[t] === 0) {
        out[t] = level * jitter(rng);
        placed++;
      }
    }
    return out;
  },
} satisfies Record<SpendPattern, SpendFn>;
