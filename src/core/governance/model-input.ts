import { z } from 'zod';
import type { KpiKind, RevenuePerKpi } from '../analysis/roi.ts';
import type { FitSettings } from '../inference/fit-job.ts';
import type { KernelName } from '../kernels/kernel.ts';
import type { Dataset } from '../model/dataset.ts';
import { hashJson } from './canonical.ts';

/*
 * What a bundle keeps so that its run can be fitted again from its own inputs: the canonical
 * cleaned model input (the Dataset the sampler saw, factors and revenue per KPI included; the
 * weekly table of the manifest has numeric columns only), the exact sampler settings, and the
 * analysis options its summaries were computed with. Plain JSON (missing = null), hashed into
 * manifest.hashes.modelInput.
 */

const values = z.array(z.number().nullable());
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

/** The model's Dataset as JSON (NaN written as null). */
export const storedDatasetSchema = z
  .object({
    dates: z.array(isoDate),
    target: z.object({ name: z.string().min(1), values }).strict(),
    channels: z.array(z.object({ name: z.string().min(1), spend: values }).strict()),
    controls: z.array(z.object({ name: z.string().min(1), values }).strict()),
    factors: z.array(z.object({ name: z.string().min(1), levels: z.array(z.string()), baseline: z.string() }).strict()),
    revenuePerKpi: z
      .union([z.object({ name: z.string().min(1), values }).strict(), z.object({ name: z.null(), value: z.number().positive() }).strict()])
      .optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    const n = d.dates.length;
    const check = (path: (string | number)[], len: number) => {
      if (len !== n) ctx.addIssue({ code: 'custom', path, message: `${len} values for ${n} dates` });
    };
    check(['target', 'values'], d.target.values.length);
    d.channels.forEach((c, i) => check(['channels', i, 'spend'], c.spend.length));
    d.controls.forEach((c, i) => check(['controls', i, 'values'], c.values.length));
    d.factors.forEach((f, i) => check(['factors', i, 'levels'], f.levels.length));
    if (d.revenuePerKpi && 'values' in d.revenuePerKpi) check(['revenuePerKpi', 'values'], d.revenuePerKpi.values.length);
  });

/** A stored Dataset. */
export type StoredDataset = z.infer<typeof storedDatasetSchema>;

/** The analysis options the bundle's summaries were computed with (revenue per KPI comes from the dataset). */
export const storedAnalysisSchema = z
  .object({
    kpiKind: z.enum(['revenue', 'count', 'unspecified']),
    seed: z.number().int().min(0),
    maxDraws: z.number().int().positive().optional(),
    priorDraws: z.number().int().min(0).optional(),
  })
  .strict();

/** Analysis options as stored. */
export type StoredAnalysis = z.infer<typeof storedAnalysisSchema>;

/** Sampler settings as stored (FitSettings as JSON; the kernel is the one that ran, never 'auto'). */
export const storedFitSettingsSchema = z
  .object({
    chains: z.number().int().positive(),
    warmup: z.number().int().min(0),
    draws: z.number().int().positive(),
    seed: z.number().int().min(0),
    adaptDelta: z.number().gt(0).lt(1),
    maxTreeDepth: z.number().int().positive(),
    kernel: z.enum(['fused', 'tfjs-cpu', 'tfjs-wasm', 'tfjs-webgpu']),
    adaptation: z.enum(['stan', 'gradient', 'gradient-dense']).optional(),
    metric: z.enum(['diag', 'dense']).optional(),
    untilConverged: z.object({ maxRhat: z.number().positive(), minEss: z.number().positive(), blockDraws: z.number().int().positive() }).strict().optional(),
  })
  .strict();

/** The bundle section that makes a run re-runnable. */
export const reproductionSchema = z
  .object({
    modelInput: storedDatasetSchema,
    fitSettings: storedFitSettingsSchema,
    analysis: storedAnalysisSchema,
  })
  .strict();

/** A bundle's reproduction section. */
export type Reproduction = z.infer<typeof reproductionSchema>;

const toJson = (v: ArrayLike<number>) => Array.from(v, (x) => (Number.isFinite(x) ? x : null));
const fromJson = (v: readonly (number | null)[]) => Float64Array.from(v, (x) => (x === null ? NaN : x));

/** Dataset -> StoredDataset (non-finite values written as null). */
export function datasetToStored(ds: Dataset): StoredDataset {
  const rpk = ds.revenuePerKpi;
  return {
    dates: [...ds.dates],
    target: { name: ds.target.name, values: toJson(ds.target.values) },
    channels: ds.channels.map((c) => ({ name: c.name, spend: toJson(c.spend) })),
    controls: ds.controls.map((c) => ({ name: c.name, values: toJson(c.values) })),
    factors: ds.factors.map((f) => ({ name: f.name, levels: [...f.levels], baseline: f.baseline })),
    ...(rpk ? { revenuePerKpi: rpk.name === null ? { name: null, value: rpk.value } : { name: rpk.name, values: toJson(rpk.values) } } : {}),
  };
}

/** StoredDataset -> Dataset (null read as NaN). */
export function datasetFromStored(s: StoredDataset): Dataset {
  const rpk = s.revenuePerKpi;
  return {
    dates: [...s.dates],
    target: { name: s.target.name, values: fromJson(s.target.values) },
    channels: s.channels.map((c) => ({ name: c.name, spend: fromJson(c.spend) })),
    controls: s.controls.map((c) => ({ name: c.name, values: fromJson(c.values) })),
    factors: s.factors.map((f) => ({ name: f.name, levels: [...f.levels], baseline: f.baseline })),
    ...(rpk ? { revenuePerKpi: rpk.name === null ? { name: null, value: rpk.value } : { name: rpk.name, values: fromJson(rpk.values) } } : {}),
  };
}

/** SHA-256 of the canonical JSON of a stored Dataset (manifest.hashes.modelInput). */
export function hashModelInput(s: StoredDataset): Promise<string> {
  return hashJson(s);
}

/** FitSettings of a run as stored, with the kernel that actually ran pinned. */
export function storedFitSettings(settings: FitSettings, kernel: KernelName): Reproduction['fitSettings'] {
  const { untilConverged, adaptation, metric, ...rest } = settings;
  return {
    chains: rest.chains,
    warmup: rest.warmup,
    draws: rest.draws,
    seed: rest.seed,
    adaptDelta: rest.adaptDelta,
    maxTreeDepth: rest.maxTreeDepth,
    kernel,
    ...(adaptation ? { adaptation } : {}),
    ...(metric ? { metric } : {}),
    ...(untilConverged ? { untilConverged: { ...untilConverged } } : {}),
  };
}

/** Stored settings -> FitSettings (kernel pinned). */
export function fitSettingsOf(s: Reproduction['fitSettings']): FitSettings {
  const { untilConverged, ...rest } = s;
  return { ...rest, ...(untilConverged ? { untilConverged: { ...untilConverged } } : {}) };
}

/**
 * The analysis options a run's summaries were computed with, revenue per KPI read off its
 * model input the way the Results stage reads it (a constant, or one value per week).
 */
export function analysisOptionsOf(r: Reproduction): { kpiKind: KpiKind; seed: number; maxDraws?: number; priorDraws?: number; revenuePerKpi?: RevenuePerKpi } {
  const rpk = r.modelInput.revenuePerKpi;
  const revenuePerKpi = rpk ? (rpk.name === null ? rpk.value : fromJson(rpk.values)) : undefined;
  return { ...r.analysis, ...(revenuePerKpi !== undefined ? { revenuePerKpi } : {}) };
}
