import { getContext, setContext } from 'svelte';
import type { FitAnalysis } from '../core/analysis/analyse-fit.ts';
import { prepareModelData } from '../core/model/model-data.ts';
import { encodeBundleFile } from '../core/governance/bundle-file.ts';
import type { RunBundle } from '../core/governance/bundle-schema.ts';
import { runSummaryFromBundle } from '../core/governance/bundle-summary.ts';
import { mappingSnapshot, tableFromStored } from '../core/governance/from-analysis.ts';
import type { Acknowledgement } from '../core/governance/gates.ts';
import { compareManifests } from '../core/governance/manifest.ts';
import { reviewRefresh, type RefreshReview } from '../core/governance/refresh-review.ts';
import { compareReproducibility } from '../core/governance/reproducibility.ts';
import { rerunVerdictOfBundle, withRerunVerdict } from '../core/governance/rerun-verdict.ts';
import type { StoredAnalysis } from '../core/governance/model-input.ts';
import { assembleRunBundle, identifiabilityOfBundle } from '../core/governance/run-bundle-build.ts';
import { governanceConfigSchema } from '../core/spec/config-governance.ts';
import { RunStore, projectOf, type DamagedRun, type RunListItem } from '../store/run-store.ts';
import { storageUse, StoreError, type StorageUse } from '../store/store-error.ts';
import { bundleLineage, type RunSources } from './run-sources.ts';
import { RefreshRefitsState, workerRefitRunner, type CrossRefitKind, type RefitExtras, type RefitRunner } from './refresh-refits.svelte.ts';

/** The analysis of a finished fit as the Results stage computed it (in its worker), with its options. */
export interface FitAnalysed {
  analysis: Pick<FitAnalysis, 'channels' | 'draws' | 'weeks'>;
  options: StoredAnalysis;
}

/** The app's version as recorded in each manifest. */
export const APP_VERSION = `carryover ${import.meta.env.VITE_APP_VERSION ?? '0.1.0'}`;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const plain = <T>(v: T): Record<string, unknown> => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

/** A run that could not be stored: kept here so it can still be exported. */
export interface UnsavedRun {
  bundle: RunBundle;
  reason: string;
}

/** The two runs a refresh review compares, and what was found. */
export interface ReviewView {
  previous: RunBundle;
  current: RunBundle;
  review: RefreshReview;
  /** Why data drift is limited (a run without its cleaned table), or null. */
  limitation: string | null;
}

/** Picks the default pair: the latest run and the one before it in the same project (else the one before). */
export function defaultPair(runs: readonly RunListItem[]): { previous: string; current: string } | null {
  if (runs.length < 2) return null;
  const cur = runs[0]!;
  const prev = runs.slice(1).find((r) => r.project === cur.project) ?? runs[1]!;
  return { previous: prev.runId, current: cur.runId };
}

/**
 * Saved runs: a bundle for every finished fit, the run list (rename, delete, export, import),
 * storage use, and the refresh review of two picked runs.
 */
export class RunsState {
  readonly #store: RunStore;
  #runs = $state.raw<RunListItem[]>([]);
  #damaged = $state.raw<DamagedRun[]>([]);
  #loaded = $state(false);
  #error = $state<string | null>(null);
  #notice = $state<string | null>(null);
  #saving = $state(false);
  #unsaved = $state.raw<UnsavedRun | null>(null);
  #quota = $state.raw<StorageUse | null>(null);
  #pair = $state.raw<{ previous: string; current: string } | null>(null);
  #review = $state.raw<ReviewView | null>(null);
  #reviewError = $state<string | null>(null);
  #reviewing = $state(false);
  #acks = $state.raw<Acknowledgement[]>([]);
  #captured = new WeakMap<object, Promise<string | null>>();
  #pendingPlans = new WeakMap<object, RunBundle['plans']>();
  #reviewId = 0;
  readonly #runner: RefitRunner;
  /** Re-runs and cross refits of stored runs (the Refresh screen's reproducibility and attribution). */
  readonly refits: RefreshRefitsState;

