import { getContext, setContext } from 'svelte';
import { startFit, FitCancelled, type FitHandle } from '../clients/fit-client.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import { prepareModelData, type ModelData } from '../core/model/model-data.ts';
import type { FitSettings } from '../core/inference/fit-job.ts';
import { DEFAULT_FIT_SETTINGS, fitSettingsFromTraining, thresholdsFromTraining, trainingFromFitSettings } from '../core/inference/fit-settings.ts';
import type { DatasetState } from './dataset.svelte.ts';
import type { FitProgress } from '../core/inference/progress.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';

/** Where a fit stands, for the Fit screen. */
export type FitPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** What starts the workers of a fit (startFit; tests pass an in-process one). */
export type FitStarter = (spec: ModelSpec, data: ModelData, settings: FitSettings, onProgress: (p: FitProgress) => void, thresholds: Partial<ConvergenceThresholds>) => FitHandle;

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
  #inputs = $state.raw<{ spec: ModelSpec; data: ModelData } | null>(null);
  settings = $state<FitSettings>({ ...DEFAULT_FIT_SETTINGS });
  #starter: FitStarter;

  /** @param starter starts the workers; default startFit (src/clients/fit-client.ts) */
  constructor(starter: FitStarter = startFit) {
    this.#starter = starter;
  }

  get phase() { return this.#phase; }
  get progress() { return this.#progress; }
  get result() { return this.#result; }
  get error() { return this.#error; }
  /** The spec and model data of the latest fit started (what its draws belong to); null before one. */
  get spec() { return this.#inputs?.spec ?? null; }
  get data() { return this.#inputs?.data ?? null; }

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
  fitDataset(data: DatasetState, spec: ModelSpec): string | null {
    const ds = data.dataset;
    if (!ds) return 'No cleaned dataset yet: load a file, map it and pass the checks first.';
    let prepared: ModelData;
    try {
      prepared = prepareModelData(ds, spec);
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
    data.settings.setTraining(trainingFromFitSettings($state.snapshot(this.settings), data.settings.training));
    this.start(spec, prepared, thresholdsFromTraining(data.settings.training));
    return null;
  }

  /**
   * Starts a fit; a running one is cancelled first.
   * @returns resolves when this fit ends (done, cancelled or failed: read phase); never rejects
   */
  start(spec: ModelSpec, data: ModelData, thresholds: Partial<ConvergenceThresholds> = {}): Promise<void> {
    this.cancel();
    this.#phase = 'running';
    this.#error = null;
    this.#result = null;
    this.#progress = null;
    this.#inputs = { spec, data };
    const handle = this.#starter(spec, data, $state.snapshot(this.settings), (p) => {
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

const KEY = Symbol('FitState');
/** Provides the fit state to the component tree (call once in App). */
export const setFitState = (s: FitState) => setContext(KEY, s);
/** The fit state provided by App. */
export const useFitState = () => getContext<FitState>(KEY);
