import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { KernelName } from '../kernels/kernel.ts';
import { asLogDensity } from '../kernels/kernel.ts';
import { createKernel, PROBE_CANDIDATES } from '../kernels/factory.ts';
import { probeKernels, type KernelProbe } from '../kernels/probe.ts';
import type { TfjsBackendOptions } from '../kernels/tfjs-backend.ts';
import type { DrawTable } from '../model/draws.ts';
import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { modelDrawTable, modelInitBox, modelLayout, modelOf } from '../model/model-kind.ts';
import { runChains, type ChainRun, type DrawBlock, type FitSettings } from './fit-job.ts';
import type { ChainStatus } from './progress.ts';
import { Rng } from './rng.ts';

/**
 * What a fit worker does, as plain functions: the worker file only exposes them, and tests
 * call them directly to check that the worker gives identical draws.
 */
export async function probeFitKernels(
  spec: ModelSpec | GeoModelSpec,
  data: ModelData | GeoModelData,
  budgetMs: number,
  now: () => number,
  tfjsOptions: TfjsBackendOptions = {},
): Promise<{ chosen: KernelName; probes: KernelProbe[] }> {
  const kernels = [];
  const failed: KernelProbe[] = [];
  for (const name of PROBE_CANDIDATES) {
    try {
      kernels.push(await createKernel(name, spec, data, tfjsOptions));
    } catch (e) {
      failed.push({ name, gradPerS: 0, error: e instanceof Error ? e.message : String(e) });
    }
  }
  // a fixed, seeded point inside Stan's init region: the probe is reproducible
  const rng = new Rng(12345);
  const theta = Float64Array.from({ length: modelLayout(modelOf(spec, data)).dim }, () => rng.uniformIn(-1, 1));
  const { chosen, probes } = probeKernels(kernels, theta, budgetMs, now);
  kernels.forEach((k) => k.dispose());
  return { chosen, probes: [...probes, ...failed] };
}

/** A block of draws as named columns (run-until-converged): what the client's stopping rule reads. */
export interface TableBlock {
  /** 0-based block index */ block: number;
  /** draws per chain so far */ drawsSoFar: number;
  /** per chain: global index and the block's DrawTable values [n * names.length] */
  chains: { chain: number; values: Float64Array }[];
}

/**
 * Runs a worker's chains with the pinned kernel and converts draws to named columns.
 * @param onBlock run-until-converged only: sees each block as columns; resolves true to stop
 */
export async function runFitJob(
  job: { spec: ModelSpec | GeoModelSpec; data: ModelData | GeoModelData; chainIds: number[]; settings: FitSettings; kernel: KernelName },
  now: () => number,
  onStatus?: (s: ChainStatus[]) => void,
  tfjsOptions: TfjsBackendOptions = {},
  onBlock?: (b: TableBlock) => Promise<boolean> | boolean,
): Promise<(ChainRun & { table: DrawTable })[]> {
  const kernel = await createKernel(job.kernel, job.spec, job.data, tfjsOptions);
  try {
    const model = modelOf(job.spec, job.data);
    const toTable = onBlock
      ? (b: DrawBlock) =>
          onBlock({
            block: b.block,
            drawsSoFar: b.drawsSoFar,
            chains: b.chains.map((c) => ({ chain: c.chain, values: modelDrawTable(model, c.draws).values })),
          })
      : undefined;
    const settings = { ...job.settings, initBox: job.settings.initBox ?? modelInitBox(model) };
    const runs = await runChains(asLogDensity(kernel), job.chainIds, settings, now, onStatus, toTable);
    return runs.map((r) => ({ ...r, table: modelDrawTable(model, r.result.draws) }));
  } finally {
    kernel.dispose();
  }
}
