// One worker of bench/workers.ts: times the fused kernel on its own thread for `ms` milliseconds
// with the same timing loop as bench:kernel (after its warm-up).
import { createFusedKernel } from '../src/core/kernels/fused.ts';
import type { ModelSpec } from '../src/core/spec/model-spec.ts';
import type { ModelData } from '../src/core/model/model-data.ts';
import { measureKernel } from './kernel-measure.ts';

self.onmessage = async (ev: MessageEvent<{ spec: ModelSpec; data: ModelData; ms: number }>) => {
  const { spec, data, ms } = ev.data;
  const k = createFusedKernel(spec, data);
  const rate = await measureKernel(k, new Float64Array(k.dim).fill(0.1), 1, { budgetMs: ms, runs: 1 });
  self.postMessage(rate.gradPerS);
};