  /**
   * @param store the IndexedDB store (tests pass one with their own database)
   * @param runner where refits and fallback analyses run (default: the app's workers)
   */
  constructor(store: RunStore = new RunStore(), runner: RefitRunner = workerRefitRunner) {
    this.#store = store;
    this.#runner = runner;
    this.refits = new RefreshRefitsState({ runner, rawFile: (h) => store.getRawFile(h), onResult: () => void this.#computeReview() });
  }

  get runs() { return this.#runs; }
  /** Stored records that no longer read as bundles. */
  get damaged() { return this.#damaged; }
  get loaded() { return this.#loaded; }
  get error() { return this.#error; }
  get notice() { return this.#notice; }
  get saving() { return this.#saving; }
  /** A finished run the browser refused to store (full disk): export it before leaving. */
  get unsaved() { return this.#unsaved; }
  get quota() { return this.#quota; }
  get pair() { return this.#pair; }
  get review() { return this.#review; }
  get reviewError() { return this.#reviewError; }
  get reviewing() { return this.#reviewing; }
  /** Sign-offs of mapping and taxonomy changes for the pair under review (kept until the pair changes). */
  get acknowledgements() { return this.#acks; }
  /** The store, for the decision log (one database). */
  get store() { return this.#store; }

  /** Reads the run list and storage use; picks the default pair when none is picked. */
  async load(): Promise<void> {
    try {
      const { runs, damaged } = await this.#store.listRuns();
      this.#runs = runs;
      this.#damaged = damaged;
    } catch (e) {
      this.#error = message(e);
    }
    this.#loaded = true;
    this.#quota = await storageUse();
    const ids = new Set(this.#runs.map((r) => r.runId));
    const p = this.#pair;
    if (!p || !ids.has(p.previous) || !ids.has(p.current)) {
      const d = defaultPair(this.#runs);
      this.#pair = d;
      this.#acks = [];
      if (d) void this.#computeReview();
      else this.#review = null;
    }
  }

  /**
   * Builds and saves the bundle of a finished fit (once per fit result), from the analysis the
   * Results stage computed in its worker; with `analysed` null (that analysis failed) the
   * analysis runs here in an analysis worker. The raw file's bytes are kept beside the run (for
   * re-runs). On a full disk the bundle stays in `unsaved` with the reason, and can be exported.
   * @returns the saved run's id, or null when it could not be packed or stored
   */
  captureFit(src: RunSources | null, analysed: FitAnalysed | null): Promise<string | null> {
    if (!src) return Promise.resolve(null);
    const known = this.#captured.get(src.result);
    if (known) return known;
    const p = this.#capture(src, analysed);
    this.#captured.set(src.result, p);
    return p;
  }

  async #capture(src: RunSources, analysed: FitAnalysed | null): Promise<string | null> {
    this.#saving = true;
    this.#notice = null;
    let bundle: RunBundle;
    try {
      const createdAt = new Date();
      const runId = `run-${createdAt.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
      let a = analysed;
      if (!a) {
        const options: StoredAnalysis = { kpiKind: 'unspecified', seed: src.result.settings.seed };
        const rpk = src.dataset.revenuePerKpi;
        const revenuePerKpi = rpk ? (rpk.name === null ? rpk.value : Float64Array.from(rpk.values)) : undefined;
        const analysis = await this.#runner.analyse(src.spec, src.data ?? prepareModelData(src.dataset, src.spec), src.result, { ...options, ...(revenuePerKpi !== undefined ? { kpiKind: 'count' as const, revenuePerKpi } : {}) }).result;
        a = { analysis, options: { ...options, kpiKind: revenuePerKpi !== undefined ? 'count' : 'unspecified' } };
      }
      ({ bundle } = await assembleRunBundle({
        runId,
        name: `${src.fileName} ${createdAt.toISOString().slice(0, 16).replace('T', ' ')}`,
        appVersion: APP_VERSION,
        createdAt,
        rawFile: src.rawBytes,
        dataset: src.dataset,
        mapping: plain(src.mapping) as RunSources['mapping'] & Record<string, unknown>,
        config: plain(src.config),
        modelSpec: plain(src.spec),
        lineage: bundleLineage(src.lineage),
        dataChecks: src.dataChecks,
        fit: src.result,
        analysis: a.analysis,
        reproduction: { fitSettings: src.result.settings, analysis: a.options },
        plans: this.#pendingPlans.get(src.result) ?? [],
      }));
    } catch (e) {
      this.#saving = false;
      this.#error = `The run could not be packed for saving: ${message(e)}`;
      return null;
    }
    // the file's bytes are a convenience for re-runs: a refusal (full disk) never loses the run
    await this.#store.saveRawFile(bundle.manifest.hashes.rawFile, src.fileName, src.rawBytes).catch(() => {});
    return (await this.saveBundle(bundle)) ? bundle.manifest.runId : null;
  }

  /**
   * Replaces the plans and scenarios kept with the run of a fit result (saved by captureFit);
   * called whenever the Plan stage finishes a plan or evaluates scenarios.
   * @param result the FitResult the plans were made on
   */
  async savePlans(result: object, plans: RunBundle['plans']): Promise<void> {
    const capture = this.#captured.get(result);
    if (!capture) {
      // the run is not packed yet: its bundle takes these plans when it is
      this.#pendingPlans.set(result, plans);
      return;
    }
    const runId = await capture;
    if (!runId) return;
    await this.#act(async () => {
      const b = await this.#store.getRun(runId);
      await this.#store.saveRun({ ...b, plans });
    });
  }

  /** Re-runs the current run of the pair under review from its own inputs (the reproducibility gate). */
  async rerunCurrent(): Promise<void> {
    const v = this.#review;
    if (!v) return;
    const check = await this.refits.rerun(v.current);
    // the verdict is kept with the run: the gate survives a reload and travels with an export
    if (check) await this.#act(async () => this.#store.saveRun(withRerunVerdict(await this.#store.getRun(v.current.manifest.runId), check, new Date())));
  }

  /** Runs the cross refits of the pair under review (default both) for the attribution of change. */
  async crossRefitPair(kinds?: readonly CrossRefitKind[]): Promise<void> {
    const v = this.#review;
    if (v) await this.refits.crossRefits(v.previous, v.current, kinds);
  }

  /**
   * Stores a bundle; when the browser refuses (full disk), keeps it in `unsaved` for export.
   * @returns whether it was stored
   */
  async saveBundle(bundle: RunBundle): Promise<boolean> {
    this.#saving = true;
    try {
      await this.#store.saveRun(bundle);
      this.#unsaved = null;
      this.#notice = `Saved run "${bundle.manifest.name}".`;
      this.#pair = null; // the newest run becomes the default "current"
      await this.load();
      return true;
    } catch (e) {
      this.#unsaved = { bundle, reason: message(e) };
      this.#quota = await storageUse();
      return false;
    } finally {
      this.#saving = false;
    }
  }

  /** Tries again to store the unsaved run (after space was freed). */
  async retryUnsaved(): Promise<void> {
    if (this.#unsaved) await this.saveBundle(this.#unsaved.bundle);
  }

  /** `.carryover` bytes and file name of the unsaved run. */
  async exportUnsaved(): Promise<{ bytes: Uint8Array; name: string } | null> {
    const u = this.#unsaved;
    return u ? { bytes: await encodeBundleFile(u.bundle), name: `${u.bundle.manifest.runId}.carryover` } : null;
  }

  async rename(runId: string, name: string): Promise<void> {
    await this.#act(() => this.#store.renameRun(runId, name));
  }

  async remove(runId: string): Promise<void> {
    await this.#act(() => this.#store.deleteRun(runId));
  }

  /** `.carryover` bytes and a file name for one stored run. */
  async exportRun(runId: string): Promise<{ bytes: Uint8Array; name: string }> {
    const r = this.#runs.find((x) => x.runId === runId);
    const slug = (r?.name ?? runId).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || runId;
    return { bytes: await this.#store.exportRun(runId), name: `${slug}.carryover` };
  }

  /** Imports a `.carryover` file; a refused file sets `error` and leaves stored runs as they were. */
  async importFile(file: { name: string; arrayBuffer(): Promise<ArrayBuffer> }): Promise<boolean> {
    this.#notice = null;
    this.#error = null;
    try {
      const item = await this.#store.importRun(new Uint8Array(await file.arrayBuffer()), file.name);
      this.#error = null;
      this.#notice = `Imported run "${item.name}" from ${file.name}.`;
      await this.load();
      return true;
    } catch (e) {
      this.#error = `Import refused: ${message(e)}`;
      await this.load();
      return false;
    }
  }

  /** Picks the two runs to compare. */
  select(previous: string, current: string): void {
    this.#pair = { previous, current };
    this.#acks = [];
    void this.#computeReview();
  }

  /**
   * Signs off one mapping or taxonomy change (MappingChange.id) so the taxonomy gate warns
   * instead of blocking; the memo lists who signed and why.
   * @returns an error message for the form, or null when recorded
   */
  acknowledge(changeId: string, by: string, reason: string): string | null {
    if (!by.trim() || !reason.trim()) return 'A sign-off needs who signs and why the change is safe.';
    this.#acks = [...this.#acks.filter((a) => a.changeId !== changeId), { changeId, by: by.trim(), reason: reason.trim() }];
    void this.#computeReview();
    return null;
  }

  async #act(f: () => Promise<void>): Promise<void> {
    this.#error = null;
    try {
      await f();
      this.#error = null;
    } catch (e) {
      this.#error = e instanceof StoreError ? e.message : message(e);
    }
    await this.load();
    if (this.#pair) void this.#computeReview();
  }

  async #computeReview(): Promise<void> {
    const p = this.#pair;
    const id = ++this.#reviewId;
    if (!p) return;
    this.#reviewing = true;
    this.#reviewError = null;
    try {
      if (p.previous === p.current) throw new Error('Pick two different runs to compare.');
      const [previous, current] = await Promise.all([this.#store.getRun(p.previous), this.#store.getRun(p.current)]);
      const view = reviewBundles(previous, current, this.#acks, this.refits.extrasFor(p.previous, p.current));
      if (id === this.#reviewId) this.#review = view;
    } catch (e) {
      if (id === this.#reviewId) {
        this.#review = null;
        this.#reviewError = message(e);
      }
    } finally {
      if (id === this.#reviewId) this.#reviewing = false;
    }
  }
}

/**
 * The refresh review of two stored bundles: thresholds and convergence limits from the current
 * run's config; the reproducibility check of the current run's re-run (extras, else the verdict
 * the bundle keeps), else a comparison of the two runs when they share every input, seed and kernel; the cross refits
 * (extras) for the attribution of change.
 * A bundle without its cleaned table is compared with an empty table and the limitation is said.
 */
export function reviewBundles(previous: RunBundle, current: RunBundle, acknowledgements: Acknowledgement[] = [], extras: RefitExtras = {}): ReviewView {
  const cfg = current.inputs.config as { governance?: unknown; training?: { max_rhat?: number; min_ess?: number } };
  const thresholds = governanceConfigSchema.parse(cfg.governance ?? {});
  const side = (b: RunBundle) => {
    const table = b.table ? tableFromStored(b.table) : { dates: [], columns: {} };
    return { table, ...rest(b, table) };
  };
  const rest = (b: RunBundle, table: { columns: Record<string, unknown> }) => ({
    mapping: mappingSnapshot(b.inputs.mapping as Parameters<typeof mappingSnapshot>[0], b.table ? table : undefined),
    settings: { config: { ...b.inputs.config, data: undefined }, modelSpec: b.inputs.modelSpec },
    summary: runSummaryFromBundle(b),
  });
  const missing = [previous, current].filter((b) => !b.table).map((b) => b.manifest.name || b.manifest.runId);
  const sameInputs = compareManifests(previous.manifest, { ...current.manifest, runId: previous.manifest.runId }).severity === 'info';
  // this session's re-run of the current run, else the one it keeps, else the two runs themselves when they share every input
  const reproducibility =
    extras.reproducibility ?? rerunVerdictOfBundle(current) ?? (sameInputs ? compareReproducibility(runSummaryFromBundle(previous), runSummaryFromBundle(current)) : undefined);
  const training = cfg.training;
  const review = reviewRefresh({
    previous: side(previous),
    current: side(current),
    thresholds,
    identifiability: identifiabilityOfBundle(current),
    acknowledgements,
    asOf: new Date().toISOString().slice(0, 10),
    ...(reproducibility ? { reproducibility } : {}),
    ...(extras.crossFits ? { crossFits: extras.crossFits } : {}),
    ...(training?.max_rhat && training.min_ess ? { diagnostics: { maxRhat: training.max_rhat, minEss: training.min_ess } } : {}),
  });
  return {
    previous,
    current,
    review,
    limitation: missing.length ? `Data drift is incomplete: ${missing.join(' and ')} carries no cleaned table (an older bundle), so only the model side is compared.` : null,
  };
}

export { projectOf };

const KEY = Symbol('RunsState');
/** Provides the runs state to the component tree (call once in App). */
export const setRunsState = (s: RunsState) => setContext(KEY, s);
/** The runs state provided by App. */
export const useRunsState = () => getContext<RunsState>(KEY);
