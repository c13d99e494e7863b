import { strToU8, zipSync } from 'fflate';
import type { ModelSpec } from '../spec/model-spec.ts';
import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { STAN_FIT_SETTINGS, type FitSettings } from '../inference/fit-job.ts';
import { resolveStanModel, type StanModelKind } from './stan-models.ts';
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
  spec: ModelSpec | GeoModelSpec;
  /** geo names in the data's order (geo model only) */ geos?: string[];
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
 * prepared data (the same data the kernels see): the national model for a ModelSpec with
 * ModelData, the geo model for a GeoModelSpec with GeoModelData.
 * @param settings sampler settings for the README's commands (default Stan's: 4 x (1000 + 1000))
 * @throws when the spec and the data belong to different families
 */
export function buildStanExport(spec: ModelSpec | GeoModelSpec, data: ModelData | GeoModelData, settings: ExportSettings = STAN_FIT_SETTINGS): StanExport {
  const model = resolveStanModel(spec, data);
  const columns: Record<string, string> = {};
  model.names.forEach((n, i) => (columns[n] = model.columns[i]));
  for (const g of model.generated) columns[g.name] = g.column;
  data.channels.forEach((ch, c) => {
    columns[`roi[${ch}]`] = model.derived.roi[c];
    columns[`contribution[${ch}]`] = model.derived.contribution[c];
  });
  const geos = model.model.kind === 'geo' ? model.model.data.geos : undefined;
  const programFile = `${model.stem}.stan`;
  const dataFile = `${model.stem}.data.json`;
  const manifestFile = 'carryover_export.json';
  const manifest: StanExportManifest = {
    format: 'carryover-stan-export',
    version: 1,
    model: model.kind,
    program: programFile,
    data: dataFile,
    spec,
    ...(geos ? { geos: [...geos] } : {}),
    channels: data.channels,
    controls: data.controls,
    weeks: data.N,
    columns,
    settings: { chains: settings.chains, warmup: settings.warmup, draws: settings.draws, seed: settings.seed, adaptDelta: settings.adaptDelta, maxTreeDepth: settings.maxTreeDepth, metric: settings.metric ?? 'diag' },
  };
  const readme = writeStanReadme({
    stem: model.stem, dataFile, manifestFile, title: model.title,
    N: data.N, C: data.C, K: data.K, dim: model.dim, settings: manifest.settings, ...(geos ? { G: geos.length } : {}),
  });
  return {
    folder: `${model.stem}_stan`,
    manifest,
    files: {
      [programFile]: model.program(),
      [dataFile]: stanDataJson(model.data()),
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
