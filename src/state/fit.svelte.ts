import { getContext, setContext } from 'svelte';
import { startFit, FitCancelled, type FitHandle } from '../clients/fit-client.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import type { ModelData } from '../core/model/model-data.ts';
import { DEFAULT_FIT_SETTINGS, type FitSettings } from '../core/inference/fit-job.ts';
import type { FitProgress } from '../core/inference/progress.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';

/** Where a fit stands, for the Fit screen. */
export type FitPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** The fit of the current dataset: settings, live progress, result or error. */
export class FitState {
  #phase = $state<FitPhase>('idle');
  #progress = $state<FitProgress | null>(null);
  #result = $state.raw<FitResult | null>(null);
  #error = $state<string | null>(null);
  #handle: FitHandle | null = null;
  #inputs = $state.raw<{ spec: ModelSpec; data: ModelData } | null>(null);
  settings = $state<FitSettings>({ ...DEFAULT_FIT_SETTINGS });

  get phase() { return this.#phase; }
  get progress() { return this.#progress; }
  get result() { return this.#result; }
  get error() { return this.#error; }
  /** Spec and model data of the last fit started. */
  get spec() { return this.#inputs?.spec ?? null; }
  get data() { return this.#inputs?.data ?? null; }

  /** Starts a fit; a running one is cancelled first. */
  start(spec: ModelSpec, data: ModelData, thresholds: Partial<ConvergenceThresholds> = {}): void {
    this.#handle?.cancel();
    this.#phase = 'running';
    this.#error = null;
    this.#result = null;
    this.#progress = null;
    this.#inputs = { spec, data };
    const handle = startFit(spec, data, $state.snapshot(this.settings), (p) => {
      if (this.#handle === handle) this.#progress = p;
    }, thresholds);
    this.#handle = handle;
    handle.result.then(
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

  /** Stops every worker now; the app stays usable. */
  cancel(): void {
    this.#handle?.cancel();
  }
}

const KEY = Symbol('FitState');
/** Provides the fit state to the component tree (call once in App). */
export const setFitState = (s: FitState) => setContext(KEY, s);
/** The fit state provided by App. */
export const useFitState = () => getContext<FitState>(KEY);
