import type { CheckResult } from '../check/result.ts';
import type { FitAnalysis } from '../analysis/analyse-fit.ts';
import type { SummaryRow } from '../diagnostics/summary.ts';
import type { Dataset } from '../model/dataset.ts';
import { BUNDLE_SCHEMA_VERSION, type RunBundle } from './bundle-schema.ts';
import type { FitSettings } from '../inference/fit-job.ts';
import type { KernelName } from '../kernels/kernel.ts';
import { datasetToStored, storedFitSettings, type Reproduction, type StoredAnalysis } from './model-input.ts';
import { bundlePartsFromSummary } from './bundle-summary.ts';
import { identifiabilityFromAnalysis, mappingSnapshot, runSummaryFromAnalysis, tableToStored, weeklyTableFromDataset } from './from-analysis.ts';
import type { IdentifiabilitySignal } from './labels.ts';
import { buildManifest } from './manifest.ts';
import type { RunDiagnostics, RunSummary } from './run-summary.ts';

/** Compute backend of each kernel (the manifest records both). */
export const KERNEL_BACKEND: Readonly<Record<string, string>> = { fused: 'cpu', 'tfjs-cpu': 'cpu', 'tfjs-wasm': 'wasm', 'tfjs-webgpu': 'webgpu' };

/** The parts of a finished fit a bundle reads (a structural subset of FitResult). */
export interface FitFacts {
  kernel: string;
  settings: { seed: number; chains: number; draws: number };
  summary: readonly SummaryRow[];
  sampler: { divergences: { count: number } };
  checks: readonly CheckResult[];
  /** run-until-converged: the draws per chain actually kept */
  converged?: { draws: number };
}

/** Everything a run bundle is made from. */
export interface RunBundleSources {
  runId: string;
  name?: string;
  appVersion: string;
  createdAt: Date;
  /** The uploaded file's bytes. */
  rawFile: Uint8Array;
  /** The cleaned dataset the model was fitted on. */
  dataset: Dataset;
  /** The config's mapping fields (date_col, kpi_col, channel_map, controls...). */
  mapping: { date_col: string; kpi_col: string; channel_map: Record<string, { spend: string; exposure?: string | null }>; controls: readonly string[] } & Record<string, unknown>;
  /** The whole config as plain JSON. */
  config: Record<string, unknown>;
  /** The model spec as plain JSON. */
  modelSpec: Record<string, unknown>;
  lineage: RunBundle['lineage'];
  /** Data checks (after overrides) the run was cleared on. */
  dataChecks: readonly CheckResult[];
  fit: FitFacts;
  analysis: Pick<FitAnalysis, 'channels' | 'draws' | 'weeks'>;
  /**
   * The exact sampler settings and the analysis options of `analysis`: with them the bundle
   * keeps its model input and can be re-run (omitted: a comparable but not re-runnable bundle).
   */
  reproduction?: { fitSettings: FitSettings; analysis: StoredAnalysis };
  /** Plans and scenarios made on this run (the Plan stage), as stored. */
  plans?: RunBundle['plans'];
}

/** Worst R-hat, smallest bulk ESS and divergences of a fit (NaN R-hat wins: it is a failure). */
export function runDiagnostics(fit: FitFacts): RunDiagnostics {
  let maxRhat = fit.summary.length ? 0 : NaN;
  let minEssBulk = fit.summary.length ? Infinity : NaN;
  for (const r of fit.summary) {
    if (Number.isNaN(r.rhat)) maxRhat = NaN;
    else if (!Number.isNaN(maxRhat) && r.rhat > maxRhat) maxRhat = r.rhat;
    if (Number.isNaN(r.essBulk)) minEssBulk = NaN;
    else if (!Number.isNaN(minEssBulk) && r.essBulk < minEssBulk) minEssBulk = r.essBulk;
  }
  return { maxRhat, minEssBulk, divergences: fit.sampler.divergences.count };
}

/**
 * A run bundle (manifest with SHA-256 of the raw file, the cleaned table and mapping + config +
 * spec; lineage; data and convergence checks; diagnostics; per channel summaries with <= 1000
 * thinned draws; the cleaned table) plus the run summary and identifiability signals that
 * governance compares. Identifiability is kept in the bundle's evaluation under `identifiability`.
 */
export async function assembleRunBundle(src: RunBundleSources): Promise<{ bundle: RunBundle; summary: RunSummary; identifiability: IdentifiabilitySignal[] }> {
  const snapshot = mappingSnapshot(src.mapping);
  const table = weeklyTableFromDataset(src.dataset, snapshot);
  const mapping = JSON.parse(JSON.stringify(src.mapping)) as Record<string, unknown>;
  const reproduction: Reproduction | null = src.reproduction
    ? { modelInput: datasetToStored(src.dataset), fitSettings: storedFitSettings(src.reproduction.fitSettings, src.fit.kernel as KernelName), analysis: { ...src.reproduction.analysis } }
    : null;
  const manifest = await buildManifest({
    ...(reproduction ? { modelInput: reproduction.modelInput } : {}),
    runId: src.runId,
    ...(src.name ? { name: src.name } : {}),
    appVersion: src.appVersion,
    createdAt: src.createdAt,
    rawFile: src.rawFile,
    cleanedTable: table,
    mapping,
    config: src.config,
    modelSpec: src.modelSpec,
    seed: src.fit.settings.seed,
    kernel: src.fit.kernel,
    backend: KERNEL_BACKEND[src.fit.kernel] ?? 'unknown',
    chains: src.fit.settings.chains,
    draws: src.fit.converged?.draws ?? src.fit.settings.draws,
  });
  const diagnostics = runDiagnostics(src.fit);
  // only the stored fields: a check may carry extras (override notes) the strict schema refuses
  const checks = [...src.dataChecks, ...src.fit.checks].map(({ id, severity, title, detail, evidence, fix }) => ({ id, severity, title, detail, evidence: { ...evidence }, ...(fix ? { fix } : {}) }));
  const summary = runSummaryFromAnalysis(src.analysis, { runId: src.runId, kernel: src.fit.kernel, diagnostics, checks });
  const identifiability = identifiabilityFromAnalysis(src.analysis);
  const bundle: RunBundle = {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    manifest,
    inputs: { mapping, config: src.config, modelSpec: src.modelSpec },
    lineage: src.lineage,
    checks,
    diagnostics: { ...diagnostics, rows: src.fit.summary.map((r) => ({ ...r })) },
    ...bundlePartsFromSummary(summary),
    evaluation: { identifiability },
    plans: src.plans ?? [],
    table: tableToStored(table),
    reproduction,
  };
  return { bundle, summary, identifiability };
}

/** The identifiability signals a bundle kept (empty for a bundle written without them). */
export function identifiabilityOfBundle(bundle: RunBundle): IdentifiabilitySignal[] {
  const v = (bundle.evaluation as { identifiability?: unknown } | null)?.identifiability;
  if (!Array.isArray(v)) return [];
  return v.filter((s): s is IdentifiabilitySignal => !!s && typeof s === 'object' && typeof (s as { channel?: unknown }).channel === 'string');
}
