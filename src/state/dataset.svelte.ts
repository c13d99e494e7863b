import { getContext, setContext } from 'svelte';
import type { Dataset } from '../core/model/dataset.ts';
import { withCapAllFlagged, withCapWeek, withoutCapWeek, type CleaningConfig } from '../core/spec/config-cleaning.ts';
import type { GrainLevel, KeyFilter, ReadConfig, WeekStart } from '../core/spec/config.ts';
import { browserDataClient, type CheckedTables, type DataClient } from '../clients/data-client.ts';
import { isIngestError } from '../data/ingest-error.ts';
import type { ColumnRole } from '../data/mapping.ts';
import type { GeoPanel } from '../data/geo-panel.ts';
import { ChecksState } from './checks.svelte.ts';
import { CleaningState } from './cleaning.svelte.ts';
import { ConfigState } from './config.svelte.ts';
import { LoadState, type LoadedFile } from './load.svelte.ts';
import { MappingState } from './mapping.svelte.ts';
import type { DemoEntry } from './demos.ts';

export type { ColumnRoleView } from './column-roles.ts';
export type { LoadError, LoadPhase } from './load.svelte.ts';
export type { ChecksPhase, ChecksView } from './checks.svelte.ts';
export { fetchDemos, type DemoEntry } from './demos.ts';

const today = () => new Date().toISOString().slice(0, 10);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The user's data from a dropped file to the model's Dataset: stage 1 load (LoadState), the
 * mapping (MappingState), the config (ConfigState), stage 2 checks with overrides (ChecksState)
 * and stage 3 cleaning (CleaningState). This class sequences them as the user acts, through the
 * DataClient (which owns DuckDB), and drops the results of stale runs. It holds no database.
 */
export class DatasetState {
  readonly load = new LoadState();
  readonly mapping = new MappingState();
  readonly settings = new ConfigState();
  readonly checks = new ChecksState(() => this.settings.config.validation);
  readonly cleaning = new CleaningState();
  #client: DataClient;
  #now: () => string;
  // The tables and mapping of the last checks, so an override that unblocks only cleans.
  #checked: CheckedTables | null = null;
  // Every run (load, checks, cleaning) takes a new id; a run that finds a newer id drops its results.
  #runId = 0;
  // The checks screen is open: the checks (re)run by themselves whenever they are out of date.
  #autoCheck = false;

  /**
   * @param client the data stages behind one DuckDB (default: DuckDB-WASM in this tab)
   * @param now today's date, ISO YYYY-MM-DD (freshness check); tests pass a fixed one
   */
  constructor(client: DataClient = browserDataClient(), now: () => string = today) {
    this.#client = client;
    this.#now = now;
  }

  /** The cleaned, mapped dataset handed to the model; null until stages 1-3 are done. */
  get dataset(): Dataset | null { return this.cleaning.dataset; }
  /** The cleaned geo panel at the grain's keys (the geo model's input); null at national grain or when it cannot be built (cleaning.panelResult says why). */
  get panel(): GeoPanel | null { return this.cleaning.panel; }
  /** A table is loaded and a date and a KPI are mapped, so checks can run. */
  get canCheck() { return this.load.loaded && this.mapping.complete; }
  /** The grain in words, e.g. "national, weeks start on monday". */
  get grainLabel() { return this.settings.grainLabel(this.mapping.mapping.keys); }
  get configFilename() { return this.settings.filename(this.load.source?.name); }

  /** Fetches and loads a demo from public/demo (same origin). */
  async loadDemo(d: DemoEntry): Promise<void> {
    this.load.begin(`Fetching ${d.file}...`);
    try {
      const res = await fetch(`./demo/${d.file}`);
      if (!res.ok) throw new Error(`HTTP ${res.status} for demo/${d.file}`);
      const blob = await res.blob();
      await this.loadBytes(d.file, new Uint8Array(await blob.arrayBuffer()), true, {}, blob);
    } catch (e) {
      this.#failLoad({ file: d.file, message: `The demo ${d.file} could not be fetched: ${message(e)}` });
    }
  }

  /** Loads a dropped or picked file. */
  async loadFile(f: File): Promise<void> {
    this.load.begin(`Reading ${f.name}...`);
    await this.loadBytes(f.name, new Uint8Array(await f.arrayBuffer()), false, {}, f);
  }

