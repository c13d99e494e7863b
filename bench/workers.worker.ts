// One worker of bench/workers.ts: times the fused kernel on its own thread for `ms` milliseconds.
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import type { ModelSpec } from '../src/core/spec/model-spec.ts';
import type { ModelData } from '../src/core/model/model-data.ts';

self.onmessage = (ev: MessageEvent<{ spec: ModelSpec; data: ModelData; ms: number }>) => {
  const { spec, data, ms } = ev.data;
  const k = createFusedKernel(spec, data);
  const theta = new Float64Array(k.dim).fill(0.1);
  const lp = new Float64Array(1);
  const grad = new Float64Array(k.dim);
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 100; i++) {
      theta[0] = 0.1 + 1e-9 * i;
      k.evaluateSync!(theta, 1, lp, grad);
    }
    n += 100;
    t = performance.now();
  }
  self.postMessage(n / ((t - t0) / 1000));
};
