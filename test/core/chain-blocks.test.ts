import { describe, expect, it } from 'vitest';
import { runChains, type DrawBlock, type FitSettings } from '../../src/core/inference/fit-job.ts';
import { blockConvergence, meetsRule } from '../../src/core/inference/fit-result.ts';
import type { LogDensity } from '../../src/core/kernels/kernel.ts';

/** 3-d Gaussian with scales 1, 2, 0.5. */
const SD = [1, 2, 0.5];
const target: LogDensity = {
  dim: 3,
  logDensityGrad(q, g) {
    let lp = 0;
    for (let i = 0; i < 3; i++) {
      const z = q[i] / SD[i];
      lp -= 0.5 * z * z;
      g[i] = -z / SD[i];
    }
    return lp;
  },
};
const base: FitSettings = { chains: 2, warmup: 200, draws: 600, seed: 3, adaptDelta: 0.8, maxTreeDepth: 10, kernel: 'fused' };
const now = () => 0;

describe('runChains in run-until-converged mode', () => {
  it('hands over blocks in order, stops where told, and keeps exactly the draws of a plain run', async () => {
    const plain = await runChains(target, [0, 1], base, now);
    const seen: DrawBlock[] = [];
    const blocky = await runChains(
      target,
      [0, 1],
      { ...base, untilConverged: { maxRhat: 1.01, minEss: 400, blockDraws: 100 } },
      now,
      undefined,
      (b) => {
        seen.push(b);
        return b.block === 2; // stop after 300 draws
      },
    );
    expect(seen.map((b) => b.drawsSoFar)).toEqual([100, 200, 300]);
    for (let i = 0; i < 2; i++) {
      const r = blocky[i].result;
      expect(r.draws.length).toBe(300 * 3);
      expect(r.lp.length).toBe(300);
      expect(r.stats.nLeapfrog.length).toBe(300);
      // same seed: the first 300 draws are the plain run's, and the blocks tile them
      expect(Array.from(r.draws)).toEqual(Array.from(plain[i].result.draws.subarray(0, 900)));
      const tiled = seen.flatMap((b) => Array.from(b.chains[i].draws));
      expect(tiled).toEqual(Array.from(r.draws));
      const sampled = r.stats.nLeapfrog.reduce((a, b) => a + b, 0);
      expect(r.nLeapfrogTotal).toBe(r.nLeapfrogWarmup + sampled);
      expect(r.nLeapfrogWarmup).toBe(plain[i].result.nLeapfrogWarmup);
    }
  });

  it('runs to the cap when never told to stop (last block shorter)', async () => {
    const seen: number[] = [];
    const runs = await runChains(
      target,
      [0],
      { ...base, chains: 1, draws: 250, untilConverged: { maxRhat: 1.01, minEss: 1e9, blockDraws: 100 } },
      now,
      undefined,
      async (b) => {
        seen.push(b.drawsSoFar);
        return false;
      },
    );
    expect(seen).toEqual([100, 200, 250]);
    expect(runs[0].result.lp.length).toBe(250);
  });
});

describe('blockConvergence', () => {
  it('reports the worst R-hat and ESS over columns: an offset chain fails R-hat', async () => {
    const runs = await runChains(target, [0, 1, 2, 3], { ...base, chains: 4 }, now);
    const names = ['a', 'b', 'c'];
    const good = blockConvergence(names, runs.map((r) => r.result.draws));
    expect(good.maxRhat).toBeLessThan(1.01);
    expect(good.minEssBulk).toBeGreaterThan(400);
    expect(good.minEssTail).toBeGreaterThan(400);
    const shifted = runs.map((r, i) => (i === 0 ? r.result.draws.map((v, k) => (k % 3 === 1 ? v + 4 : v)) : r.result.draws));
    expect(blockConvergence(names, shifted).maxRhat).toBeGreaterThan(1.1);
  });
});

describe('meetsRule', () => {
  it('agrees with blockConvergence and moves the failing column to the front', async () => {
    const runs = await runChains(target, [0, 1, 2, 3], { ...base, chains: 4 }, now);
    const draws = runs.map((r) => r.result.draws);
    const c = blockConvergence(['a', 'b', 'c'], draws);
    const order = [0, 1, 2];
    expect(meetsRule(draws, 3, { maxRhat: 1.01, minEss: 400 }, order)).toBe(c.maxRhat <= 1.01 && Math.min(c.minEssBulk, c.minEssTail) >= 400);
    const shifted = draws.map((d, i) => (i === 0 ? d.map((v, k) => (k % 3 === 2 ? v + 4 : v)) : d));
    expect(meetsRule(shifted, 3, { maxRhat: 1.01, minEss: 400 }, order)).toBe(false);
    expect(order).toEqual([2, 0, 1]);
    expect(meetsRule(draws, 3, { maxRhat: 1.01, minEss: 1e6 }, order)).toBe(false);
  });
});
