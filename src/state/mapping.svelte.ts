import type { DataConfig } from '../core/spec/config.ts';
import { toMappingConfig, type ColumnRole, type MappingConfig, type MappingProposal } from '../data/mapping.ts';
import { roleFromConfig, rolesFromProposal, withEdit, withRole, type ColumnRoleView } from './column-roles.ts';

/**
 * The mapping editor's rows (one per column, table order, with the detector's reason) and the
 * one mapping shape derived from them: MappingConfig, the config's data fields.
 */
export class MappingState {
  #roles = $state.raw<ColumnRoleView[]>([]);
  #problems = $state.raw<string[]>([]);
  // data.population_col of an uploaded config (any column name); undefined: the detector's (a column named population/pop)
  #population = $state<string | undefined>(undefined);
  // channel names in an uploaded config's channel_map order: the model's channel order follows it
  // (so draws sampled elsewhere in that order, e.g. by CmdStan, line up); [] keeps table order
  #channelOrder = $state.raw<string[]>([]);

  /** One row per column, table order. */
  get roles(): readonly ColumnRoleView[] { return this.#roles; }
  /** What the mapping detector could not decide (no date column, no KPI...). */
  get problems(): readonly string[] { return this.#problems; }
  /** The mapping as config fields, from the current rows. */
  get mapping(): MappingConfig {
    const m = withChannelOrder(toMappingConfig(this.#roles), this.#channelOrder);
    return this.#population && m.keys.geo ? { ...m, population_col: this.#population } : m;
  }
  /** Column names, table order. */
  get columns(): string[] { return this.#roles.map((r) => r.column); }
  /** A date and a KPI are mapped, so the checks can run. */
  get complete(): boolean {
    const m = this.mapping;
    return !!m.date_col && !!m.kpi_col;
  }

  /** Rows for a freshly loaded table: the detector's proposal, nothing edited. */
  propose(p: MappingProposal): void {
    this.#roles = rolesFromProposal(p);
    this.#problems = p.problems;
    this.#population = undefined;
    this.#channelOrder = [];
  }

  /** `column` takes `role`; spend/exposure keep a channel name, factors a baseline; a second date or KPI demotes the first. */
  setRole(column: string, role: ColumnRole, extra: { channel?: string; baseline?: string } = {}): void {
    this.#roles = withRole(this.#roles, column, role, extra);
  }

  /** The channel a spend or exposure column belongs to (pairs exposure with spend). */
  setChannel(column: string, channel: string): void {
    this.#roles = withEdit(this.#roles, column, { channel });
  }

  /** A factor's baseline level. */
  setBaseline(column: string, baseline: string): void {
    this.#roles = withEdit(this.#roles, column, { baseline });
  }

  /** The rows follow an uploaded config's mapping (columns it does not name become ignore). */
  applyConfig(d: DataConfig): void {
    this.#roles = this.#roles.map((x) => roleFromConfig(x, d));
    if (d.population_col) this.#population = d.population_col;
    this.#channelOrder = Object.keys(d.channel_map);
  }

  /** No table: no rows. */
  clear(): void {
    this.#roles = [];
    this.#problems = [];
    this.#population = undefined;
    this.#channelOrder = [];
  }
}

/** `m` with channel_map's keys in `order` first (those it has), then the rest in table order. */
function withChannelOrder(m: MappingConfig, order: readonly string[]): MappingConfig {
  if (!order.length) return m;
  const keys = [...order.filter((k) => k in m.channel_map), ...Object.keys(m.channel_map).filter((k) => !order.includes(k))];
  return { ...m, channel_map: Object.fromEntries(keys.map((k) => [k, m.channel_map[k]])) };
}
