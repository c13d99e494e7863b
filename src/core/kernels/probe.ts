import type { DensityKernel, KernelName } from './kernel.ts';

/** Measured speed of one kernel at fit start. */
export interface KernelProbe {
  name: KernelName;
  /** Gradient evaluations per second for one point (one chain). */
  gradPerS: number;
  /** Why a candidate was not usable, when it was not. */
  error?: string;
}

/**
 * Times each candidate for about `budgetMs` on the same point and returns the fastest usable
 * one plus every measurement (recorded in the run manifest). Only kernels with a synchronous
 * path can drive a chain in a worker, so the others are reported, not chosen.
 * @param theta one unconstrained point [dim]
 * @param now monotonic clock in ms (performance.now), passed in to keep core pure
 */
export function probeKernels(
  candidates: readonly DensityKernel[],
  theta: Float64Array,
  budgetMs: number,
  now: () => number,
): { chosen: KernelName; probes: KernelProbe[] } {
  const probes: KernelProbe[] = [];
  for (const k of candidates) {
    if (!k.evaluateSync) {
      probes.push({ name: k.name, gradPerS: 0, error: 'no synchronous path' });
      continue;
    }
    const lp = new Float64Array(1);
    const grad = new Float64Array(k.dim);
    try {
      k.evaluateSync(theta, 1, lp, grad); // warm-up: JIT, backend buffers
      if (!Number.isFinite(lp[0])) throw new Error(`log density is ${lp[0]} at the probe point`);
      let n = 0;
      const t0 = now();
      let t = t0;
      while (t - t0 < budgetMs) {
        for (let i = 0; i < 8; i++) k.evaluateSync(theta, 1, lp, grad);
        n += 8;
        t = now();
      }
      probes.push({ name: k.name, gradPerS: (n * 1000) / Math.max(t - t0, 1e-6) });
    } catch (e) {
      probes.push({ name: k.name, gradPerS: 0, error: e instanceof Error ? e.message : String(e) });
    }
  }
  const usable = probes.filter((p) => !p.error);
  if (usable.length === 0) throw new Error(`No usable kernel: ${probes.map((p) => `${p.name}: ${p.error}`).join('; ')}`);
  const chosen = usable.reduce((a, b) => (b.gradPerS > a.gradPerS ? b : a)).name;
  return { chosen, probes };
}
