import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import type { FitWorkerApi, ChainOutput } from '../../workers/api.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import type { ModelData } from '../core/model/model-data.ts';
import type { FitSettings } from '../core/inference/fit-job.ts';
import { assembleFit, meetsRule, type FitResult } from '../core/inference/fit-result.ts';
import type { TableBlock } from '../core/inference/fit-worker-impl.ts';
import type { GeoModelSpec } from '../core/spec/geo-spec.ts';
import type { GeoModelData } from '../core/model/geo-model-data.ts';
import { modelColumnNames, modelOf } from '../core/model/model-kind.ts';
import { summarizeProgress, type ChainStatus, type FitProgress } from '../core/inference/progress.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';
import type { KernelName } from '../core/kernels/kernel.ts';
import type { KernelProbe } from '../core/kernels/probe.ts';

/**
 * Time per candidate kernel in the start-up probe, ms. On CPU the candidates differ by ~75x
 * (bench/README.md), which 50 ms resolves. The probe runs beside chains
 * started on a guess (StartFitOptions.speculative); it delays the fit only when it disagrees.
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

/** Options of startFit that tests and benchmarks set; the app uses the defaults. */
export interface StartFitOptions {
  /**
   * With kernel 'auto', the chains start at once on this kernel while the probe runs beside
   * them; when the probe picks another kernel, they restart from scratch on that one (same
   * seed, so the draws are those of a fit pinned to the chosen kernel). Default 'fused', which
   * wins on every CPU measured so far: the probe (~0.4 s, mostly starting tfjs-wasm) then costs
   * no wall time.
   */
  speculative?: KernelName;
  /** Worker threads; default one per core, at most one per chain. */
  workers?: number;
}

/**
 * Fits the model (national, or the geo model when `spec` has a `geo` section and `data` is GeoModelData)
 * with chains spread over web workers (one per core, at most one per chain).
 * Chain i runs on worker i mod W with seed stream (seed, i): the same draws whatever W is.
 * A crashed worker rejects `result` with its error and stops the others.
 */
export function startFit(
  spec: ModelSpec | GeoModelSpec,
  data: ModelData | GeoModelData,
  settings: FitSettings,
  onProgress: (p: FitProgress) => void,
  thresholds: Partial<ConvergenceThresholds> = {},
  options: StartFitOptions = {},
): FitHandle {
  const cores = Math.max(1, navigator.hardwareConcurrency || 1);
  const W = Math.max(1, Math.min(settings.chains, options.workers ?? cores));
  const live = new Set<Worker>();
  let settle: ((e: Error) => void) | undefined;
  const failed = new Promise<never>((_, reject) => (settle = reject));
  failed.catch(() => {});
  const stop = (e: Error) => {
    live.forEach((w) => w.terminate());
    settle?.(e);
  };
  const spawn = (name: string) => {
    const w = new Worker(new URL('../../workers/fit.worker.ts', import.meta.url), { type: 'module' });
    w.onerror = (ev) => stop(new Error(`${name} crashed: ${ev.message || 'unknown error (see the console)'}`));
    w.onmessageerror = () => stop(new Error(`${name} sent a message that could not be read.`));
    live.add(w);
    return w;
  };
  const retire = (w: Worker) => {
    w.terminate();
    live.delete(w);
  };

  const t0 = performance.now();
  const rule = settings.untilConverged;
  const width = rule ? modelColumnNames(modelOf(spec, data)).length : 0;
  const order = Array.from({ length: width }, (_, i) => i);
  let current = 0; // the attempt whose status reaches the UI

  /** One set of W workers running every chain on `kernel`; `abandon` stops it without settling the fit. */
  const attempt = (kernel: KernelName) => {
    const id = ++current;
    const workers = Array.from({ length: W }, (_, i) => spawn(`Fit worker ${i}`));
    const apis: Remote<FitWorkerApi>[] = workers.map((w) => wrap<FitWorkerApi>(w));
    const statuses: ChainStatus[] = Array.from({ length: settings.chains }, (_, chain) => ({
      chain, iteration: 0, total: settings.warmup + settings.draws, phase: 'init', divergences: 0, itersPerS: 0, leapfrogs: 0,
    }));
    const onStatus = proxy((s: ChainStatus[]) => {
      if (id !== current) return;
      for (const c of s) statuses[c.chain] = c;
      onProgress(summarizeProgress(statuses, W));
    });
    // Run until converged: a barrier per block. The decision reads every chain's draws up to the
    // block, so it depends only on the seed, never on timing: same seed, same stopping point.
    let converged: { met: boolean; draws: number; seconds: number } | undefined;
    const blocks: Float64Array[][] = Array.from({ length: settings.chains }, () => []);
    const waiting = new Map<number, { arrived: number; resolvers: ((stop: boolean) => void)[] }>();
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
    const started = performance.now();
    const jobs = apis.map((api, w) => {
      const chainIds = statuses.map((s) => s.chain).filter((c) => c % W === w);
      const job = { spec, data, chainIds, settings, kernel };
      return rule ? api.fit(job, onStatus, onBlock) : api.fit(job, onStatus);
    });
    const close = () => {
      apis.forEach((a) => a[releaseProxy]());
      workers.forEach(retire);
    };
    const done = Promise.all(jobs)
      .then((out) => ({ outputs: out.flat() as ChainOutput[], converged, started }))
      .finally(close);
    return { done, abandon: close };
  };

  const probe = async (): Promise<{ chosen: KernelName; probes: KernelProbe[]; seconds: number }> => {
    const w = spawn('Kernel probe worker');
    const api = wrap<FitWorkerApi>(w);
    try {
      const r = await api.probe(spec, data, PROBE_BUDGET_MS);
      return { ...r, seconds: (performance.now() - t0) / 1000 };
    } finally {
      api[releaseProxy]();
      retire(w);
    }
  };

  const run = async (): Promise<FitResult> => {
    let chosen: KernelName;
    let probes: KernelProbe[] = [];
    let probeS = 0;
    let sampled: { outputs: ChainOutput[]; converged?: { met: boolean; draws: number; seconds: number }; started: number };
    if (settings.kernel !== 'auto') {
      chosen = settings.kernel;
      sampled = await attempt(chosen).done;
    } else {
      // The probe runs in its own throwaway worker: a second fused kernel in one thread makes V8
      // drop the specialisation of the kernel's closures (~15-30% slower per leapfrog).
      const guess = options.speculative ?? 'fused';
      const first = attempt(guess);
      first.done.catch(() => {});
      const probing = probe();
      probing.catch(() => {});
      // a chain that fails on the guess fails the fit at once, without waiting for the probe
      ({ chosen, probes, seconds: probeS } = await Promise.race([probing, first.done.then(() => probing)]));
      if (chosen === guess) sampled = await first.done;
      else {
        first.abandon();
        sampled = await attempt(chosen).done;
      }
    }
    const tSampled = performance.now();
    const { outputs, converged, started } = sampled;
    const fit = assembleFit(outputs, { settings, kernel: chosen, probes, wallS: 0, converged }, thresholds);
    const wallS = (performance.now() - t0) / 1000;
    fit.timings = {
      probeS,
      chainsS: (tSampled - started) / 1000,
      assembleS: (performance.now() - tSampled) / 1000,
      maxChainComputeS: Math.max(...outputs.map((o) => o.computeS)),
    };
    fit.wallS = wallS;
    fit.essPerS = Math.min(...fit.summary.map((r) => r.essBulk)) / wallS;
    return fit;
  };

  const result = Promise.race([run(), failed]).finally(() => live.forEach(retire));
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
