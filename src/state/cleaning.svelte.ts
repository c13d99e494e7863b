import type { Dataset } from '../core/model/dataset.ts';
import { cleaningChanged, type FlaggedWeek, type LineageEntry } from '../data/clean/index.ts';
import type { GeoPanel } from '../data/geo-panel.ts';
import type { CheckResult } from '../core/check/result.ts';

/** Stage 3's output: what cleaning changed (lineage) and the cleaned national Dataset the model reads. */
export class CleaningState {
  #lineage = $state.raw<LineageEntry[] | null>(null);
  #dataset = $state.raw<Dataset | null>(null);
  #flagged = $state.raw<FlaggedWeek[]>([]);
  #panel = $state.raw<GeoPanel | null>(null);
  #panelResult = $state.raw<CheckResult | null>(null);

  /** Every cleaning change, in order; null until cleaning ran (it runs once nothing blocks). */
  get lineage() { return this.#lineage; }
  /** The cleaned, mapped dataset handed to the model; null until stages 1-3 are done. */
  get dataset() { return this.#dataset; }

  /** The geo panel at the grain's keys (geo model input); null at national grain, before cleaning, or when it cannot be built. */
  get panel() { return this.#panel; }
  /** Why the geo panel could not be built (data.geo_panel, naming unit, column and week); null otherwise. */
  get panelResult() { return this.#panelResult; }

  /** KPI weeks the outlier check flags or the config asks to cap, with what cleaning did (empty until cleaning ran). */
  get flagged() { return this.#flagged; }
  /** Cleaning changed at least one value or row (false before it ran): the raw-vs-cleaned comparison is worth offering. */
  get changed() { return this.#lineage ? cleaningChanged(this.#lineage) : false; }

  /** Records a cleaning run; `dataset` null when the cleaned table could not be handed to the model. */
  set(lineage: LineageEntry[], dataset: Dataset | null, flagged: FlaggedWeek[] = [], panel: GeoPanel | null = null, panelResult: CheckResult | null = null): void {
    this.#lineage = lineage;
    this.#dataset = dataset;
    this.#flagged = flagged;
    this.#panel = panel;
    this.#panelResult = panelResult;
  }

  /** Drops the results (the mapping, settings or overrides changed). */
  clear(): void {
    this.#lineage = null;
    this.#dataset = null;
    this.#flagged = [];
    this.#panel = null;
    this.#panelResult = null;
  }
}
