import type { WeeklyTable } from './canonical.ts';
import { overlapRows, sameSeries, type ValueTolerance } from './table-overlap.ts';

/** The column roles governance compares (a structural subset of the config's `data` section). */
export interface MappingSnapshot {
  date_col: string;
  kpi_col: string;
  /** Channel name -> its spend column (and exposure column). */
  channel_map: Record<string, { spend: string; exposure?: string }>;
  controls: string[];
}

/** Kinds of mapping and taxonomy change, a closed list. */
export type MappingChangeKind =
  | 'date-column'
  | 'kpi-column'
  | 'channel-added'
  | 'channel-dropped'
  | 'channel-renamed'
  | 'channel-split'
  | 'channel-merged'
  | 'spend-column'
  | 'exposure-column'
  | 'control-added'
  | 'control-dropped'
  | 'missing-column';

/** One mapping change; `id` is stable so a reviewer's sign-off can name it. */
export interface MappingChange {
  /** e.g. `mapping.spend-column.tv`, `mapping.missing-column.tv_S`. */
  id: string;
  kind: MappingChangeKind;
  channel?: string;
  from?: string;
  to?: string;
  /** True when the two columns hold the same values on the overlapping weeks (a pure rename). */
  valuesIdentical?: boolean;
  /** One sentence for the memo and the drift table. */
  detail: string;
}

/** Whether a change breaks the data contract (a mapped column is gone) or alters the taxonomy. */
export const MAPPING_CHANGE_CLASS = {
  'date-column': 'mapping',
  'kpi-column': 'mapping',
  'channel-added': 'taxonomy',
  'channel-dropped': 'taxonomy',
  'channel-renamed': 'taxonomy',
  'channel-split': 'taxonomy',
  'channel-merged': 'taxonomy',
  'spend-column': 'mapping',
  'exposure-column': 'mapping',
  'control-added': 'mapping',
  'control-dropped': 'mapping',
  'missing-column': 'contract',
} as const satisfies Record<MappingChangeKind, 'mapping' | 'taxonomy' | 'contract'>;

interface Side {
  table: WeeklyTable;
  mapping: MappingSnapshot;
}

/**
 * Differences between two mappings, with taxonomy changes (a channel dropped whose spend
 * reappears, identical, under a new channel name is a rename) and mapped columns missing from
 * the current table.
 * @param renames column renames found in the tables (detectColumnRenames)
 */
