import { getContext, setContext } from 'svelte';
import { startFit, FitCancelled, type FitHandle } from '../clients/fit-client.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import { DEFAULT_GEO_HIERARCHY, isGeoSpec, type GeoModelSpec } from '../core/spec/geo-spec.ts';
import { prepareModelData, type ModelData } from '../core/model/model-data.ts';
import { prepareGeoModelData, type GeoModelData } from '../core/model/geo-model-data.ts';
import type { ModelKind } from '../core/model/model-kind.ts';
import type { GeoPanel } from '../data/geo-panel.ts';
import type { FitSettings } from '../core/inference/fit-job.ts';
import { DEFAULT_FIT_SETTINGS, fitSettingsFromTraining, thresholdsFromTraining, trainingFromFitSettings } from '../core/inference/fit-settings.ts';
import type { DatasetState } from './dataset.svelte.ts';
import type { FitProgress } from '../core/inference/progress.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';
import { buildStanExport, zipStanExport } from '../core/export/stan-bundle.ts';
import type { CmdStanFile } from '../core/export/stan-import.ts';
import { importCmdStanInWorker } from '../clients/analysis-client.ts';

/** What reads CmdStan CSVs as a run (importCmdStanInWorker; tests pass importCmdStanRun in process). */
export type CmdStanImporter = (
  files: CmdStanFile[],
  spec: ModelSpec | GeoModelSpec,
  data: ModelData | GeoModelData,
  thresholds: Partial<ConvergenceThresholds>,
) => Promise<FitResult>;

/** An "Export to Stan" download: the zip's file name and bytes. */
export interface StanDownload {
  /** `carryover-stan-<model>.zip`, model `national` or `geo` */ filename: string;
  bytes: Uint8Array;
}

/** Where a fit stands, for the Fit screen. */
export type FitPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** What a fit was started on: the national model and data, or the geo model, its data and panel. */
export type FitInputs =
  | { kind: 'national'; spec: ModelSpec; data: ModelData }
  | { kind: 'geo'; spec: GeoModelSpec; data: GeoModelData; panel: GeoPanel };

/** What starts the workers of a fit (startFit; tests pass an in-process one or one that records its inputs). */
export type FitStarter = (
  spec: ModelSpec | GeoModelSpec,
  data: ModelData | GeoModelData,
  settings: FitSettings,
  onProgress: (p: FitProgress) => void,
  thresholds: Partial<ConvergenceThresholds>,
) => FitHandle;

/**
 * The fit of the current dataset: settings, live progress, result or error. Also the one runner
 * of every other fit the app makes (the raw-vs-cleaned comparison, holdout and backtest refits).
 */
export class FitState {
  #phase = $state<FitPhase>('idle');
  #progress = $state<FitProgress | null>(null);
  #result = $state.raw<FitResult | null>(null);
  #error = $state<string | null>(null);
  #handle: FitHandle | null = null;
  #inputs = $state.raw<FitInputs | null>(null);
  #grain = $state<ModelKind | null>(null);
  #start: FitStarter;
  #import: CmdStanImporter;
  // every import takes a new id; one that finds a newer import or fit when it ends is dropped
  #importId = 0;
  settings = $state<FitSettings>({ ...DEFAULT_FIT_SETTINGS });

  /**
   * @param starter starts the workers; default startFit (src/clients/fit-client.ts)
   * @param importer reads CmdStan CSVs; default importCmdStanInWorker (src/clients/analysis-client.ts)
   */
  constructor(starter: FitStarter = startFit, importer: CmdStanImporter = importCmdStanInWorker) {
    this.#start = starter;
    this.#import = importer;
  }

