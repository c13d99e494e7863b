// Browser side of bench/workers.ts: runs the fused kernel in 1 and in 2 dedicated workers at once.
import type { ModelSpec } from '../src/core/spec/model-spec.ts';
import type { ModelData } from '../src/core/model/model-data.ts';

/** Grad/s of each of `n` workers started together, each timing the kernel for `ms`. */
async function runWorkers(spec: ModelSpec, data: ModelData, n: number, ms: number): Promise<number[]> {
  const ws = Array.from({ length: n }, () => new Worker(new URL('./workers.worker.ts', import.meta.url), { type: 'module' }));
  try {
    return await Promise.all(
      ws.map((w) => new Promise<number>((resolve, reject) => {
        w.onmessage = (e: MessageEvent<number>) => resolve(e.data);
        w.onerror = (e) => reject(new Error(e.message));
        w.postMessage({ spec, data, ms });
      })),
    );
  } finally {
    ws.forEach((w) => w.terminate());
  }
}

/** JSON in, JSON out: typed arrays cross page.evaluate as plain arrays. */
async function runWorkersBench(json: string): Promise<{ one: number[]; two: number[][] }> {
  const p = JSON.parse(json) as { spec: ModelSpec; data: Record<string, unknown>; rounds: number; ms: number };
  const data = Object.fromEntries(
    Object.entries(p.data).map(([k, v]) => [k, Array.isArray(v) && typeof v[0] === 'number' ? Float64Array.from(v as number[]) : v]),
  ) as unknown as ModelData;
  const one: number[] = [];
  const two: number[][] = [];
  for (let r = 0; r < p.rounds; r++) {
    one.push((await runWorkers(p.spec, data, 1, p.ms))[0]);
    two.push(await runWorkers(p.spec, data, 2, p.ms));
  }
  return { one, two };
}

(window as unknown as { runWorkersBench: typeof runWorkersBench }).runWorkersBench = runWorkersBench;
document.getElementById('status')!.textContent = 'ready';