export function diffMapping(previous: Side, current: Side, renames: readonly { from: string; to: string }[], tol: ValueTolerance): MappingChange[] {
  const out: MappingChange[] = [];
  const pm = previous.mapping;
  const cm = current.mapping;
  const renamedTo = new Map(renames.map((r) => [r.from, r.to]));
  const isRename = (from: string, to: string) => renamedTo.get(from) === to;
  if (pm.date_col !== cm.date_col) out.push({ id: 'mapping.date-column', kind: 'date-column', from: pm.date_col, to: cm.date_col, detail: `date column ${pm.date_col} -> ${cm.date_col}` });
  if (pm.kpi_col !== cm.kpi_col) {
    const same = isRename(pm.kpi_col, cm.kpi_col);
    out.push({ id: 'mapping.kpi-column', kind: 'kpi-column', from: pm.kpi_col, to: cm.kpi_col, valuesIdentical: same, detail: `KPI column ${pm.kpi_col} -> ${cm.kpi_col}${same ? ' (same values: a rename)' : ''}` });
  }
  const rows = overlapRows(previous.table, current.table);
  const prevCh = Object.keys(pm.channel_map);
  const curCh = Object.keys(cm.channel_map);
  const dropped = prevCh.filter((c) => !(c in cm.channel_map));
  const added = new Set(curCh.filter((c) => !(c in pm.channel_map)));
  const prevSpend = (c: string) => previous.table.columns[pm.channel_map[c]!.spend];
  const curSpend = (c: string) => current.table.columns[cm.channel_map[c]!.spend];
  const sum = (a: Float64Array, b: Float64Array) => a.map((x, i) => x + b[i]!);
  const unmatched: string[] = [];
  for (const p of dropped) {
    const a = prevSpend(p);
    const match = a && [...added].find((c) => {
      const b = curSpend(c);
      return b !== undefined && sameSeries(a, b, rows, tol) > 0;
    });
    if (match) {
      added.delete(match);
      out.push({ id: `mapping.channel-renamed.${p}`, kind: 'channel-renamed', channel: match, from: p, to: match, valuesIdentical: true, detail: `channel ${p} renamed to ${match} (same spend on the overlapping weeks)` });
    } else unmatched.push(p);
  }
  // a split: one old channel's spend is the sum of two new ones (a merge: the reverse)
  const pairs = <T,>(xs: T[]) => xs.flatMap((x, i) => xs.slice(i + 1).map((y): [T, T] => [x, y]));
  for (const p of [...unmatched]) {
    const a = prevSpend(p);
    const hit = a && pairs([...added]).find(([x, y]) => {
      const bx = curSpend(x);
      const by = curSpend(y);
      return bx !== undefined && by !== undefined && sameSeries(a, sum(bx, by), rows, tol) > 0;
    });
    if (hit) {
      hit.forEach((c) => added.delete(c));
      unmatched.splice(unmatched.indexOf(p), 1);
      out.push({ id: `mapping.channel-split.${p}`, kind: 'channel-split', channel: p, from: p, to: hit.join(' + '), valuesIdentical: true, detail: `channel ${p} split into ${hit.join(' and ')} (their spend sums to ${p}'s on the overlapping weeks)` });
    }
  }
  for (const c of [...added]) {
    const b = curSpend(c);
    const hit = b && pairs(unmatched).find(([x, y]) => {
      const ax = prevSpend(x);
      const ay = prevSpend(y);
      return ax !== undefined && ay !== undefined && sameSeries(sum(ax, ay), b, rows, tol) > 0;
    });
    if (hit) {
      added.delete(c);
      hit.forEach((p) => unmatched.splice(unmatched.indexOf(p), 1));
      out.push({ id: `mapping.channel-merged.${c}`, kind: 'channel-merged', channel: c, from: hit.join(' + '), to: c, valuesIdentical: true, detail: `channels ${hit.join(' and ')} merged into ${c} (its spend is their sum on the overlapping weeks)` });
    }
  }
  for (const p of unmatched) out.push({ id: `mapping.channel-dropped.${p}`, kind: 'channel-dropped', channel: p, from: p, detail: `channel ${p} dropped (spend column ${pm.channel_map[p]!.spend})` });
  for (const c of added) out.push({ id: `mapping.channel-added.${c}`, kind: 'channel-added', channel: c, to: c, detail: `channel ${c} added (spend column ${cm.channel_map[c]!.spend})` });
  for (const c of curCh.filter((x) => x in pm.channel_map)) {
    const before = pm.channel_map[c]!;
    const after = cm.channel_map[c]!;
    if (before.spend !== after.spend) {
      const same = isRename(before.spend, after.spend);
      out.push({ id: `mapping.spend-column.${c}`, kind: 'spend-column', channel: c, from: before.spend, to: after.spend, valuesIdentical: same, detail: `${c} spend column ${before.spend} -> ${after.spend}${same ? ' (same values on the overlapping weeks: a column rename)' : ' (different values)'}` });
    }
    if ((before.exposure ?? '') !== (after.exposure ?? '')) {
      out.push({ id: `mapping.exposure-column.${c}`, kind: 'exposure-column', channel: c, from: before.exposure ?? '(none)', to: after.exposure ?? '(none)', detail: `${c} exposure column ${before.exposure ?? '(none)'} -> ${after.exposure ?? '(none)'}` });
    }
  }
  for (const c of cm.controls.filter((x) => !pm.controls.includes(x))) out.push({ id: `mapping.control-added.${c}`, kind: 'control-added', to: c, detail: `control ${c} added` });
  for (const c of pm.controls.filter((x) => !cm.controls.includes(x))) out.push({ id: `mapping.control-dropped.${c}`, kind: 'control-dropped', from: c, detail: `control ${c} dropped` });
  const required = new Map<string, string>([[cm.kpi_col, 'the KPI']]);
  for (const [ch, cols] of Object.entries(cm.channel_map)) {
    required.set(cols.spend, `${ch} spend`);
    if (cols.exposure) required.set(cols.exposure, `${ch} exposure`);
  }
  for (const c of cm.controls) required.set(c, `control`);
  for (const [col, role] of required) {
    if (col && !(col in current.table.columns)) {
      const to = renamedTo.get(col);
      out.push({
        id: `mapping.missing-column.${col}`,
        kind: 'missing-column',
        from: col,
        ...(to ? { to, valuesIdentical: true } : {}),
        detail: `mapped column ${col} (${role}) is missing from the new data${to ? `; its values appear unchanged under ${to}: map ${to} instead` : ''}`,
      });
    }
  }
  return out;
}
