import type { CheckResult } from '../check/result.ts';
import { hashJson, hashTable, sha256Hex, type WeeklyTable } from './canonical.ts';
import type { RunManifest } from './bundle-schema.ts';
import { hashModelInput, type StoredDataset } from './model-input.ts';

/** What a manifest is computed from: the run's inputs and how it was sampled. */
export interface ManifestInput {
  runId: string;
  name?: string;
  /** The build's version (package.json version, plus the commit where known). */
  appVersion: string;
  createdAt: Date;
  /** Bytes of the uploaded file, as read. */
  rawFile: Uint8Array;
  /** The cleaned weekly table the model was fitted on. */
  cleanedTable: WeeklyTable;
  /** The whole model input (factors included), when the bundle keeps it for re-runs. */
  modelInput?: StoredDataset;
  /** Column roles (the config's `data` section). */
  mapping: Record<string, unknown>;
  /** The whole config. */
  config: Record<string, unknown>;
  /** The model spec (features, likelihood, priors). */
  modelSpec: Record<string, unknown>;
  seed: number;
  kernel: string;
  backend: string;
  chains: number;
  /** Post-warmup draws per chain. */
  draws: number;
}

/** The hash that identifies a run's settings: SHA-256 of canonicalJson({ mapping, config, modelSpec }). */
export function hashSpec(mapping: Record<string, unknown>, config: Record<string, unknown>, modelSpec: Record<string, unknown>): Promise<string> {
  return hashJson({ mapping, config, modelSpec });
}

/** Computes a run manifest: the three SHA-256 hashes plus seed, kernel, backend, chains and draws. */
export async function buildManifest(input: ManifestInput): Promise<RunManifest> {
  const [rawFile, cleanedTable, spec, modelInput] = await Promise.all([
    sha256Hex(input.rawFile),
    hashTable(input.cleanedTable),
    hashSpec(input.mapping, input.config, input.modelSpec),
    input.modelInput ? hashModelInput(input.modelInput) : undefined,
  ]);
  return {
    runId: input.runId,
    name: input.name ?? '',
    appVersion: input.appVersion,
    createdAt: input.createdAt.toISOString(),
    hashes: { rawFile, cleanedTable, spec, ...(modelInput ? { modelInput } : {}) },
    seed: input.seed,
    kernel: input.kernel,
    backend: input.backend,
    chains: input.chains,
    draws: input.draws,
  };
}

/**
 * Do two manifests describe the same inputs and sampling? The precondition of a
 * reproducibility comparison: a re-run must use the same file, table, settings, seed and kernel.
 * @returns one info result when everything matches, else a block listing each differing field
 */
export function compareManifests(original: RunManifest, rerun: RunManifest): CheckResult {
  const fields: [string, unknown, unknown][] = [
    ['raw file hash', original.hashes.rawFile, rerun.hashes.rawFile],
    ['cleaned table hash', original.hashes.cleanedTable, rerun.hashes.cleanedTable],
    ['mapping + config + model spec hash', original.hashes.spec, rerun.hashes.spec],
    ...(original.hashes.modelInput && rerun.hashes.modelInput ? [['model input hash', original.hashes.modelInput, rerun.hashes.modelInput] as [string, unknown, unknown]] : []),
    ['seed', original.seed, rerun.seed],
    ['kernel', original.kernel, rerun.kernel],
    ['backend', original.backend, rerun.backend],
    ['chains', original.chains, rerun.chains],
    ['draws', original.draws, rerun.draws],
  ];
  const diffs = fields.filter(([, a, b]) => a !== b).map(([what, a, b]) => ({ what, original: a, rerun: b }));
  if (diffs.length === 0) {
    return { id: 'governance.manifest', severity: 'info', title: 'The re-run used the same inputs, settings, seed and kernel', detail: 'All manifest hashes and sampling settings match.', evidence: { runId: original.runId } };
  }
  return {
    id: 'governance.manifest',
    severity: 'block',
    title: `The re-run differs from run ${original.runId} in ${diffs.map((d) => d.what).join(', ')}`,
    detail: diffs.map((d) => `${d.what}: ${String(d.original)} -> ${String(d.rerun)}`).join('; '),
    evidence: { diffs },
    fix: 'Re-run from the bundle\'s own file, config and seed on the same kernel.',
  };
}