  /** Stage 1: reads bytes into DuckDB, profiles the table and proposes a mapping. Never throws: errors land in `load.error`. */
  async loadBytes(name: string, bytes: Uint8Array, demo = false, read: Partial<ReadConfig> = {}, blob?: Blob): Promise<void> {
    const id = ++this.#runId;
    const file: LoadedFile = { name, bytes, demo, blob };
    this.load.begin('Starting DuckDB...', file);
    this.#invalidate(false);
    try {
      await this.#client.ready();
      const { ingest, proposal } = await this.#client.load({ name, bytes, blob }, read, (s) => id === this.#runId && this.load.setStatus(s));
      if (id !== this.#runId) return;
      this.mapping.propose(proposal);
      this.settings.afterLoad(name, read, proposal);
      this.load.done(ingest);
      this.#invalidate();
    } catch (e) {
      if (id !== this.#runId) return;
      this.#failLoad(isIngestError(e) ? { file: e.file, message: e.message, fix: e.fix, column: e.column, row: e.row } : { file: name, message: `${name} could not be read: ${message(e)}` });
    }
  }

  /** Re-reads the current file with the user's read overrides (delimiter, decimal, date format...). */
  async reread(read: Partial<ReadConfig>): Promise<void> {
    const f = this.load.file;
    if (f) await this.loadBytes(f.name, f.bytes, f.demo, read, f.blob);
  }

  /** Changes one column's role; exposure/spend keep a channel name, factors get a baseline. */
  setRole(column: string, role: ColumnRole, extra: { channel?: string; baseline?: string } = {}): void {
    this.mapping.setRole(column, role, extra);
    this.#mappingChanged();
  }

  /** Sets the channel a spend or exposure column belongs to (pairs exposure with spend). */
  setChannel(column: string, channel: string): void {
    this.mapping.setChannel(column, channel);
    this.#mappingChanged();
  }

  /** Sets a factor's baseline level. */
  setBaseline(column: string, baseline: string): void {
    this.mapping.setBaseline(column, baseline);
    this.#mappingChanged();
  }

  /** Chooses the grain: national or keyed, and the day weeks start on. */
  setGrain(level: GrainLevel, weekStart: WeekStart): void {
    this.settings.setGrain(level, weekStart);
    this.#invalidate();
  }

  /** Replaces the key filters (keep rows whose key is in the values). */
  setFilters(filters: KeyFilter[]): void {
    this.settings.setFilters(filters);
    this.#invalidate();
  }

  /** The whole config as YAML (mapping, grain, read overrides, thresholds, every setting). */
  configYaml(): string {
    return this.settings.yaml(this.mapping.mapping);
  }

  /**
   * Applies an uploaded YAML config: settings replace the current ones and the column roles
   * follow its mapping (columns the file does not have are reported).
   * @returns problems (empty when applied)
   */
  async loadConfigYaml(text: string, name: string): Promise<string[]> {
    const problems = this.settings.loadYaml(text, name, this.mapping.columns, this.load.source?.name);
    if (problems.length) return problems;
    if (this.mapping.roles.length) this.mapping.applyConfig(this.settings.config.data);
    this.#invalidate();
    return [];
  }

  /**
   * The Checks screen is shown (`true`) or left (`false`). While shown, the checks run whenever
   * they are out of date (on arrival, after a config upload); elsewhere they wait.
   */
  watchChecks(on: boolean): void {
    this.#autoCheck = on;
    if (on && this.canCheck && this.checks.phase === 'idle') void this.runChecks();
  }

  /**
   * Stage 2-3: the mapping gate, shape and checks, then (when nothing blocks after overrides)
   * cleaning to the national Dataset. Keeps the overrides written so far. Never throws: a
   * failure lands in `checks.error`.
   */
  async runChecks(): Promise<void> {
    if (!this.canCheck) return;
    const id = ++this.#runId;
    this.checks.begin();
    this.cleaning.clear();
    this.#checked = null;
    const m = this.mapping.mapping;
    const config = this.settings.config;
    try {
      const r = await this.#client.check(m, config.data, config.validation, {
        now: this.#now(),
        before: this.load.ingest?.findings ?? [],
        problems: this.mapping.problems,
        file: this.load.source?.name ?? '',
        onStatus: (s) => id === this.#runId && this.checks.setStatus(s),
      });
      if (id !== this.#runId) return;
      this.checks.setRaw(r.raw);
      this.#checked = r.checked;
      await this.#clean(id);
      if (id === this.#runId) this.checks.done();
    } catch (e) {
      if (id !== this.#runId) return;
      this.checks.fail(`The checks could not run: ${message(e)}`);
    }
  }

  /**
   * Records an override of a finding with a written reason (block -> warn, warn -> info); when
   * it lifts the last block, cleaning runs on the checked tables.
   * @returns an error message for the form, or null when recorded
   */
  override(id: string, reason: string): string | null {
    const err = this.checks.override(id, reason);
    if (!err) void this.#afterOverrides();
    return err;
  }

  /** Withdraws an override; the finding's severity comes back (and with a block, the Dataset goes). */
  async removeOverride(id: string): Promise<void> {
    this.checks.removeOverride(id);
    await this.#afterOverrides();
  }

  /**
   * "Cap this week" on the Checks screen: writes the week into cleaning.outliers.cap_weeks and
   * cleans again (the checks stay), so the lineage's cap_flagged row records it.
   * @param date week start, ISO YYYY-MM-DD; @param key geo / product label, when keys are mapped
   */
  capWeek(date: string, key?: string): Promise<void> {
    return this.#setCleaning(withCapWeek(this.settings.config.cleaning, date, key));
  }

  /** Undo of capWeek: the week leaves cap_weeks and cleaning runs again. */
  uncapWeek(date: string, key?: string): Promise<void> {
    return this.#setCleaning(withoutCapWeek(this.settings.config.cleaning, date, key));
  }

  /** "Cap all flagged" (true) or its undo (false), then cleaning runs again. */
  setCapAllFlagged(on: boolean): Promise<void> {
    return this.#setCleaning(withCapAllFlagged(this.settings.config.cleaning, on));
  }

  /**
   * The national Dataset of the file's own values (no cleaning rule applied) on the last checked
   * tables, to fit beside the cleaned one.
   * @returns the Dataset, or an error in words (no checked data, a block, or values the model cannot take)
   */
  async rawDataset(): Promise<{ dataset: Dataset; error: null } | { dataset: null; error: string }> {
    const checked = this.#checked;
    if (!checked || this.checks.blocked || !this.dataset) return { dataset: null, error: 'No cleaned dataset yet: load a file, map it and pass the checks first.' };
    try {
      const r = await this.#client.cleanRaw(checked, this.settings.config);
      if (r.dataset) return { dataset: r.dataset, error: null };
      return { dataset: null, error: `The raw table cannot be fitted: ${r.result ? `${r.result.title}. ${r.result.detail}` : 'no national dataset'}` };
    } catch (e) {
      return { dataset: null, error: `The raw table could not be built: ${message(e)}` };
    }
  }

  /** Writes a new cleaning section and re-runs cleaning alone on the checked tables (never throws: failures land in `checks.error`). */
  async #setCleaning(cleaning: CleaningConfig): Promise<void> {
    if (cleaning === this.settings.config.cleaning) return;
    this.settings.setCleaning(cleaning);
    // Only on settled checks: a run in flight reads the new section when it reaches cleaning.
    if (!this.#checked || this.checks.phase !== 'done') return;
    const id = ++this.#runId;
    this.checks.begin();
    this.cleaning.clear();
    try {
      await this.#clean(id);
      if (id === this.#runId) this.checks.done();
    } catch (e) {
      if (id !== this.#runId) return;
      this.checks.fail(`Cleaning failed: ${message(e)}`);
    }
  }

  /** Resolves when the current check or cleaning run has settled (tests, scripts). */
  async settled(): Promise<void> {
    while (this.checks.phase === 'running') await new Promise((r) => setTimeout(r, 10));
  }

  async #afterOverrides(): Promise<void> {
    if (!this.checks.report || this.checks.phase !== 'done') return;
    if (this.checks.blocked) {
      this.cleaning.clear();
      return;
    }
    if (this.cleaning.dataset || !this.#checked) return;
    // The last block was overridden: the checked tables are current, so only cleaning is left.
    const id = ++this.#runId;
    this.checks.begin();
    try {
      await this.#clean(id);
      if (id === this.#runId) this.checks.done();
    } catch (e) {
      if (id !== this.#runId) return;
      this.checks.fail(`Cleaning failed: ${message(e)}`);
    }
  }

  /** Stage 3 on the last checked tables, when no block is left; a model-input block joins the results. */
  async #clean(id: number): Promise<void> {
    const checked = this.#checked;
    if (!checked || this.checks.blocked) return;
    this.checks.setStatus('Cleaning...');
    const c = await this.#client.clean(checked, this.settings.config, 'national', true);
    if (id !== this.#runId) return;
    this.cleaning.set(c.lineage, c.dataset, c.flagged, c.panel, c.panelResult);
    if (c.result) this.checks.upsert(c.result);
    if (c.panelResult) this.checks.upsert(c.panelResult);
  }

  #mappingChanged(): void {
    this.settings.setMapping(this.mapping.mapping);
    this.#invalidate();
  }

  /** The results no longer match the mapping or settings: drop them, and rerun when the checks are on screen. */
  #invalidate(rerun = true): void {
    this.checks.reset();
    this.cleaning.clear();
    this.#checked = null;
    if (rerun && this.#autoCheck && this.canCheck) void this.runChecks();
  }

  #failLoad(err: Parameters<LoadState['fail']>[0]): void {
    this.load.fail(err);
    this.mapping.clear();
  }
}

const KEY = Symbol('DatasetState');
/** Provides the dataset state to the component tree (call once in App). */
export const setDatasetState = (s: DatasetState) => setContext(KEY, s);
/** The dataset state provided by App. */
export const useDatasetState = () => getContext<DatasetState>(KEY);
