import type { DataConfig } from '../core/spec/config.ts';
import type { ColumnRole, MappingProposal, RoleProposal } from '../data/mapping.ts';

/*
 * The mapping editor's rows as pure data: the detector's proposal plus the user's edits. The
 * DatasetState keeps the array; these functions say what an edit does to it.
 */

/** One column's role as the user sees it: the proposal (with its reason) plus whether they changed it. */
export interface ColumnRoleView extends RoleProposal {
  /** The role the detector proposed (unchanged by edits). */
  proposed: ColumnRole;
  edited: boolean;
}

/** The editor's rows for a fresh proposal: nothing edited yet. */
export function rolesFromProposal(p: MappingProposal): ColumnRoleView[] {
  return p.roles.map((r) => ({ ...r, proposed: r.role, edited: false }));
}

/**
 * `column` takes `role`; spend and exposure keep a channel name (default: the column), factors a
 * baseline. A single date and KPI: taking either from another column demotes that one to ignore.
 * @returns the new rows (the input is not modified); the same rows when `column` is unknown
 */
export function withRole(roles: readonly ColumnRoleView[], column: string, role: ColumnRole, extra: { channel?: string; baseline?: string } = {}): ColumnRoleView[] {
  const r = roles.find((x) => x.column === column);
  if (!r) return [...roles];
  const channel = extra.channel ?? r.channel ?? column;
  const baseline = extra.baseline ?? r.baseline ?? '';
  return roles.map((o) => {
    if (o === r) {
      return { ...r, role, edited: role !== r.proposed || r.edited, channel: role === 'spend' || role === 'exposure' ? channel : undefined, baseline: role === 'factor' ? baseline : undefined };
    }
    if ((role === 'date' || role === 'kpi') && o.role === role) return { ...o, role: 'ignore', edited: true, reason: `replaced by '${column}' as the ${role}` };
    return o;
  });
}

/** `column`'s row with `patch` applied and marked edited (channel of a spend/exposure, baseline of a factor). */
export function withEdit(roles: readonly ColumnRoleView[], column: string, patch: Pick<RoleProposal, 'channel'> | Pick<RoleProposal, 'baseline'>): ColumnRoleView[] {
  return roles.map((o) => (o.column === column ? { ...o, ...patch, edited: true } : o));
}

/** Every column the data section of a config names (date, KPI, spend, exposure, controls, factors, keys). */
export function columnsNamedBy(d: DataConfig): string[] {
  return [d.date_col, d.kpi_col, ...Object.values(d.channel_map).flatMap((c) => [c.spend, c.exposure ?? '']), ...d.controls, ...Object.keys(d.factor_controls), d.keys.geo ?? '', d.keys.product ?? '', d.population_col ?? ''].filter(Boolean);
}

/** The row's role under an uploaded config's mapping; unnamed columns become ignore (organic stays organic). */
export function roleFromConfig(x: ColumnRoleView, d: DataConfig): ColumnRoleView {
  const ch = Object.entries(d.channel_map);
  const set = (role: ColumnRole, extra: Partial<RoleProposal> = {}): ColumnRoleView => ({
    ...x,
    role,
    channel: undefined,
    baseline: undefined,
    ...extra,
    edited: role !== x.proposed || x.edited,
    reason: role === x.proposed ? x.reason : 'set by the uploaded config',
  });
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
