import { getContext, setContext } from 'svelte';
import type { CheckResult } from '../core/check/result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import { defaultConfig, type Config, type GrainLevel, type KeyFilter, type ReadConfig, type WeekStart } from '../core/spec/config.ts';
import { configFromYaml, configToYaml } from '../core/spec/config-yaml.ts';
import type { Db } from '../data/db.ts';
import { ingestFile, type IngestResult } from '../data/ingest.ts';
import { isIngestError } from '../data/ingest-error.ts';
import { profileTable } from '../data/profile.ts';
import { proposeMapping, toCheckMapping, toMappingConfig, type ColumnRole, type MappingConfig, type RoleProposal } from '../data/mapping.ts';
import { aggregateWeekly, applyFilters, keptKeys, toWeeklyGrain } from '../data/grain.ts';
import { toDataset } from '../data/dataset-adapter.ts';
import { runAllChecks, applyOverrides, validationScore, type CheckOverride } from '../data/checks/index.ts';
import { cleanTable, type LineageEntry } from '../data/clean/index.ts';
import { openBrowserDb } from '../data/duckdb.ts';

/** A demo dataset listed in public/demo/index.json. */
export interface DemoEntry {
  /** The file name without extension; used in test ids (`demo-robyn_simulated_weekly`). */
  id: string;
  file: string;
  label: string;
  description?: string;
}

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

/** One column's role as the user sees it: the proposal (with its reason) plus whether they changed it. */
export interface ColumnRoleView extends RoleProposal {
  /** The role the detector proposed (unchanged by edits). */
  proposed: ColumnRole;
  edited: boolean;
}

/** The checks as shown: results after overrides, their score and whether the fit is blocked. */
export interface ChecksView {
  results: CheckResult[];
  /** validationScore(results) in [0, 1]. */
  score: number;
  blocked: boolean;
  belowMinScore: boolean;
}

// Table names inside DuckDB (one dataset at a time).
const T = { raw: 'raw', filtered: 'raw_filtered', weekly: 'weekly', grain: 'grain', clean: 'clean', national: 'national' } as const;

const today = () => new Date().toISOString().slice(0, 10);
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * The user's data as it moves through stages 1-3: loaded table, mapping, checks, cleaning,
 * and finally the cleaned national Dataset that the model reads. All SQL lives in src/data;
 * this class sequences it and keeps what the screens show.
 */
export class DatasetState {
  #dataset = $state.raw<Dataset | null>(null);
  #db: Promise<Db> | null = null;
  #bytes: Uint8Array | null = null;
  #phase = $state<LoadPhase>('empty');
  #status = $state('');
  #error = $state.raw<LoadError | null>(null);
  #source = $state.raw<{ name: string; bytes: number; demo: boolean } | null>(null);
  #ingest = $state.raw<IngestResult | null>(null);
  #problems = $state.raw<string[]>([]);
  #roles = $state<ColumnRoleView[]>([]);
  #config = $state.raw<Config>(defaultConfig());
  #checksPhase = $state<ChecksPhase>('idle');
  #checksStatus = $state('');
  #checksError = $state<string | null>(null);
  #rawResults = $state.raw<CheckResult[] | null>(null);
  #overrides = $state.raw<CheckOverride[]>([]);
  #lineage = $state.raw<LineageEntry[] | null>(null);
  #runId = 0;

