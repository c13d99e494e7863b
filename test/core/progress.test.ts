import { describe, expect, it } from 'vitest';
import { summarizeProgress, type ChainStatus } from '../../src/core/inference/progress.ts';

const chain = (chain: number, iteration: number, itersPerS: number, divergences = 0): ChainStatus => ({
  chain, iteration, total: 2000, phase: 'warmup', divergences, itersPerS, leapfrogs: 0,
});

describe('summarizeProgress', () => {
  it('gives the ETA of the busiest worker: chains on one worker add up', () => {
    // 4 chains on 2 workers: worker 0 runs chains 0 and 2, worker 1 runs chains 1 and 3
    const p = summarizeProgress([chain(0, 1000, 100), chain(1, 1000, 200), chain(2, 1000, 100), chain(3, 2000, 200, 3)], 2);
    expect(p.etaS).toBeCloseTo(1000 / 100 + 1000 / 100, 10); // worker 0: 20 s; worker 1: 5 s
    expect(p.fraction).toBeCloseTo(5000 / 8000, 12);
    expect(p.divergences).toBe(3);
  });
  it('has no ETA while a chain with work left has no measured speed', () => {
    expect(summarizeProgress([chain(0, 0, 0), chain(1, 10, 50)], 2).etaS).toBeNull();
  });
});
