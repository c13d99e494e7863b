import { getContext, setContext } from 'svelte';
import type { Dataset } from '../core/model/dataset.ts';

/**
 * The user's data as it moves through stages 1-3: loaded table, mapping, checks, cleaning,
 * and finally the cleaned national Dataset that the model reads.
 */
export class DatasetState {
  #dataset = $state.raw<Dataset | null>(null);

  /** The cleaned, mapped dataset handed to the model; null until stages 1-3 are done. */
  get dataset() {
    return this.#dataset;
  }

  /** Sets the dataset the Fit stage uses (after mapping, checks and cleaning). */
  setDataset(ds: Dataset | null): void {
    this.#dataset = ds;
  }
}

const KEY = Symbol('DatasetState');
/** Provides the dataset state to the component tree (call once in App). */
export const setDatasetState = (s: DatasetState) => setContext(KEY, s);
/** The dataset state provided by App. */
export const useDatasetState = () => getContext<DatasetState>(KEY);
