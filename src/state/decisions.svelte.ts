import { getContext, setContext } from 'svelte';
import { decisionsToCsv, decisionsToJson, evaluateFollowUp, recordOutcome, type DecisionEntry, type FollowUpResult } from '../core/governance/decision-log.ts';
import { tableFromStored } from '../core/governance/from-analysis.ts';
import type { RunBundle } from '../core/governance/bundle-schema.ts';
import type { RunStore } from '../store/run-store.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A decision with its follow-up against the latest run's data. */
export interface DecisionView {
  entry: DecisionEntry;
  followUp: FollowUpResult;
  /** The run whose data the follow-up read (null without any stored run with a table). */
  checkedOn: string | null;
}

/** What the decision form collects (section E); the id and outcome are added here. */
export type DecisionDraft = Omit<DecisionEntry, 'id' | 'outcome'>;

/**
 * The decision log: entries linked to a run and scenario, saved in the same IndexedDB as the
 * runs, with the follow-up status (pending / hit / miss) read off the newest run that has data.
 */
export class DecisionsState {
  readonly #store: RunStore;
  #views = $state.raw<DecisionView[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #damaged = $state(0);

  #destroy: () => void = () => {};

  /**
   * @param store the store shared with RunsState
   * @param runs the saved-run list to follow: the log is read (and every follow-up re-checked)
   *   whenever that list changes (app start, a saved, imported or deleted run)
   */
  constructor(store: RunStore, runs?: { readonly runs: readonly unknown[]; readonly loaded: boolean }) {
    this.#store = store;
    if (runs) {
      this.#destroy = $effect.root(() => {
        $effect(() => {
          if (!runs.loaded) return;
          void runs.runs;
          void this.load();
        });
      });
    }
  }

  /** Stops following the run list (tests; the app keeps one for its lifetime). */
  destroy(): void {
    this.#destroy();
  }

  get decisions() { return this.#views; }
  get loaded() { return this.#loaded; }
  get error() { return this.#error; }
  /** Stored entries that no longer validate (skipped). */
  get damaged() { return this.#damaged; }

  /** Reads the log and evaluates each follow-up on the newest stored run with a cleaned table. */
  async load(): Promise<void> {
    try {
      const { decisions, damaged } = await this.#store.listDecisions();
      this.#damaged = damaged;
      const latest = await this.#latestWithTable();
      const table = latest?.table ? tableFromStored(latest.table) : null;
      const views: DecisionView[] = [];
      for (const entry of decisions) {
        if (!table) {
          views.push({ entry, followUp: { status: entry.outcome?.status ?? 'pending', coveredWeeks: 0, neededWeeks: 0, realised: entry.outcome?.realised ?? NaN, detail: 'No stored run with data to compare with yet.' }, checkedOn: null });
          continue;
        }
        const followUp = evaluateFollowUp(entry, table);
        const recorded = recordOutcome(entry, followUp, latest!.manifest.runId, new Date());
        if (recorded !== entry && recorded.outcome?.status !== entry.outcome?.status) await this.#store.saveDecision(recorded);
        views.push({ entry: recorded, followUp, checkedOn: latest!.manifest.name || latest!.manifest.runId });
      }
      this.#views = views;
      this.#error = null;
    } catch (e) {
      this.#error = message(e);
    }
    this.#loaded = true;
  }

  /**
   * Validates and saves a new decision.
   * @returns an error message for the form, or null when saved
   */
  async add(draft: DecisionDraft): Promise<string | null> {
    const entry = { ...draft, id: `dec-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}` } as DecisionEntry;
    try {
      await this.#store.saveDecision(entry);
    } catch (e) {
      return message(e);
    }
    await this.load();
    return null;
  }

  async remove(id: string): Promise<void> {
    try {
      await this.#store.deleteDecision(id);
    } catch (e) {
      this.#error = message(e);
    }
    await this.load();
  }

  /** The log as CSV text. */
  csv(): string {
    return decisionsToCsv(this.#views.map((v) => v.entry));
  }

  /** The log as JSON text. */
  json(): string {
    return decisionsToJson(this.#views.map((v) => v.entry));
  }

  async #latestWithTable(): Promise<RunBundle | null> {
    const { runs } = await this.#store.listRuns();
    const r = runs.find((x) => x.weeks !== null);
    return r ? this.#store.getRun(r.runId) : null;
  }
}

const KEY = Symbol('DecisionsState');
/** Provides the decisions state to the component tree (call once in App). */
export const setDecisionsState = (s: DecisionsState) => setContext(KEY, s);
/** The decisions state provided by App. */
export const useDecisionsState = () => getContext<DecisionsState>(KEY);
