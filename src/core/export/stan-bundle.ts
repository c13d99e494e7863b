import { strToU8, zipSync } from 'fflate';
import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import { buildLayout } from '../model/layout.ts';
import { STAN_FIT_SETTINGS, type FitSettings } from '../inference/fit-job.ts';
import { stanModelFor, stanModelKind, type StanModelKind } from './stan-models.ts';
import { stanDataJson } from './stan-data.ts';
import { writeStanReadme } from './stan-readme.ts';

/** Sampler settings the README's commands use. */
export type ExportSettings = Pick<FitSettings, 'chains' | 'warmup' | 'draws' | 'seed' | 'adaptDelta' | 'maxTreeDepth' | 'metric'>;

/** The manifest beside the program: what the export was made from, and how to read the draws back. */
export interface StanExportManifest {
  format: 'carryover-stan-export';
  version: 1;
  model: StanModelKind;
  program: string;
  data: string;
  spec: ModelSpec;
  channels: string[];
  controls: string[];
  weeks: number;
  /** our element name -> CmdStan CSV column, e.g. `K[tv_S]` -> `Khalf.1` */ columns: Record<string, string>;
  settings: ExportSettings;
}

/** Files of an export, name -> UTF-8 text. */
export interface StanExport {
  /** folder the zip unpacks into */ folder: string;
  files: Record<string, string>;
  manifest: StanExportManifest;
}

/**
 * The program, its data, the manifest and a README with the CmdStan commands, for a spec and the
 * prepared data (the same ModelData the kernels see).
 * @param settings sampler settings for the README's commands (default Stan's: 4 x (1000 + 1000))
 */
export function buildStanExport(spec: ModelSpec, data: ModelData, settings: ExportSettings = STAN_FIT_SETTINGS): StanExport {
  const model = stanModelFor(spec);
  const layout = buildLayout(spec, data);
  const cols = model.paramColumns(layout);
  const derived = model.derivedColumns(data);
  const columns: Record<string, string> = {};
  layout.names.forEach((n, i) => (columns[n] = cols[i]));
  data.channels.forEach((ch, c) => {
    columns[`roi[${ch}]`] = derived.roi[c];
    columns[`contribution[${ch}]`] = derived.contribution[c];
  });
  const programFile = `${model.stem}.stan`;
  const dataFile = `${model.stem}.data.json`;
  const manifestFile = 'carryover_export.json';
  const manifest: StanExportManifest = {
    format: 'carryover-stan-export',
    version: 1,
    model: stanModelKind(spec),
    program: programFile,
    data: dataFile,
    spec,
    channels: data.channels,
    controls: data.controls,
    weeks: data.N,
    columns,
    settings: { chains: settings.chains, warmup: settings.warmup, draws: settings.draws, seed: settings.seed, adaptDelta: settings.adaptDelta, maxTreeDepth: settings.maxTreeDepth, metric: settings.metric ?? 'diag' },
  };
  const readme = writeStanReadme({
    stem: model.stem, dataFile, manifestFile, title: model.title,
    N: data.N, C: data.C, K: data.K, dim: layout.dim, settings: manifest.settings,
  });
  return {
    folder: `${model.stem}_stan`,
    manifest,
    files: {
      [programFile]: model.program(spec, data),
      [dataFile]: stanDataJson(model.data(spec, data)),
      [manifestFile]: JSON.stringify(manifest, null, 2),
      'README.md': readme,
    },
  };
}

/**
 * The export as a zip (deflate), every file under its folder. Same inputs => same bytes
 * (file times fixed at 2000-01-01 local, the DOS time zip stores).
 * @returns zip bytes, to save as `${folder}.zip`
 */
export function zipStanExport(exp: StanExport): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(exp.files)) entries[`${exp.folder}/${name}`] = strToU8(text);
  return zipSync(entries, { level: 6, mtime: new Date(2000, 0, 1) });
}
