import { getContext, setContext } from 'svelte';
import type { CheckResult } from '../core/check/result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import { defaultConfig, type Config, type GrainLevel, type KeyFilter, type ReadConfig, type WeekStart } from '../core/spec/config.ts';
import { configFromYaml, configToYaml } from '../core/spec/config-yaml.ts';
import type { CheckOverride } from '../data/checks/index.ts';
import type { LineageEntry } from '../data/clean/index.ts';
import type { Db } from '../data/db.ts';
import { openBrowserDb } from '../data/duckdb.ts';
import { keptKeys } from '../data/grain.ts';
import { ingestFile, type IngestResult } from '../data/ingest.ts';
import { isIngestError } from '../data/ingest-error.ts';
import { proposeMapping, toMappingConfig, type ColumnRole, type MappingConfig } from '../data/mapping.ts';
import { checkStage, cleanStage, mappingBlock, PIPELINE_TABLES as T, shapeStage, summarizeChecks, type ChecksSummary, type ShapeResult } from '../data/pipeline-stages.ts';
import { profileTable } from '../data/profile.ts';
import { columnsNamedBy, roleFromConfig, rolesFromProposal, withEdit, withRole, type ColumnRoleView } from './column-roles.ts';
import type { DemoEntry } from './demos.ts';

export type { ColumnRoleView } from './column-roles.ts';
export { fetchDemos, type DemoEntry } from './demos.ts';

/** Where loading stands: nothing yet, reading, a table is loaded, or the file could not be read. */
export type LoadPhase = 'empty' | 'loading' | 'loaded' | 'failed';
/** Where the checks stand for the current mapping. */
export type ChecksPhase = 'idle' | 'running' | 'done' | 'failed';

/** A file that could not be read: what, where, and how to fix it. */
export interface LoadError {
  file: string;
  message: string;
  fix?: string;
  column?: string;
  row?: number;
}

/** The checks as shown: results after overrides, their score and whether the fit is blocked. */
export type ChecksView = ChecksSummary;

const today = () => new Date().toISOString().slice(0, 10);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The user's data as it moves through stages 1-3: loaded table, mapping, checks, cleaning,
 * and finally the cleaned national Dataset that the model reads. The stages themselves are
 * src/data/pipeline-stages.ts (the same ones the headless runner composes); this class keeps
 * what the screens show, runs the stages as the user acts, and drops results of stale runs.
 */
export class DatasetState {
  #dataset = $state.raw<Dataset | null>(null);
  #db: Promise<Db> | null = null;
  #bytes: Uint8Array | null = null;
  #blob: Blob | undefined = undefined;
  #phase = $state<LoadPhase>('empty');
  #status = $state('');
  #error = $state.raw<LoadError | null>(null);
  #source = $state.raw<{ name: string; bytes: number; demo: boolean } | null>(null);
  #ingest = $state.raw<IngestResult | null>(null);
  #problems = $state.raw<string[]>([]);
  #roles = $state.raw<ColumnRoleView[]>([]);
  #config = $state.raw<Config>(defaultConfig());
  #checksPhase = $state<ChecksPhase>('idle');
  #checksStatus = $state('');
  #checksError = $state<string | null>(null);
  #rawResults = $state.raw<CheckResult[] | null>(null);
  #overrides = $state.raw<CheckOverride[]>([]);
  #lineage = $state.raw<LineageEntry[] | null>(null);
  // The shaped tables and the mapping of the last checks, so an override that unblocks only cleans.
  #checked: { shape: ShapeResult; mapping: MappingConfig } | null = null;
  // Every run (load, checks, cleaning) takes a new id; a run that finds a newer id drops its results.
  #runId = 0;

