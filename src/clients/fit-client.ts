import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import type { FitWorkerApi, ChainOutput } from '../../workers/api.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import type { ModelData } from '../core/model/model-data.ts';
import type { FitSettings } from '../core/inference/fit-job.ts';
import { assembleFit, meetsRule, type FitResult } from '../core/inference/fit-result.ts';
import type { TableBlock } from '../core/inference/fit-worker-impl.ts';
import { drawColumnNames } from '../core/model/draws.ts';
import { buildLayout } from '../core/model/layout.ts';
import { summarizeProgress, type ChainStatus, type FitProgress } from '../core/inference/progress.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';

/**
 * Time per candidate kernel in the start-up probe, ms. On CPU the candidates differ by ~75x
 * (fused ~30k grad/s, tfjs-wasm ~400), which 50 ms resolves; every ms here delays the fit.
 */
export const PROBE_BUDGET_MS = 50;

/** The fit was cancelled by the user. */
export class FitCancelled extends Error {
  override name = 'FitCancelled';
}

/** A running fit: its result, and a cancel that stops every worker at once. */
export interface FitHandle {
  result: Promise<FitResult>;
  /** Terminates all workers (immediate); `result` rejects with FitCancelled. */
  cancel(): void;
  /** number of worker threads used */ workers: number;
}

/**
 * Fits the model with chains spread over web workers (one per core, at most one per chain).
 * Chain i runs on worker i mod W with seed stream (seed, i): the same draws whatever W is.
 * A crashed worker rejects `result` with its error and stops the others.
 */
export function startFit(
  spec: ModelSpec,
  data: ModelData,
  settings: FitSettings,
  onProgress: (p: FitProgress) => void,
  thresholds: Partial<ConvergenceThresholds> = {},
): FitHandle {
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  const W = Math.max(1, Math.min(settings.chains, cores));
  const spawn = () => new Worker(new URL('../../workers/fit.worker.ts', import.meta.url), { type: 'module' });
  // The probe runs in a throwaway worker: a second fused kernel in one thread makes V8 drop the
  // function-context specialisation of the kernel's closures, and the chains then run ~15-30%
  // slower per leapfrog (measured in Chromium: 26.7 vs 30.8-36 us). One kernel per fit worker.
  const prober = settings.kernel === 'auto' ? spawn() : undefined;
  const workers = Array.from({ length: W }, spawn);
  const apis: Remote<FitWorkerApi>[] = workers.map((w) => wrap<FitWorkerApi>(w));
  const all = prober ? [...workers, prober] : workers;
  let settle: ((e: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (settle = reject));
  failed.catch(() => {});
  const stop = (e: Error) => {
    all.forEach((w) => w.terminate());
    settle?.(e);
  };
  all.forEach((w, i) => {
    const name = w === prober ? 'Kernel probe worker' : `Fit worker ${i}`;
    w.onerror = (ev) => stop(new Error(`${name} crashed: ${ev.message || 'unknown error (see the console)'}`));
    w.onmessageerror = () => stop(new Error(`${name} sent a message that could not be read.`));
  });

  const statuses: ChainStatus[] = Array.from({ length: settings.chains }, (_, chain) => ({
    chain, iteration: 0, total: settings.warmup + settings.draws, phase: 'init', divergences: 0, itersPerS: 0, leapfrogs: 0,
  }));
  const onStatus = proxy((s: ChainStatus[]) => {
    for (const c of s) statuses[c.chain] = c;
    onProgress(summarizeProgress(statuses, W));
  });

  const t0 = performance.now();
  const rule = settings.untilConverged;
  let converged: { met: boolean; draws: number; seconds: number } | undefined;
  // Run until converged: a barrier per block. The decision reads every chain's draws up to the
  // block, so it depends only on the seed, never on timing: same seed, same stopping point.
  const blocks: Float64Array[][] = Array.from({ length: settings.chains }, () => []);
  const waiting = new Map<number, { arrived: number; resolvers: ((stop: boolean) => void)[] }>();
  const width = rule ? drawColumnNames(buildLayout(spec, data), data.channels).length : 0;
  const order = Array.from({ length: width }, (_, i) => i);
  const onBlock = proxy(
    (b: TableBlock): Promise<boolean> =>
      new Promise<boolean>((resolve) => {
        for (const c of b.chains) blocks[c.chain].push(c.values);
        const w = waiting.get(b.block) ?? { arrived: 0, resolvers: [] };
        waiting.set(b.block, w);
        w.arrived++;
        w.resolvers.push(resolve);
        if (w.arrived < W || !rule) return;
        const met = meetsRule(blocks.map(concat), width, rule, order);
        const stop = met || b.drawsSoFar >= settings.draws;
        if (stop) converged = { met, draws: b.drawsSoFar, seconds: (performance.now() - t0) / 1000 };
        waiting.delete(b.block);
        w.resolvers.forEach((r) => r(stop));
      }),
  );

  const run = async (): Promise<FitResult> => {
    const probeOnce = async (w: Worker) => {
      const api = wrap<FitWorkerApi>(w);
      try {
        return await api.probe(spec, data, PROBE_BUDGET_MS);
      } finally {
        api[releaseProxy]();
        w.terminate();
      }
    };
    const { chosen, probes } =
      settings.kernel === 'auto' ? await probeOnce(prober!) : { chosen: settings.kernel, probes: [] };
    const tProbed = performance.now();
    const jobs = apis.map((api, w) => {
      const chainIds = statuses.map((s) => s.chain).filter((c) => c % W === w);
      return rule
        ? api.fit({ spec, data, chainIds, settings, kernel: chosen }, onStatus, onBlock)
        : api.fit({ spec, data, chainIds, settings, kernel: chosen }, onStatus);
    });
    const outputs: ChainOutput[] = (await Promise.all(jobs)).flat();
    const tSampled = performance.now();
    const fit = assembleFit(outputs, { settings, kernel: chosen, probes, wallS: 0, converged }, thresholds);
    const wallS = (performance.now() - t0) / 1000;
    const perChain = outputs.map((o) => o.computeS);
    fit.timings = {
      probeS: (tProbed - t0) / 1000,
      chainsS: (tSampled - tProbed) / 1000,
      assembleS: (performance.now() - tSampled) / 1000,
      maxChainComputeS: Math.max(...perChain),
    };
    fit.wallS = wallS;
    fit.essPerS = Math.min(...fit.summary.map((r) => r.essBulk)) / wallS;
    return fit;
  };

  const result = Promise.race([run(), failed]).finally(() => {
    apis.forEach((a) => a[releaseProxy]());
    all.forEach((w) => w.terminate());
  });
  return {
    result,
    cancel: () => stop(new FitCancelled('Fit cancelled; no draws were kept.')),
    workers: W,
  };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
