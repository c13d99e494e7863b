import type { CheckResult } from '../core/check/result.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import type { ModelData } from '../core/model/model-data.ts';
import type { Config } from '../core/spec/config.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import type { RunBundle } from '../core/governance/bundle-schema.ts';
import type { LineageEntry } from '../data/clean/index.ts';
import type { MappingConfig } from '../data/mapping.ts';

/*
 * What a run bundle is made from, read off the dataset and fit states in one place, so that a
 * refactor of those states only changes runSourcesFrom.
 */

/** The inputs and result of one finished fit. */
export interface RunSources {
  fileName: string;
  rawBytes: Uint8Array;
  dataset: Dataset;
  mapping: MappingConfig;
  config: Config;
  lineage: LineageEntry[];
  /** Data checks after overrides. */
  dataChecks: CheckResult[];
  spec: ModelSpec;
  data: ModelData;
  result: FitResult;
}

/** The dataset state's parts a bundle reads (structural, so a refactored state still fits). */
export interface DatasetSide {
  load: { file: { name: string; bytes: Uint8Array } | null };
  dataset: Dataset | null;
  mapping: { mapping: MappingConfig };
  settings: { config: Config };
  cleaning: { lineage: LineageEntry[] | null };
  checks: { report: { results: CheckResult[] } | null };
}

/** The fit state's parts a bundle reads. */
export interface FitSide {
  result: FitResult | null;
  spec: ModelSpec | null;
  data: ModelData | null;
}

/** The sources of the current fit, or null while any part is missing. */
export function runSourcesFrom(ds: DatasetSide, fit: FitSide): RunSources | null {
  const file = ds.load.file;
  if (!file || !ds.dataset || !fit.result || !fit.spec || !fit.data) return null;
  return {
    fileName: file.name,
    rawBytes: file.bytes,
    dataset: ds.dataset,
    mapping: ds.mapping.mapping,
    config: ds.settings.config,
    lineage: ds.cleaning.lineage ?? [],
    dataChecks: ds.checks.report?.results ?? [],
    spec: fit.spec,
    data: fit.data,
    result: fit.result,
  };
}

/** Cleaning lineage in the bundle's form. */
export function bundleLineage(lineage: readonly LineageEntry[]): RunBundle['lineage'] {
  return lineage.map((l) => ({ step: `${l.step}:${l.rule}`, detail: l.detail, ...(l.column ? { column: l.column } : {}), rows: l.cellsChanged }));
}
