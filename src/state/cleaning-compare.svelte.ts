import { getContext, setContext } from 'svelte';
import type { Dataset } from '../core/model/dataset.ts';
import { prepareModelData } from '../core/model/model-data.ts';
import type { ModelSpec } from '../core/spec/model-spec.ts';
import { thresholdsFromTraining } from '../core/inference/fit-settings.ts';
import { roiIntervals, type RoiInterval } from '../core/analysis/roi-intervals.ts';
import type { DatasetState } from './dataset.svelte.ts';
import { FitState } from './fit.svelte.ts';

/** ROI per channel of the cleaned and the raw fit, same channel order. */
export interface RoiComparison {
  channels: string[];
  cleaned: RoiInterval[];
  raw: RoiInterval[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * "What cleaning did to the answer": the cleaned and the raw (uncleaned) national Dataset fitted
 * side by side with the same sampler settings and seed, each in its own FitState (so the Fit
 * screen's own fit is left alone), and ROI per channel with 50% / 90% intervals for both.
 */
export class CleaningCompareState {
  readonly cleaned = new FitState();
  readonly raw = new FitState();
  #preparing = $state(false);
  #error = $state<string | null>(null);
  #source = $state.raw<Dataset | null>(null);
  #run = 0;

  /** The raw table is being built (before the fits start). */
  get preparing() { return this.#preparing; }
  /** Why the comparison could not start (no data, raw table not fittable...). */
  get error() { return this.#error; }
  /** Either fit is running. */
  get running() { return this.#preparing || this.cleaned.phase === 'running' || this.raw.phase === 'running'; }
  /** The comparison belongs to this cleaned Dataset (a later cap or mapping edit makes it stale). */
  isFor(ds: Dataset | null): boolean { return ds !== null && this.#source === ds; }

  /**
   * Builds the raw Dataset through the data client, then fits it and the cleaned one with
   * `settings` (same seed). Never throws: problems land in `error`.
   * @param settings the Fit screen's settings (copied; both fits get the same)
   */
  async start(data: DatasetState, spec: ModelSpec, settings: FitState['settings']): Promise<void> {
    this.cancel();
    const run = this.#run;
    this.#error = null;
    const cleanDs = data.dataset;
    this.#source = cleanDs;
    if (!cleanDs) {
      this.#error = 'No cleaned dataset yet: load a file, map it and pass the checks first.';
      return;
    }
    this.#preparing = true;
    const raw = await data.rawDataset();
    if (run !== this.#run) return;
    this.#preparing = false;
    if (!raw.dataset) {
      this.#error = raw.error;
      return;
    }
    let rawData;
    try {
      rawData = prepareModelData(raw.dataset, spec);
    } catch (e) {
      this.#error = `The raw table cannot be fitted: ${message(e)}`;
      return;
    }
    this.cleaned.settings = { ...settings };
    this.raw.settings = { ...settings };
    const err = this.cleaned.fitDataset(data, spec);
    if (err) {
      this.#error = err;
      return;
    }
    this.raw.start(spec, rawData, thresholdsFromTraining(data.settings.training));
  }

  /** Stops both fits (and a raw table being built: its fits never start). */
  cancel(): void {
    this.#run++;
    this.#preparing = false;
    this.cleaned.cancel();
    this.raw.cancel();
  }

  /** ROI per channel of both fits once both are done; null before. Channels follow the cleaned fit. */
  get roi(): RoiComparison | null {
    const c = this.cleaned.result;
    const r = this.raw.result;
    if (!c || !r) return null;
    const channels = c.names.filter((n) => n.startsWith('roi[')).map((n) => n.slice(4, -1));
    try {
      return { channels, cleaned: roiIntervals(c.tables, channels), raw: roiIntervals(r.tables, channels) };
    } catch {
      // the raw fit lacks a channel of the cleaned one: the two are not comparable
      return null;
    }
  }
}

const KEY = Symbol('CleaningCompareState');
/** Provides the comparison state to the component tree (call once in App). */
export const setCleaningCompareState = (s: CleaningCompareState) => setContext(KEY, s);
/** The comparison state provided by App. */
export const useCleaningCompareState = () => getContext<CleaningCompareState>(KEY);