  /** The cleaned, mapped dataset handed to the model; null until stages 1-3 are done. */
  get dataset() { return this.#dataset; }
  get phase() { return this.#phase; }
  /** What is happening now, in words (loading DuckDB, reading the file...). */
  get status() { return this.#status; }
  get error() { return this.#error; }
  get source() { return this.#source; }
  /** Bytes of the loaded file as read (hashed into each run's manifest). */
  get rawBytes() { return this.#bytes; }
  /** The table as read: row count, columns with DuckDB types, preview rows, sniffer findings. */
  get ingest() { return this.#ingest; }
  /** What the mapping detector could not decide. */
  get problems() { return this.#problems; }
  /** One entry per column, table order. */
  get roles(): readonly ColumnRoleView[] { return this.#roles; }
  get config() { return this.#config; }
  /** Records the sampler settings of the fit being run in the config (so its YAML reproduces the fit). */
  setTraining(training: Config['training']): void { this.#config = { ...this.#config, training }; }
  /** The mapping as config fields, from the current roles. */
  get mapping(): MappingConfig { return toMappingConfig(this.#roles); }
  get grain() { return this.#config.data.grain; }
  get filters() { return this.#config.data.filters; }
  /** A mapping with a date and a KPI exists, so checks can run. */
  get canCheck() { return this.#phase === 'loaded' && !!this.mapping.date_col && !!this.mapping.kpi_col; }
  get checksPhase() { return this.#checksPhase; }
  get checksStatus() { return this.#checksStatus; }
  get checksError() { return this.#checksError; }
  get overrides() { return this.#overrides; }
  /** Cleaning lineage; null until cleaning ran (it runs once nothing blocks). */
  get lineage() { return this.#lineage; }
  get configFilename() { return `${(this.#source?.name ?? 'carryover').replace(/\.[^.]+$/, '')}.carryover.yaml`; }
  /** Checks after overrides, with the score; null before the first run. */
  get report(): ChecksView | null {
    return this.#rawResults ? summarizeChecks(this.#rawResults, this.#overrides, this.#config.validation) : null;
  }
  /** The grain in words, e.g. "national, weeks start on monday". */
  get grainLabel() {
    const g = this.grain;
    const keys = keptKeys(g.level, this.mapping.keys);
    return `${g.level === 'national' || !keys.length ? 'national' : `by ${keys.join(' x ')}`}, weeks start on ${g.week_start}${this.filters.length ? `, ${this.filters.length} filter(s)` : ''}`;
  }

  /** Sets the dataset the Fit stage uses (after mapping, checks and cleaning). */
  setDataset(ds: Dataset | null): void {
    this.#dataset = ds;
  }

  /** Fetches and loads a demo from public/demo (same origin). */
  async loadDemo(d: DemoEntry): Promise<void> {
    this.#phase = 'loading';
    this.#error = null;
    this.#status = `Fetching ${d.file}...`;
    try {
      const res = await fetch(`./demo/${d.file}`);
      if (!res.ok) throw new Error(`HTTP ${res.status} for demo/${d.file}`);
      const blob = await res.blob();
      await this.loadBytes(d.file, new Uint8Array(await blob.arrayBuffer()), true, {}, blob);
    } catch (e) {
      this.#fail({ file: d.file, message: `The demo ${d.file} could not be fetched: ${message(e)}` });
    }
  }

  /** Loads a dropped or picked file. */
  async loadFile(f: File): Promise<void> {
    this.#phase = 'loading';
    this.#error = null; // the last file's error must not stand while this one is read
    this.#status = `Reading ${f.name}...`;
    await this.loadBytes(f.name, new Uint8Array(await f.arrayBuffer()), false, {}, f);
  }

  /** Reads bytes into DuckDB, profiles the table and proposes a mapping. Never throws: errors land in `error`. */
  async loadBytes(name: string, bytes: Uint8Array, demo = false, read: Partial<ReadConfig> = {}, blob?: Blob): Promise<void> {
    const id = ++this.#runId;
    this.#phase = 'loading';
    this.#error = null;
    this.#resetChecks();
    this.#source = { name, bytes: bytes.length, demo };
    this.#bytes = bytes;
    this.#blob = blob;
    try {
      this.#status = 'Starting DuckDB...';
      const db = await this.#getDb();
      this.#status = `Reading ${name} with DuckDB...`;
      const ingest = await ingestFile(db, { name, bytes, blob }, { read, table: T.raw, previewRows: 20 });
      this.#status = 'Profiling columns...';
      const proposal = proposeMapping(await profileTable(db, ingest.table));
      if (id !== this.#runId) return;
      this.#ingest = ingest;
      this.#problems = proposal.problems;
      this.#roles = rolesFromProposal(proposal);
      const c = this.#config;
      const level: GrainLevel = proposal.data.keys.geo ? 'geo' : 'national';
      this.#config = { ...c, read: { ...read }, data: { ...c.data, file: name, ...proposal.data, grain: { ...c.data.grain, level }, filters: [] } };
      this.#phase = 'loaded';
      this.#status = '';
    } catch (e) {
      if (id !== this.#runId) return;
      this.#fail(
        isIngestError(e)
          ? { file: e.file, message: e.message, fix: e.fix, column: e.column, row: e.row }
          : { file: name, message: `${name} could not be read: ${message(e)}` },
      );
    }
  }

  /** Re-reads the current file with the user's read overrides (delimiter, decimal, date format...). */
  async reread(read: Partial<ReadConfig>): Promise<void> {
    if (!this.#source || !this.#bytes) return;
    await this.loadBytes(this.#source.name, this.#bytes, this.#source.demo, read, this.#blob);
  }

  /** Changes one column's role; exposure/spend keep a channel name, factors get a baseline. */
  setRole(column: string, role: ColumnRole, extra: { channel?: string; baseline?: string } = {}): void {
    this.#setRoles(withRole(this.#roles, column, role, extra));
  }

  /** Sets the channel a spend or exposure column belongs to (pairs exposure with spend). */
  setChannel(column: string, channel: string): void {
    this.#setRoles(withEdit(this.#roles, column, { channel }));
  }

  /** Sets a factor's baseline level. */
  setBaseline(column: string, baseline: string): void {
    this.#setRoles(withEdit(this.#roles, column, { baseline }));
  }

  /** Chooses the grain: national or keyed, and the day weeks start on. */
  setGrain(level: GrainLevel, weekStart: WeekStart): void {
    const c = this.#config;
    this.#config = { ...c, data: { ...c.data, grain: { level, week_start: weekStart } } };
    this.#resetChecks();
  }

  /** Replaces the key filters (keep rows whose key is in the values). */
  setFilters(filters: KeyFilter[]): void {
    const c = this.#config;
    this.#config = { ...c, data: { ...c.data, filters } };
    this.#resetChecks();
  }

  /**
   * Stages 2-3: shapeStage and checkStage, then (when nothing blocks after overrides) cleanStage
   * for the national Dataset. Keeps the overrides written so far.
   */
  async runChecks(): Promise<void> {
    if (!this.canCheck) return;
    const id = ++this.#runId;
    this.#checksPhase = 'running';
    this.#checksError = null;
    this.#lineage = null;
    this.#dataset = null;
    this.#checked = null;
    const m = this.mapping;
    const before = this.#ingest?.findings ?? [];
    try {
      const db = await this.#getDb();
      const gate = mappingBlock(m, this.#problems, this.#source?.name ?? '', this.#roles.map((r) => r.column));
      if (gate) {
        this.#rawResults = [...before, gate];
      } else {
        this.#checksStatus = 'Applying filters and weekly grain...';
        const shape = await shapeStage(db, T.raw, m, this.#config.data);
        if (id !== this.#runId) return;
        this.#checksStatus = 'Running the data checks...';
        const checked = await checkStage(db, shape, m, this.#config.validation, { now: today(), before });
        if (id !== this.#runId) return;
        this.#rawResults = checked.raw;
        this.#checked = { shape, mapping: m };
        await this.#clean(id, db);
      }
      if (id === this.#runId) this.#checksPhase = 'done';
    } catch (e) {
      if (id !== this.#runId) return;
      this.#checksPhase = 'failed';
      this.#checksError = `The checks could not run: ${message(e)}`;
    }
  }

  /**
   * Records an override of a finding with a written reason (block -> warn, warn -> info).
   * @returns an error message for the form, or null when recorded
   */
  override(id: string, reason: string): string | null {
    if (!reason.trim()) return 'Write why it is safe to go ahead: an override needs a reason.';
    const o: CheckOverride = { id, reason: reason.trim(), at: new Date().toISOString() };
    this.#overrides = [...this.#overrides.filter((x) => x.id !== id), o];
    void this.#afterOverrides();
    return null;
  }

  /** Withdraws an override; the finding's severity comes back. */
  removeOverride(id: string): void {
    this.#overrides = this.#overrides.filter((x) => x.id !== id);
    void this.#afterOverrides();
  }

  /** The whole config as YAML (mapping, grain, read overrides, thresholds, every setting). */
  configYaml(): string {
    return configToYaml({ ...this.#config, data: { ...this.#config.data, ...this.mapping } });
  }

  /**
   * Applies an uploaded YAML config: settings replace the current ones and the column roles
   * follow its mapping (columns the file does not have are reported).
   * @returns problems (empty when applied)
   */
  async loadConfigYaml(text: string, name: string): Promise<string[]> {
    const r = configFromYaml(text);
    if (!r.ok) return r.issues.map((i) => `${name}: ${i.path}: ${i.message}`);
    const cfg = r.value;
    const present = new Set(this.#roles.map((x) => x.column));
    const missing = this.#roles.length ? columnsNamedBy(cfg.data).filter((c) => !present.has(c)) : [];
    if (missing.length) return missing.map((c) => `${name}: data: column '${c}' is not in ${this.#source?.name ?? 'the loaded file'}`);
    this.#config = cfg;
    if (this.#roles.length) this.#roles = this.#roles.map((x) => roleFromConfig(x, cfg.data));
    this.#resetChecks();
    return [];
  }

  async #afterOverrides(): Promise<void> {
    const rep = this.report;
    if (!rep || this.#checksPhase !== 'done') return;
    if (rep.blocked) {
      this.#dataset = null;
      this.#lineage = null;
      return;
    }
    if (this.#dataset || !this.#checked) return;
    // The last block was overridden: the checked tables are current, so only cleaning is left.
    const id = ++this.#runId;
    this.#checksPhase = 'running';
    try {
      await this.#clean(id, await this.#getDb());
      if (id === this.#runId) this.#checksPhase = 'done';
    } catch (e) {
      if (id !== this.#runId) return;
      this.#checksPhase = 'failed';
      this.#checksError = `Cleaning failed: ${message(e)}`;
    }
  }

  /** cleanStage on the last checked tables, when no block is left; a model-input block joins the results. */
  async #clean(id: number, db: Db): Promise<void> {
    const checked = this.#checked;
    if (!checked || this.report?.blocked) return;
    this.#checksStatus = 'Cleaning...';
    const c = await cleanStage(db, checked.shape, checked.mapping, this.#config, { target: 'national' });
    if (id !== this.#runId) return;
    this.#lineage = c.lineage;
    this.#dataset = c.dataset;
    const block = c.result;
    if (block) this.#rawResults = [...(this.#rawResults ?? []).filter((r) => r.id !== block.id), block];
  }

  #setRoles(roles: ColumnRoleView[]): void {
    this.#roles = roles;
    const c = this.#config;
    this.#config = { ...c, data: { ...c.data, ...this.mapping } };
    this.#resetChecks();
  }

  #resetChecks(): void {
    this.#checksPhase = 'idle';
    this.#rawResults = null;
    this.#lineage = null;
    this.#checksError = null;
    this.#dataset = null;
    this.#checked = null;
  }

  #fail(err: LoadError): void {
    this.#phase = 'failed';
    this.#status = '';
    this.#error = err;
    this.#ingest = null;
    this.#roles = [];
  }

  #getDb(): Promise<Db> {
    let p = this.#db;
    if (!p) {
      p = openBrowserDb().catch((e: unknown) => {
        this.#db = null;
        throw e;
      });
      this.#db = p;
    }
    return p;
  }
}

const KEY = Symbol('DatasetState');
/** Provides the dataset state to the component tree (call once in App). */
export const setDatasetState = (s: DatasetState) => setContext(KEY, s);
/** The dataset state provided by App. */
export const useDatasetState = () => getContext<DatasetState>(KEY);
