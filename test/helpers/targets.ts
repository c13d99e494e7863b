import type { LogDensity } from '../../src/core/kernels/kernel.ts';

/** Independent Gaussian with standard deviations sd (a sampler test target with known moments). */
export function gaussian(sd: number[]): LogDensity {
  const dim = sd.length;
  return {
    dim,
    logDensityGrad(q, g) {
      let lp = 0;
      for (let i = 0; i < dim; i++) {
        const z = q[i] / sd[i];
        lp -= 0.5 * z * z;
        g[i] = -z / sd[i];
      }
      return lp;
    },
  };
}