  get phase() { return this.#phase; }
  get progress() { return this.#progress; }
  get result() { return this.#result; }
  get error() { return this.#error; }
  /**
   * The national spec and model data of the latest fit started (what its draws belong to); null
   * before one and for a geo fit (the plan, report and run store read national fits only).
   */
  get spec(): ModelSpec | null { return this.#inputs?.kind === 'national' ? this.#inputs.spec : null; }
  get data(): ModelData | null { return this.#inputs?.kind === 'national' ? this.#inputs.data : null; }
  /** The geo model, data and panel of the latest fit when it was a geo fit; null otherwise. */
  get geo() { return this.#inputs?.kind === 'geo' ? this.#inputs : null; }
  /** Which model the latest fit ran; null before one. */
  get kind(): ModelKind | null { return this.#inputs?.kind ?? null; }

  /**
   * The grain the next fit takes: the user's choice on the Fit screen, else geo when the data
   * stage built a geo panel (the grain keeps a geo key), else national.
   */
  grainFor(data: DatasetState): ModelKind {
    return this.#grain === 'national' || !data.panel ? 'national' : this.#grain ?? 'geo';
  }
  /** The user's grain choice (null: follow the data stage's grain). */
  get grainChoice() { return this.#grain; }
  /** Fit the geo panel or the national sum next (one click on the Fit screen; the data stage is not rerun). */
  setGrain(kind: ModelKind | null): void {
    this.#grain = kind;
  }

  /** The sampler settings follow the config's training section (a loaded YAML sets them). */
  useTraining(data: DatasetState): void {
    this.settings = fitSettingsFromTraining(data.settings.training);
  }

  /**
   * Fits the cleaned Dataset of `data`: prepares the model data for `spec`, writes the settings
   * of this fit back into the config's training section (so its YAML reproduces the fit) and
   * starts the workers.
   * @returns an error message when there is no Dataset or it cannot be prepared; null when started
   */
  fitDataset(data: DatasetState, spec: ModelSpec | GeoModelSpec, kind: ModelKind = this.grainFor(data)): string | null {
    const inputs = prepareInputs(data, spec, kind);
    if (typeof inputs === 'string') return inputs;
    data.settings.setTraining(trainingFromFitSettings($state.snapshot(this.settings), data.settings.training));
    this.#run(inputs, thresholdsFromTraining(data.settings.training));
    return null;
  }

  /**
   * "Export to Stan": the Stan program of the model the next fit would run (same dataset, spec
   * and grain), its data JSON and a README with the CmdStan commands for the current settings,
   * zipped (src/core/export/stan-bundle.ts). Needs no fit.
   * @returns the download, or an error message when there is no dataset or it cannot be prepared
   */
  stanExport(data: DatasetState, spec: ModelSpec | GeoModelSpec, kind: ModelKind = this.grainFor(data)): StanDownload | string {
    const inputs = prepareInputs(data, spec, kind);
    if (typeof inputs === 'string') return inputs;
    const s = $state.snapshot(this.settings);
    try {
      const exp = buildStanExport(inputs.spec, inputs.data, { chains: s.chains, warmup: s.warmup, draws: s.draws, seed: s.seed, adaptDelta: s.adaptDelta, maxTreeDepth: s.maxTreeDepth, metric: s.metric });
      return { filename: `carryover-stan-${exp.manifest.model}.zip`, bytes: zipStanExport(exp) };
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /**
   * "Import CmdStan draws": reads CmdStan's output CSVs (one per chain) of an exported program
   * against the current dataset, spec and grain; on success the imported run becomes the current
   * fit result (a running fit is cancelled), so Results, Plan and Report read it as a fit made here.
   * On failure nothing changes: the current fit stays.
   * The CSVs are read in a worker (importer).
   * @returns the importer's message (naming file, line and column) on failure; null on success
   */
  async importCmdStan(data: DatasetState, spec: ModelSpec | GeoModelSpec, files: readonly CmdStanFile[], kind: ModelKind = this.grainFor(data)): Promise<string | null> {
    const inputs = prepareInputs(data, spec, kind);
    if (typeof inputs === 'string') return inputs;
    const id = ++this.#importId;
    const handle = this.#handle;
    let result: FitResult;
    try {
      result = await this.#import([...files], inputs.spec, inputs.data, thresholdsFromTraining(data.settings.training));
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    if (id !== this.#importId || this.#handle !== handle) return 'A newer import or fit replaced this import.';
    this.cancel();
    this.#handle = null;
    this.#inputs = inputs;
    this.#progress = null;
    this.#error = null;
    this.#result = result;
    this.#phase = 'done';
    return null;
  }

  /**
   * Starts a national fit; a running one is cancelled first.
   * @returns resolves when this fit ends (done, cancelled or failed: read phase); never rejects
   */
  start(spec: ModelSpec, data: ModelData, thresholds: Partial<ConvergenceThresholds> = {}): Promise<void> {
    return this.#run({ kind: 'national', spec, data }, thresholds);
  }

  #run(inputs: FitInputs, thresholds: Partial<ConvergenceThresholds>): Promise<void> {
    this.cancel();
    this.#phase = 'running';
    this.#error = null;
    this.#result = null;
    this.#progress = null;
    this.#inputs = inputs;
    const handle = this.#start(inputs.spec, inputs.data, $state.snapshot(this.settings), (p) => {
      if (this.#handle === handle) this.#progress = p;
    }, thresholds);
    this.#handle = handle;
    return handle.result.then(
      (r) => {
        if (this.#handle !== handle) return;
        this.#result = r;
        this.#phase = 'done';
      },
      (e: unknown) => {
        if (this.#handle !== handle) return;
        this.#phase = e instanceof FitCancelled ? 'cancelled' : 'failed';
        this.#error = e instanceof Error ? e.message : String(e);
      },
    );
  }

  /** Stops every worker of a running fit now; the app stays usable. */
  cancel(): void {
    if (this.#phase === 'running') this.#handle?.cancel();
  }
}

/**
 * The model inputs of the cleaned Dataset of `data` at grain `kind`: the geo panel with a
 * GeoModelSpec (the default hierarchy when `spec` has none), or the national Dataset.
 * @returns an error message when there is no Dataset or it cannot be prepared
 */
function prepareInputs(data: DatasetState, spec: ModelSpec | GeoModelSpec, kind: ModelKind): FitInputs | string {
  const ds = data.dataset;
  if (!ds) return 'No cleaned dataset yet: load a file, map it and pass the checks first.';
  try {
    if (kind === 'geo') {
      const panel = data.panel;
      if (!panel) {
        const why = data.cleaning.panelResult;
        return why ? `${why.title}. ${why.detail}` : 'No geo panel: map a geo column and choose the geo grain on the Data screen, or fit national.';
      }
      const geoSpec: GeoModelSpec = isGeoSpec(spec) ? spec : { ...spec, geo: DEFAULT_GEO_HIERARCHY };
      return { kind: 'geo', spec: geoSpec, data: prepareGeoModelData(panel.dataset, geoSpec), panel };
    }
    const { geo: _geo, ...national } = spec as GeoModelSpec;
    return { kind: 'national', spec: national, data: prepareModelData(ds, national) };
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

const KEY = Symbol('FitState');
/** Provides the fit state to the component tree (call once in App). */
export const setFitState = (s: FitState) => setContext(KEY, s);
/** The fit state provided by App. */
export const useFitState = () => getContext<FitState>(KEY);
