import type { FitAnalysis } from '../analysis/analyse-fit.ts';
import type { CheckResult } from '../check/result.ts';
import type { FitSettings } from '../inference/fit-job.ts';
import type { Dataset } from '../model/dataset.ts';
import { modelSpecSchema, type ModelSpec } from '../spec/model-spec.ts';
import type { RunBundle } from './bundle-schema.ts';
import { bundlePartsFromSummary, runSummaryFromBundle } from './bundle-summary.ts';
import { hashTable, sha256Hex } from './canonical.ts';
import { mappingSnapshot, runSummaryFromAnalysis, tableFromStored, weeklyTableFromDataset } from './from-analysis.ts';
import { hashSpec } from './manifest.ts';
import { analysisOptionsOf, datasetFromStored, fitSettingsOf, hashModelInput, type Reproduction } from './model-input.ts';
import { compareReproducibility } from './reproducibility.ts';
import { runDiagnostics, type FitFacts } from './run-bundle-build.ts';
import type { RunSummary } from './run-summary.ts';

/*
 * Re-running a bundle from its own inputs, the pure parts: check every manifest hash against
 * what the bundle (and the raw file, when this browser kept it) holds, hand back the model
 * input, spec and settings to fit, and turn the refit into a summary comparable with the stored
 * one. The app runs the fit and the analysis in its workers; tests run them in process.
 */

/** What one refit runs: the model input, the spec and sampler settings, and the analysis options. */
export interface RefitInputs {
  dataset: Dataset;
  spec: ModelSpec;
  /** Kernel pinned to the one that ran (re-runs are bit-identical only on the same kernel). */
  settings: FitSettings;
  analysis: ReturnType<typeof analysisOptionsOf>;
  /** training.max_rhat / min_ess of the config side, for the fit's convergence checks. */
  thresholds: { maxRhat?: number; minEss?: number };
}

const label = (b: RunBundle) => b.manifest.name || b.manifest.runId;

function specOf(b: RunBundle): ModelSpec {
  const parsed = modelSpecSchema.safeParse(b.inputs.modelSpec);
  if (!parsed.success) throw new Error(`run ${label(b)}: its model spec no longer reads (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}), so it cannot be refitted`);
  return parsed.data;
}

function reproductionOf(b: RunBundle): Reproduction {
  if (!b.reproduction) throw new Error(`run ${label(b)} was saved without its model input (a bundle older than schema version 2), so it cannot be refitted: fit its data again to make a re-runnable run`);
  return b.reproduction;
}

function thresholdsOf(b: RunBundle): RefitInputs['thresholds'] {
  const t = (b.inputs.config as { training?: { max_rhat?: unknown; min_ess?: unknown } }).training;
  return { ...(typeof t?.max_rhat === 'number' ? { maxRhat: t.max_rhat } : {}), ...(typeof t?.min_ess === 'number' ? { minEss: t.min_ess } : {}) };
}

/**
 * The refit of `dataFrom`'s model input under `configFrom`'s model spec, sampler settings and
 * analysis options. With the same bundle twice it is the re-run; with two bundles it is a cross
 * refit of the refresh design (previous data + new config, or new data + previous config).
 * @throws when a bundle has no model input or its spec no longer reads (messages name the run)
 */
export function refitInputs(dataFrom: RunBundle, configFrom: RunBundle = dataFrom): RefitInputs {
  const data = reproductionOf(dataFrom);
  const config = reproductionOf(configFrom);
  const mixed: Reproduction = { modelInput: data.modelInput, fitSettings: config.fitSettings, analysis: config.analysis };
  return { dataset: datasetFromStored(data.modelInput), spec: specOf(configFrom), settings: fitSettingsOf(config.fitSettings), analysis: analysisOptionsOf(mixed), thresholds: thresholdsOf(configFrom) };
}

/**
 * Checks that a bundle's inputs are the ones its manifest names, before re-running it: SHA-256
 * of the raw file (when this browser kept its bytes), of the cleaned table rebuilt from the
 * model input, of the stored table, of the model input and of mapping + config + spec.
 * @param rawFile the uploaded file's bytes as kept in this browser, or null when they are not here
 * @returns `governance.rerun-inputs`: block when a hash differs or the bundle cannot be re-run;
 *   warn when only the raw file could not be checked; info when every hash matches
 */
