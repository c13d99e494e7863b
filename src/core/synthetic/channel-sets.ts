import type { Rng } from '../inference/rng.ts';
import type { SyntheticChannel } from './generator.ts';
import { SPEND_PATTERNS, type SpendPattern } from './spend.ts';

const WEAK_PATTERNS: readonly SpendPattern[] = ['flighted', 'bursty', 'seasonal'];

/** Options of randomChannels. */
export interface RandomChannelOptions {
  /** channels with a clear effect, 1..6 (default 4), each with a distinct spend pattern */ strong?: number;
  /** true beta of the low-signal channel, before scaling to y / mean y (default drawn in [0.008, 0.02]) */ lowBeta?: number;
}

/**
 * A random channel set for recovery studies: `strong` channels with distinct spend patterns and
 * effects drawn across the reference priors' bulk (beta 0.06-0.25 of the KPI level at saturation,
 * alpha 0.1-0.75, K 0.6-1.6 mean spends, S 1-2.4, typical weekly spend 10k-80k), plus one
 * low-signal channel (beta 0.008-0.02, flighted, bursty or seasonal spend) named `weak`.
 * Channel names are `ch1..chN` in pattern order, then `weak`.
 * @returns strong + 1 channels; same rng state => same set
 */
export function randomChannels(rng: Rng, options: RandomChannelOptions = {}): SyntheticChannel[] {
  const strong = options.strong ?? 4;
  const patterns = Object.keys(SPEND_PATTERNS) as SpendPattern[];
  if (!(strong >= 1 && strong <= patterns.length)) throw new Error(`strong channels must be 1..${patterns.length}, got ${strong}.`);
  // Fisher-Yates shuffle: which patterns this dataset's channels follow
  for (let i = patterns.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [patterns[i], patterns[j]] = [patterns[j], patterns[i]];
  }
  const out: SyntheticChannel[] = patterns.slice(0, strong).map((pattern, i) => ({
    name: `ch${i + 1}`,
    pattern,
    level: rng.uniformIn(10_000, 80_000),
    beta: rng.uniformIn(0.06, 0.25),
    alpha: rng.uniformIn(0.1, 0.75),
    K: rng.uniformIn(0.6, 1.6),
    S: rng.uniformIn(1, 2.4),
  }));
  out.push({
    name: 'weak',
    // spend that varies (flights, bursts, a yearly swing), so the data can show the effect is small
    pattern: WEAK_PATTERNS[Math.floor(rng.uniform() * WEAK_PATTERNS.length)],
    level: rng.uniformIn(10_000, 40_000),
    beta: options.lowBeta ?? rng.uniformIn(0.008, 0.02),
    alpha: rng.uniformIn(0.1, 0.6),
    K: rng.uniformIn(0.7, 1.4),
    S: rng.uniformIn(1, 2),
  });
  return out;
}
