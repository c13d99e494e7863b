import { describe, expect, it } from 'vitest';
import { Nuts } from '../../src/core/inference/nuts.ts';
import { WelfordCovariance } from '../../src/core/inference/covariance.ts';
import { createChain, type ChainResult } from '../../src/core/inference/chain.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { essBulk } from '../../src/core/diagnostics/ess.ts';
import type { LogDensity } from '../../src/core/kernels/kernel.ts';

/**
 * Equicorrelated Gaussian: x = D (sqrt(rho) z0 1 + sqrt(1 - rho) z), correlation rho between every
 * pair, scales D. Precision in closed form: D^-1 R^-1 D^-1 with
 * R^-1 = (I - rho / (1 + (n - 1) rho) 11^T) / (1 - rho).
 */
function equicorrelated(scales: number[], rho: number) {
  const n = scales.length;
  const c = rho / (1 + (n - 1) * rho);
  const P = new Float64Array(n * n);
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      P[i * n + j] = ((i === j ? 1 : 0) - c) / (1 - rho) / (scales[i] * scales[j]);
      S[i * n + j] = (i === j ? 1 : rho) * scales[i] * scales[j];
    }
  }
  const target: LogDensity = {
    dim: n,
    logDensityGrad(q, g) {
      let lp = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += P[i * n + j] * q[j];
        g[i] = -s;
        lp -= 0.5 * q[i] * s;
      }
      return lp;
    },
  };
  const exact = (rng: Rng): number[] => {
    const z0 = rng.normal();
    return scales.map((s) => s * (Math.sqrt(rho) * z0 + Math.sqrt(1 - rho) * rng.normal()));
  };
  return { target, cov: S, exact };
}

const SCALES = [0.1, 0.3, 1, 3, 10, 1, 0.5, 2];
const RHO = 0.95;

describe('WelfordCovariance', () => {
  it('matches the two-pass sample covariance and Stan\'s regularisation', () => {
    const pts = [[1, 2, 0], [3, -1, 4], [0, 0, 1], [2, 5, -2], [-1, 1, 1]];
    const w = new WelfordCovariance(3);
    pts.forEach((p) => w.add(p));
    const out = new Float64Array(9);
    w.covariance(out);
    const n = pts.length;
    const m = [0, 1, 2].map((j) => pts.reduce((a, p) => a + p[j], 0) / n);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const c = pts.reduce((a, p) => a + (p[i] - m[i]) * (p[j] - m[j]), 0) / (n - 1);
        expect(out[i * 3 + j]).toBeCloseTo(c, 12);
      }
    }
    const reg = new Float64Array(9);
    w.regularized(reg);
    expect(reg[0]).toBeCloseTo((5 / 10) * out[0] + 1e-3 * (5 / 10), 12);
    expect(reg[1]).toBeCloseTo((5 / 10) * out[1], 12);
  });
});

