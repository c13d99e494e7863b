import { describe, expect, it } from 'vitest';
import { Nuts } from '../../src/core/inference/nuts.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import type { LogDensity } from '../../src/core/kernels/kernel.ts';
import { gaussian } from '../helpers/targets.ts';


/** log Y for Y ~ Gamma(3, 1): skewed, so invariance errors do not cancel by symmetry. */
const logGamma3: LogDensity = {
  dim: 1,
  logDensityGrad(q, g) {
    const e = Math.exp(q[0]);
    g[0] = 3 - e;
    return 3 * q[0] - e;
  },
};
const LOG_GAMMA3_MEAN = 1.5 - 0.5772156649015329; // digamma(3)
const LOG_GAMMA3_VAR = Math.PI ** 2 / 6 - 1.25; // trigamma(3)

function meanVar(x: number[]): { mean: number; variance: number } {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / (x.length - 1);
  return { mean, variance };
}

describe('Nuts transition', () => {
  it('leaves an exact draw exactly distributed (invariance, coarse step, skewed target)', () => {
    // Independent exact starts, one transition each: outputs are i.i.d., so the standard errors are exact.
    const rng = new Rng(11);
    const nuts = new Nuts(logGamma3, rng);
    nuts.stepSize = 1.1; // coarse: acceptance well below 1, so weighting mistakes show
    const n = 20000;
    const out: number[] = [];
    let accept = 0;
    for (let k = 0; k < n; k++) {
      const y = -Math.log(rng.uniform() * rng.uniform() * rng.uniform() + 1e-300);
      nuts.setPosition([Math.log(y)]);
      const s = nuts.transition();
      accept += s.acceptStat;
      out.push(nuts.position[0]);
    }
    expect(accept / n).toBeLessThan(0.9);
    const { mean, variance } = meanVar(out);
    expect(Math.abs(mean - LOG_GAMMA3_MEAN)).toBeLessThan(4 * Math.sqrt(LOG_GAMMA3_VAR / n));
    // var of the sample variance ~ (mu4 - sigma^4) / n; mu4 of log-gamma(3) ~ 3.6 sigma^4, use 4 to be safe
    expect(Math.abs(variance / LOG_GAMMA3_VAR - 1)).toBeLessThan(4 * Math.sqrt(3 / n));
  });

  it('moves a chain of Gaussian draws with fixed step and metric to the right moments', () => {
    const sd = [1, 3, 0.3];
    const rng = new Rng(5);
    const nuts = new Nuts(gaussian(sd), rng);
    nuts.setInvMetric([1, 4, 0.25]);
    nuts.stepSize = 0.9;
    const n = 20000;
    const out: number[][] = sd.map(() => []);
    for (let k = 0; k < n; k++) {
      nuts.setPosition(sd.map((s) => s * rng.normal()));
      nuts.transition();
      for (let i = 0; i < sd.length; i++) out[i].push(nuts.position[i]);
    }
    for (let i = 0; i < sd.length; i++) {
      const { mean, variance } = meanVar(out[i]);
      expect(Math.abs(mean) / sd[i]).toBeLessThan(4 / Math.sqrt(n));
      expect(Math.abs(variance / sd[i] ** 2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
  });

  it('flags a divergence and stays put when the first step blows up', () => {
    const nuts = new Nuts(gaussian([1, 1]), new Rng(3));
    nuts.setPosition([0.5, -0.5]);
    nuts.stepSize = 200;
    const s = nuts.transition();
    expect(s.divergent).toBe(true);
    expect(s.nLeapfrog).toBe(1);
    expect(s.treeDepth).toBe(0);
    expect(Array.from(nuts.position)).toEqual([0.5, -0.5]);
    expect(s.lp).toBeCloseTo(-0.25, 12);
  });

  it('treats a non-finite density as divergent, not as a crash', () => {
    const walled: LogDensity = {
      dim: 1,
      logDensityGrad(q, g) {
        g[0] = -q[0];
        return q[0] > 1 ? NaN : -0.5 * q[0] * q[0];
      },
    };
    const nuts = new Nuts(walled, new Rng(9));
    nuts.setPosition([0.9]);
    nuts.stepSize = 0.5;
    let divergent = 0;
    for (let k = 0; k < 200; k++) {
      if (nuts.transition().divergent) divergent++;
      expect(nuts.position[0]).toBeLessThanOrEqual(1);
      expect(Number.isFinite(nuts.lp)).toBe(true);
    }
    expect(divergent).toBeGreaterThan(0);
  });

  it('keeps tree depth, leapfrog count and stats consistent', () => {
    const nuts = new Nuts(gaussian([0.5, 1, 100]), new Rng(2), { maxTreeDepth: 6 });
    nuts.setPosition([0, 0, 0]);
    nuts.stepSize = 0.05;
    let capped = 0;
    for (let k = 0; k < 300; k++) {
      const s = nuts.transition();
      expect(s.treeDepth).toBeLessThanOrEqual(6);
      expect(s.nLeapfrog).toBeGreaterThanOrEqual(2 ** s.treeDepth - 1);
      expect(s.nLeapfrog).toBeLessThanOrEqual(2 ** (s.treeDepth + 1) - 1);
      if (s.treeDepth === 6) {
        capped++;
        expect(s.nLeapfrog).toBe(63);
      }
      expect(s.acceptStat).toBeGreaterThanOrEqual(0);
      expect(s.acceptStat).toBeLessThanOrEqual(1);
      expect(s.stepSize).toBe(0.05);
      // energy = -lp + kinetic >= -lp
      expect(s.energy).toBeGreaterThanOrEqual(-s.lp);
      expect(s.lp).toBe(nuts.lp);
    }
    // sd 100 with step 0.05 needs thousands of steps to U-turn: the cap binds often
    expect(capped).toBeGreaterThan(100);
  });

  it('finds a step size proportional to the scale of the target', () => {
    for (const scale of [0.01, 1, 100]) {
      const nuts = new Nuts(gaussian(new Array(20).fill(scale)), new Rng(4));
      nuts.setPosition(new Array(20).fill(0.3 * scale));
      nuts.stepSize = 1;
      nuts.findReasonableStepSize();
      expect(nuts.stepSize / scale).toBeGreaterThan(0.125);
      expect(nuts.stepSize / scale).toBeLessThan(4);
      expect(Array.from(nuts.position)).toEqual(new Array(20).fill(0.3 * scale));
    }
  });

  it('rejects invalid metrics and positions', () => {
    const nuts = new Nuts(gaussian([1, 1]), new Rng(1));
    expect(() => nuts.setInvMetric([1, 0])).toThrow();
    expect(() => nuts.setInvMetric([1, NaN])).toThrow();
    expect(() => nuts.setPosition([1])).toThrow();
    expect(() => new Nuts(gaussian([1]), new Rng(1), { maxTreeDepth: 0 })).toThrow();
  });
});