export async function verifyRerunInputs(bundle: RunBundle, rawFile: Uint8Array | null): Promise<CheckResult> {
  const id = 'governance.rerun-inputs';
  const name = label(bundle);
  if (!bundle.reproduction) {
    return { id, severity: 'block', title: `Run ${name} cannot be re-run`, detail: 'It was saved without its model input (a bundle older than schema version 2).', evidence: { runId: bundle.manifest.runId }, fix: 'Fit its data again in this version of the app: the new run keeps what a re-run needs.' };
  }
  const h = bundle.manifest.hashes;
  const mapping = mappingSnapshot(bundle.inputs.mapping as Parameters<typeof mappingSnapshot>[0]);
  const rebuilt = weeklyTableFromDataset(datasetFromStored(bundle.reproduction.modelInput), mapping);
  const [raw, rebuiltTable, storedTable, modelInput, spec] = await Promise.all([
    rawFile ? sha256Hex(rawFile) : null,
    hashTable(rebuilt),
    bundle.table ? hashTable(tableFromStored(bundle.table)) : null,
    hashModelInput(bundle.reproduction.modelInput),
    hashSpec(bundle.inputs.mapping, bundle.inputs.config, bundle.inputs.modelSpec),
  ]);
  const rows: { what: string; expected: string; found: string | null }[] = [
    { what: 'raw file', expected: h.rawFile, found: raw },
    { what: 'cleaned table (rebuilt from the model input)', expected: h.cleanedTable, found: rebuiltTable },
    ...(storedTable ? [{ what: 'cleaned table (stored)', expected: h.cleanedTable, found: storedTable }] : []),
    ...(h.modelInput ? [{ what: 'model input', expected: h.modelInput, found: modelInput }] : []),
    { what: 'mapping + config + model spec', expected: h.spec, found: spec },
  ];
  const bad = rows.filter((r) => r.found !== null && r.found !== r.expected);
  const evidence = { runId: bundle.manifest.runId, hashes: rows.map((r) => ({ ...r, matches: r.found === null ? null : r.found === r.expected })) };
  if (bad.length) {
    return {
      id,
      severity: 'block',
      title: `Run ${name} does not match its manifest: ${bad.map((b) => b.what).join(', ')}`,
      detail: bad.map((b) => `${b.what}: manifest ${b.expected.slice(0, 12)}..., found ${b.found!.slice(0, 12)}...`).join('; '),
      evidence,
      fix: 'The bundle was changed after the run (or its file differs): re-run only from an untouched bundle and the file it was fitted on.',
    };
  }
  if (raw === null) {
    return { id, severity: 'warn', title: `The raw file of run ${name} is not kept in this browser`, detail: 'Its SHA-256 could not be checked; the cleaned table, model input and settings match the manifest.', evidence, fix: 'Fit from the original file in this browser to keep its bytes beside the run.' };
  }
  return { id, severity: 'info', title: `Run ${name} matches its manifest`, detail: `Raw file, cleaned table${h.modelInput ? ', model input' : ''} and mapping + config + model spec hash to the recorded SHA-256.`, evidence };
}

/**
 * A refit as governance compares it: its analysis summarised the way the stored run was
 * (per channel ROI and share with <= 1000 thinned draws, worst R-hat, smallest ESS, divergences),
 * round-tripped through the bundle's own form so both sides are read identically.
 * @param template the bundle the refit is compared with (its checks are carried over)
 */
export function refitSummary(template: RunBundle, runId: string, fit: FitFacts, analysis: Pick<FitAnalysis, 'channels' | 'draws'>): RunSummary {
  const diagnostics = runDiagnostics(fit);
  const summary = runSummaryFromAnalysis(analysis, { runId, kernel: fit.kernel, diagnostics, checks: [] });
  return runSummaryFromBundle({ ...template, manifest: { ...template.manifest, runId, kernel: fit.kernel }, ...bundlePartsFromSummary(summary), diagnostics: { ...diagnostics, rows: [] } });
}

/**
 * The reproducibility verdict of a re-run: the input verification when it blocks, else
 * compareReproducibility of the stored summary and the refit's (identical numbers on the same kernel).
 */
export function rerunVerdict(original: RunBundle, inputs: CheckResult, rerun: RunSummary): CheckResult {
  if (inputs.severity === 'block') return inputs;
  const r = compareReproducibility(runSummaryFromBundle(original), rerun);
  return { ...r, evidence: { ...r.evidence, inputs: inputs.evidence, inputsSeverity: inputs.severity } };
}

