import { defaultConfig, type Config, type GrainLevel, type KeyFilter, type ReadConfig, type TrainingConfig, type WeekStart } from '../core/spec/config.ts';
import type { CleaningConfig } from '../core/spec/config-cleaning.ts';
import { configFromYaml, configToYaml } from '../core/spec/config-yaml.ts';
import { keptKeys } from '../data/grain.ts';
import type { MappingConfig, MappingProposal } from '../data/mapping.ts';
import { columnsNamedBy } from './column-roles.ts';

/** The one config object of the session: read overrides, mapping, grain, filters, thresholds, training. */
export class ConfigState {
  #config = $state.raw<Config>(defaultConfig());

  get config(): Config { return this.#config; }
  get grain() { return this.#config.data.grain; }
  get filters() { return this.#config.data.filters; }
  get training() { return this.#config.training; }

  /** The grain in words, e.g. "national, weeks start on monday". */
  grainLabel(keys: MappingConfig['keys']): string {
    const g = this.grain;
    const kept = keptKeys(g.level, keys);
    return `${g.level === 'national' || !kept.length ? 'national' : `by ${kept.join(' x ')}`}, weeks start on ${g.week_start}${this.filters.length ? `, ${this.filters.length} filter(s)` : ''}`;
  }

  /** A new table was read: its name, the read overrides used and the proposed mapping; grain follows its keys, filters are cleared. */
  afterLoad(file: string, read: Partial<ReadConfig>, proposal: MappingProposal): void {
    const c = this.#config;
    const level: GrainLevel = proposal.data.keys.geo ? 'geo' : 'national';
    this.#config = { ...c, read: { ...read }, data: { ...c.data, file, ...proposal.data, grain: { ...c.data.grain, level }, filters: [] } };
  }

  /** Writes the current mapping into the data section. */
  setMapping(m: MappingConfig): void {
    this.#config = { ...this.#config, data: { ...this.#config.data, ...m } };
  }

  /** National or keyed, and the day weeks start on. */
  setGrain(level: GrainLevel, weekStart: WeekStart): void {
    const c = this.#config;
    this.#config = { ...c, data: { ...c.data, grain: { level, week_start: weekStart } } };
  }

  /** Replaces the key filters (keep rows whose key is in the values). */
  setFilters(filters: KeyFilter[]): void {
    const c = this.#config;
    this.#config = { ...c, data: { ...c.data, filters } };
  }

  /** Records the sampler settings of the fit being run (so the exported YAML reproduces it). */
  setTraining(training: TrainingConfig): void {
    this.#config = { ...this.#config, training };
  }

  /** Replaces the cleaning section (a one-click cap or its undo on the Checks screen). */
  setCleaning(cleaning: CleaningConfig): void {
    this.#config = { ...this.#config, cleaning };
  }

  /** The whole config as YAML with `mapping` as its data mapping. */
  yaml(mapping: MappingConfig): string {
    return configToYaml({ ...this.#config, data: { ...this.#config.data, ...mapping } });
  }

  /** `<file stem>.carryover.yaml` for the download. */
  filename(source: string | undefined): string {
    return `${(source ?? 'carryover').replace(/\.[^.]+$/, '')}.carryover.yaml`;
  }

  /**
   * Replaces the config with an uploaded YAML one, when it parses and names only columns the
   * table has.
   * @param columns the loaded table's columns; empty when no table is loaded (nothing to check)
   * @param source the loaded file's name, for messages
   * @returns problems, one per line (`name: path: message`); empty when applied
   */
  loadYaml(text: string, name: string, columns: readonly string[], source = 'the loaded file'): string[] {
    const r = configFromYaml(text);
    if (!r.ok) return r.issues.map((i) => `${name}: ${i.path}: ${i.message}`);
    const present = new Set(columns);
    const missing = columns.length ? columnsNamedBy(r.value.data).filter((c) => !present.has(c)) : [];
    if (missing.length) return missing.map((c) => `${name}: data: column '${c}' is not in ${source}`);
    this.#config = r.value;
    return [];
  }
}