  /** The cleaned, mapped dataset handed to the model; null until stages 1-3 are done. */
  get dataset() { return this.#dataset; }
  get phase() { return this.#phase; }
  /** What is happening now, in words (loading DuckDB, reading the file...). */
  get status() { return this.#status; }
  get error() { return this.#error; }
  get source() { return this.#source; }
  /** The table as read: row count, columns with DuckDB types, preview rows, sniffer findings. */
  get ingest() { return this.#ingest; }
  /** What the mapping detector could not decide. */
  get problems() { return this.#problems; }
  /** One entry per column, table order. */
  get roles(): readonly ColumnRoleView[] { return this.#roles; }
  get config() { return this.#config; }
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
    if (!this.#rawResults) return null;
    const results = applyOverrides(this.#rawResults, this.#overrides);
    const score = validationScore(results);
    return { results, score, blocked: results.some((r) => r.severity === 'block'), belowMinScore: score < this.#config.validation.quality_thresholds.min_validation_score };
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
    this.#status = `Fetching ${d.file}...`;
    try {
      const res = await fetch(`./demo/${d.file}`);
      if (!res.ok) throw new Error(`HTTP ${res.status} for demo/${d.file}`);
      await this.loadBytes(d.file, new Uint8Array(await res.arrayBuffer()), true);
    } catch (e) {
      this.#fail({ file: d.file, message: `The demo ${d.file} could not be fetched: ${message(e)}` });
    }
  }

  /** Loads a dropped or picked file. */
  async loadFile(f: File): Promise<void> {
    this.#phase = 'loading';
    this.#status = `Reading ${f.name}...`;
    await this.loadBytes(f.name, new Uint8Array(await f.arrayBuffer()), false);
  }

  /** Reads bytes into DuckDB, profiles the table and proposes a mapping. Never throws: errors land in `error`. */
  async loadBytes(name: string, bytes: Uint8Array, demo = false, read: Partial<ReadConfig> = {}): Promise<void> {
    const id = ++this.#runId;
    this.#phase = 'loading';
    this.#error = null;
    this.#resetChecks();
    this.#source = { name, bytes: bytes.length, demo };
    this.#bytes = bytes;
    try {
      this.#status = 'Starting DuckDB...';
      const db = await this.#getDb();
      this.#status = `Reading ${name} with DuckDB...`;
      const ingest = await ingestFile(db, { name, bytes }, { read, table: T.raw, previewRows: 20 });
      this.#status = 'Profiling columns...';
      const proposal = proposeMapping(await profileTable(db, ingest.table));
      if (id !== this.#runId) return;
      this.#ingest = ingest;
      this.#problems = proposal.problems;
      this.#roles = proposal.roles.map((r) => ({ ...r, proposed: r.role, edited: false }));
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
    await this.loadBytes(this.#source.name, this.#bytes, this.#source.demo, read);
  }

  /** Changes one column's role; exposure/spend keep a channel name, factors get a baseline. */
  setRole(column: string, role: ColumnRole, extra: { channel?: string; baseline?: string } = {}): void {
    const i = this.#roles.findIndex((r) => r.column === column);
    if (i < 0) return;
    const r = this.#roles[i];
    // A single date and KPI: taking the role from another column demotes that one to ignore.
    if (role === 'date' || role === 'kpi') {
      for (const o of this.#roles) if (o.role === role && o.column !== column) Object.assign(o, { role: 'ignore', edited: true, reason: `replaced by '${column}' as the ${role}` });
    }
    const channel = extra.channel ?? r.channel ?? column;
    const baseline = extra.baseline ?? r.baseline ?? '';
    this.#roles[i] = { ...r, role, edited: role !== r.proposed || r.edited, channel: role === 'spend' || role === 'exposure' ? channel : undefined, baseline: role === 'factor' ? baseline : undefined };
    this.#mappingChanged();
  }

  /** Sets the channel a spend or exposure column belongs to (pairs exposure with spend). */
  setChannel(column: string, channel: string): void {
    const r = this.#roles.find((x) => x.column === column);
    if (!r) return;
    r.channel = channel;
    r.edited = true;
    this.#mappingChanged();
  }

  /** Sets a factor's baseline level. */
  setBaseline(column: string, baseline: string): void {
    const r = this.#roles.find((x) => x.column === column);
    if (!r) return;
    r.baseline = baseline;
    r.edited = true;
    this.#mappingChanged();
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
   * Stage 2-3: filters, weekly grain, every data check, then (when nothing blocks) cleaning and
   * the national Dataset for the model. Keeps the overrides written so far.
   */
  async runChecks(): Promise<void> {
    if (!this.canCheck) return;
    const id = ++this.#runId;
    this.#checksPhase = 'running';
    this.#checksError = null;
    this.#lineage = null;
    this.#dataset = null;
    try {
      const db = await this.#getDb();
      const m = this.mapping;
      const { level, week_start } = this.grain;
      this.#status = this.#checksStatus = 'Applying filters and weekly grain...';
      await applyFilters(db, T.raw, this.filters, T.filtered);
      const weekly = await toWeeklyGrain(db, T.filtered, m, week_start, T.weekly);
      const keys = keptKeys(level, m.keys);
      const all = [m.keys.geo, m.keys.product].filter((k): k is string => !!k);
      let table = weekly.table;
      if (keys.length < all.length) {
        await aggregateWeekly(db, weekly.table, m, week_start, keys, T.grain);
        table = T.grain;
      }
      const grainMapping: MappingConfig = { ...m, keys: { ...(keys.includes(m.keys.geo ?? '') ? { geo: m.keys.geo } : {}), ...(keys.includes(m.keys.product ?? '') ? { product: m.keys.product } : {}) } };
      this.#checksStatus = 'Running the data checks...';
      const rep = await runAllChecks(db, table, toCheckMapping(grainMapping), this.#config.validation, { now: today() });
      if (id !== this.#runId) return;
      this.#rawResults = [...(this.#ingest?.findings ?? []), ...(weekly.result ? [weekly.result] : []), ...rep.results];
      await this.#cleanIfClear(id, db, table, grainMapping);
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
    const d = cfg.data;
    const named = [d.date_col, d.kpi_col, ...Object.values(d.channel_map).flatMap((c) => [c.spend, c.exposure ?? '']), ...d.controls, ...Object.keys(d.factor_controls), d.keys.geo ?? '', d.keys.product ?? ''].filter(Boolean);
    const missing = this.#roles.length ? named.filter((c) => !present.has(c)) : [];
    if (missing.length) return missing.map((c) => `${name}: data: column '${c}' is not in ${this.#source?.name ?? 'the loaded file'}`);
    this.#config = cfg;
    if (this.#roles.length) this.#roles = this.#roles.map((x) => this.#roleFromConfig(x, cfg));
    this.#resetChecks();
    return [];
  }

  #roleFromConfig(x: ColumnRoleView, cfg: Config): ColumnRoleView {
    const d = cfg.data;
    const ch = Object.entries(d.channel_map);
    const set = (role: ColumnRole, extra: Partial<RoleProposal> = {}): ColumnRoleView => ({ ...x, role, channel: undefined, baseline: undefined, ...extra, edited: role !== x.proposed || x.edited, reason: role === x.proposed ? x.reason : 'set by the uploaded config' });
    if (x.column === d.date_col) return set('date');
    if (x.column === d.kpi_col) return set('kpi');
    const s = ch.find(([, c]) => c.spend === x.column);
    if (s) return set('spend', { channel: s[0] });
    const ex = ch.find(([, c]) => c.exposure === x.column);
    if (ex) return set('exposure', { channel: ex[0] });
    if (d.controls.includes(x.column)) return set('control');
    if (x.column in d.factor_controls) return set('factor', { baseline: d.factor_controls[x.column] });
    if (x.column === d.keys.geo) return set('geo');
    if (x.column === d.keys.product) return set('product');
    return set(x.role === 'organic' ? 'organic' : 'ignore');
  }

  async #afterOverrides(): Promise<void> {
    const rep = this.report;
    if (!rep || this.#checksPhase !== 'done') return;
    if (rep.blocked) {
      this.#dataset = null;
      this.#lineage = null;
      return;
    }
    if (this.#dataset) return;
    await this.runChecks();
  }

  /** Cleans the checked table and builds the national Dataset when no block is left. */
  async #cleanIfClear(id: number, db: Db, table: string, m: MappingConfig): Promise<void> {
    if (this.report?.blocked) return;
    this.#checksStatus = 'Cleaning...';
    const cleaned = await cleanTable(db, table, toCheckMapping(m), this.#config.cleaning, { output: T.clean });
    let national = cleaned.table;
    if (m.keys.geo || m.keys.product) {
      await aggregateWeekly(db, cleaned.table, m, this.grain.week_start, [], T.national);
      national = T.national;
    }
    const ds = await toDataset(db, national, m);
    if (id !== this.#runId) return;
    this.#lineage = cleaned.lineage;
    if (ds.ok) this.#dataset = ds.dataset;
    else this.#rawResults = [...(this.#rawResults ?? []), ds.result];
  }

  #mappingChanged(): void {
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

/** Lists the demos of public/demo/index.json that are model inputs (label from its title). */
export async function fetchDemos(): Promise<DemoEntry[]> {
  const res = await fetch('./demo/index.json');
  if (!res.ok) throw new Error(`demo/index.json: HTTP ${res.status}`);
  const j = (await res.json()) as { datasets: { file: string; title: string; grain: string; rows: number; model: boolean }[] };
  return j.datasets
    .filter((d) => d.model)
    .map((d) => ({ id: d.file.replace(/\.[^.]+$/, ''), file: d.file, label: d.title, description: `${d.rows} rows, ${d.grain}` }));
}

const KEY = Symbol('DatasetState');
/** Provides the dataset state to the component tree (call once in App). */
export const setDatasetState = (s: DatasetState) => setContext(KEY, s);
/** The dataset state provided by App. */
export const useDatasetState = () => getContext<DatasetState>(KEY);
