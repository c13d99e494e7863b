import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRobyn, fixturePath } from '../helpers/robyn.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { createFusedKernel } from '../../src/core/kernels/fused.ts';
import { logPosterior } from '../../src/core/model/posterior.ts';
import { constrain } from '../../src/core/model/constrain.ts';

// rstan 2.21 log_prob / grad_log_prob of peer/stan/mmm.stan at 8 random unconstrained points.
interface Fixture {
  unconstrained_order: string;
  data: string;
  points: { unconstrained: number[]; lp: number; grad: number[]; constrained: number[] }[];
}
const fx = JSON.parse(readFileSync(fixturePath('reference/robyn_logprob_fixture.json'), 'utf8')) as Fixture;
const data = prepareModelData(loadRobyn(), DEFAULT_MODEL_SPEC);
const kernel = createFusedKernel(DEFAULT_MODEL_SPEC, data);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe('Stan log-density fixture (Robyn, reference model)', () => {
  it('prepares the data and orders parameters as the fixture says', () => {
    expect(fx.data).toContain('L = 8');
    expect(fx.data).toContain('period 52.18');
    expect([data.N, data.C, data.K, data.L]).toEqual([208, 5, 3, 8]);
    expect(data.controls).toEqual(['competitor_sales_B', 'events=event1', 'events=event2']);
    // "intercept, delta, fourier[1..4], log beta[1..5], logit alpha[1..5], log Khalf[1..5], log S[1..5], gamma[1..3], log sigma"
    expect(kernel.layout.names.slice(0, 7)).toEqual(['intercept', 'trend', 'fourier[sin1]', 'fourier[cos1]', 'fourier[sin2]', 'fourier[cos2]', 'beta[tv_S]']);
    expect(kernel.layout.blocks.map((b) => [b.name, b.size, b.transform])).toEqual([
      ['intercept', 1, 'identity'], ['trend', 1, 'identity'], ['fourier', 4, 'identity'], ['beta', 5, 'log'],
      ['alpha', 5, 'logit'], ['K', 5, 'log'], ['S', 5, 'log'], ['gamma', 3, 'identity'], ['sigma', 1, 'log'],
    ]);
    expect(kernel.dim).toBe(fx.points[0].unconstrained.length);
  });

  it('constrains the fixture points to Stan\'s constrained values', () => {
    for (const p of fx.points) {
      const x = constrain(kernel.layout, p.unconstrained);
      p.constrained.forEach((v, i) => expect(rel(x[i], v)).toBeLessThan(1e-12));
    }
  });

  it('fused kernel: log density differences between points and gradients match Stan to 1e-8 relative', () => {
    const lp = new Float64Array(fx.points.length);
    const grad = new Float64Array(fx.points.length * kernel.dim);
    kernel.evaluateSync!(Float64Array.from(fx.points.flatMap((p) => p.unconstrained)), fx.points.length, lp, grad);
    fx.points.forEach((p, i) => {
      for (let j = 0; j < i; j++) expect(rel(lp[i] - lp[j], p.lp - fx.points[j].lp)).toBeLessThan(1e-8);
      p.grad.forEach((gs, d) => expect(rel(grad[i * kernel.dim + d], gs)).toBeLessThan(1e-8));
      // we drop the same constants as Stan's `~`, so even the level agrees
      expect(rel(lp[i], p.lp)).toBeLessThan(1e-10);
    });
  });

  it('reference posterior.ts: log density equals Stan\'s (same constants)', () => {
    for (const p of fx.points) {
      expect(rel(logPosterior(DEFAULT_MODEL_SPEC, data, kernel.layout, p.unconstrained), p.lp)).toBeLessThan(1e-10);
    }
  });
});