describe('Nuts with a dense metric', () => {
  it('rejects a matrix that is not positive definite', () => {
    const nuts = new Nuts(equicorrelated([1, 1], 0.5).target, new Rng(1));
    expect(() => nuts.setDenseInvMetric([1, 2, 2, 1])).toThrow(/positive definite/);
  });

  it('leaves exact draws exactly distributed (means, variances, correlation) at a coarse step', () => {
    const { target, cov, exact } = equicorrelated(SCALES, RHO);
    const rng = new Rng(21);
    const nuts = new Nuts(target, rng);
    // a deliberately wrong (but SPD) metric so that kinetic-energy or momentum errors cannot cancel
    const m = cov.slice();
    for (let i = 0; i < SCALES.length; i++) m[i * SCALES.length + i] *= 1.5;
    nuts.setDenseInvMetric(m);
    nuts.stepSize = 0.9;
    const n = 10000;
    const dim = SCALES.length;
    const sum = new Float64Array(dim);
    const sq = new Float64Array(dim);
    let cross = 0;
    let accept = 0;
    for (let k = 0; k < n; k++) {
      nuts.setPosition(exact(rng));
      accept += nuts.transition().acceptStat;
      const q = nuts.position;
      for (let i = 0; i < dim; i++) {
        sum[i] += q[i] / SCALES[i];
        sq[i] += (q[i] / SCALES[i]) ** 2;
      }
      cross += (q[0] / SCALES[0]) * (q[4] / SCALES[4]);
    }
    expect(accept / n).toBeLessThan(0.95);
    for (let i = 0; i < dim; i++) {
      expect(Math.abs(sum[i] / n)).toBeLessThan(4 / Math.sqrt(n));
      expect(Math.abs(sq[i] / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    }
    // var(x0 x4) = 1 + rho^2 for unit-variance Gaussians with correlation rho
    expect(Math.abs(cross / n - RHO)).toBeLessThan(4 * Math.sqrt((1 + RHO * RHO) / n));
  });
});

function runChain(metric: 'diag' | 'dense', seed: number): ChainResult {
  const { target } = equicorrelated(SCALES, RHO);
  const c = createChain({ target, rng: Rng.forChain(seed, 0), warmup: 1000, draws: 2000, metric });
  c.step(3000);
  return c.result();
}

function minEssPerLeapfrog(r: ChainResult): { ess: number; perLeapfrog: number } {
  const dim = r.dim;
  const n = r.lp.length;
  let ess = Infinity;
  for (let i = 0; i < dim; i++) ess = Math.min(ess, essBulk([Float64Array.from({ length: n }, (_, d) => r.draws[d * dim + i])]));
  return { ess, perLeapfrog: ess / (r.nLeapfrogTotal - r.nLeapfrogWarmup) };
}

describe("createChain with metric 'dense' on an 8-d Gaussian (correlation 0.95, scales 0.1 .. 10)", () => {
  const dense = runChain('dense', 5);
  const diag = runChain('diag', 5);
  const { cov } = equicorrelated(SCALES, RHO);
  const dim = SCALES.length;

  it('adapts the dense metric to the covariance (each entry within 25% of the diagonal scale)', () => {
    expect(dense.invMetricDense).toBeDefined();
    const M = dense.invMetricDense!;
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        expect(Math.abs(M[i * dim + j] - cov[i * dim + j]) / (SCALES[i] * SCALES[j])).toBeLessThan(0.25);
      }
    }
    expect(diag.invMetricDense).toBeUndefined();
  });

  it('recovers means, variances and the correlation', () => {
    const n = dense.lp.length;
    const { ess } = minEssPerLeapfrog(dense);
    for (let i = 0; i < dim; i++) {
      let s = 0;
      let s2 = 0;
      for (let d = 0; d < n; d++) {
        const z = dense.draws[d * dim + i] / SCALES[i];
        s += z;
        s2 += z * z;
      }
      expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(ess));
      expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / ess));
    }
  });

  it('needs far fewer leapfrogs per effective draw than the diagonal metric', () => {
    const d = minEssPerLeapfrog(dense);
    const g = minEssPerLeapfrog(diag);
    expect(d.ess).toBeGreaterThan(1000);
    expect(d.perLeapfrog).toBeGreaterThan(3 * g.perLeapfrog);
  });

  it('gives bit-identical draws for the same seed', () => {
    const again = runChain('dense', 5);
    expect(again.draws).toEqual(dense.draws);
  });
});

describe("createChain with the 'gradient-dense' warmup (300 iterations) on the same Gaussian", () => {
  const { target, cov } = equicorrelated(SCALES, RHO);
  const c = createChain({ target, rng: Rng.forChain(8, 0), warmup: 300, draws: 2000, adaptation: 'gradient-dense' });
  c.step(2300);
  const r = c.result();
  const dim = SCALES.length;

  it('ends with a dense metric that has the correlations and scales, and samples the right moments', () => {
    // 300 warmup draws see the common factor (variance ratio 150 to the rest) only a few times:
    // its scale is known within a factor ~2, the correlations closely.
    const M = r.invMetricDense!;
    for (let i = 0; i < dim; i++) {
      const ratio = M[i * dim + i] / cov[i * dim + i];
      expect(ratio).toBeGreaterThan(0.4);
      expect(ratio).toBeLessThan(2.5);
      for (let j = 0; j < i; j++) expect(M[i * dim + j] / Math.sqrt(M[i * dim + i] * M[j * dim + j])).toBeGreaterThan(0.8);
    }
    const { ess } = minEssPerLeapfrog(r);
    expect(ess).toBeGreaterThan(1000);
    const n = r.lp.length;
    for (let i = 0; i < dim; i++) {
      let s = 0;
      let s2 = 0;
      for (let d = 0; d < n; d++) {
        const z = r.draws[d * dim + i] / SCALES[i];
        s += z;
        s2 += z * z;
      }
      expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(ess));
      expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / ess));
    }
  });

  it('costs far less warmup than Stan\'s windows (1000 iterations, diag) on this target', () => {
    expect(r.nLeapfrogWarmup).toBeLessThan(0.5 * runChain('diag', 5).nLeapfrogWarmup);
  });
});
