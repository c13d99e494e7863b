import { worstSeverity, type CheckResult, type Severity } from '../check/result.ts';
import { formatNumber } from '../format/number.ts';
import type { ChangeSplit } from './attribution.ts';
import type { JsonChange } from './config-diff.ts';
import type { DataDriftReport } from './data-drift.ts';
import { MAPPING_CHANGE_CLASS } from './mapping-diff.ts';
import type { ModelDriftReport } from './model-drift.ts';
import type { RunSummary } from './run-summary.ts';

/** A reviewer's sign-off of one mapping or taxonomy change (MappingChange.id). */
export interface Acknowledgement {
  changeId: string;
  by: string;
  reason: string;
}

/** Everything the release gates read; each part is optional, and a missing part is said so. */
export interface GateInput {
  current: RunSummary;
  dataDrift?: DataDriftReport;
  modelDrift?: ModelDriftReport;
  attribution?: ChangeSplit[];
  /** compareReproducibility's result for the refresh. */
  reproducibility?: CheckResult;
  /** diffJson of the previous and current config + mapping + model spec. */
  configChanges?: JsonChange[];
  acknowledgements?: Acknowledgement[];
  /** Convergence thresholds (the config's training.max_rhat and min_ess). */
  diagnostics?: { maxRhat: number; minEss: number };
}

/** The release verdict: block = cannot publish, warn = limited publish with review, info = publish broadly. */
export interface ReleaseVerdict {
  verdict: Severity;
  publish: 'blocked' | 'limited' | 'broad';
  /** One result per gate of the checklist, in checklist order. */
  results: CheckResult[];
}

const PUBLISH = { block: 'blocked', warn: 'limited', info: 'broad' } as const satisfies Record<Severity, ReleaseVerdict['publish']>;

function gate(id: string, severity: Severity, title: string, detail: string, evidence: Record<string, unknown>, fix?: string): CheckResult {
  return { id: `gate.${id}`, severity, title, detail, evidence, ...(fix ? { fix } : {}) };
}

function contractGate(i: GateInput): CheckResult {
  const runBlocks = i.current.checks.filter((c) => c.severity === 'block');
  const missing = i.dataDrift?.mapping.filter((m) => MAPPING_CHANGE_CLASS[m.kind] === 'contract') ?? [];
  if (runBlocks.length || missing.length) {
    const reasons = [...missing.map((m) => m.detail), ...runBlocks.map((c) => `${c.id}: ${c.title}`)];
    return gate('contract', 'block', 'Data contract broken or critical inputs missing', reasons.join('; '), { missing, runBlocks: runBlocks.map((c) => c.id) }, 'Fix the blocking data checks or map the missing columns, then re-run.');
  }
  return gate('contract', 'info', 'Data contract holds', 'Every mapped column present and no blocking data check.', {});
}

function taxonomyGate(i: GateInput): CheckResult {
  const changes = i.dataDrift?.mapping.filter((m) => MAPPING_CHANGE_CLASS[m.kind] !== 'contract') ?? [];
  const acks = new Map((i.acknowledgements ?? []).map((a) => [a.changeId, a]));
  const open = changes.filter((c) => !acks.has(c.id));
  const signed = changes.filter((c) => acks.has(c.id));
  if (open.length) {
    return gate('taxonomy', 'block', `${open.length} mapping or taxonomy change${open.length === 1 ? '' : 's'} not signed off`, open.map((c) => `${c.detail} [${c.id}]`).join('; '), { open, signed }, 'Sign off each change by its id (who and why) to version it, or revert the mapping.');
  }
  if (signed.length) {
    return gate('taxonomy', 'warn', `${signed.length} mapping or taxonomy change${signed.length === 1 ? '' : 's'}, signed off`, signed.map((c) => `${c.detail} (signed off by ${acks.get(c.id)!.by}: ${acks.get(c.id)!.reason})`).join('; '), { signed });
  }
  return gate('taxonomy', 'info', 'No mapping or taxonomy change', i.dataDrift ? 'Mapping identical to the previous run.' : 'No previous run to compare with.', {});
}

function reproducibleGate(i: GateInput): CheckResult {
  const r = i.reproducibility;
  if (!r) return gate('reproducible', 'warn', 'Reproducibility not checked', 'No re-run of this refresh from its own inputs was compared.', {}, 'Re-run the bundle from its inputs on the same kernel.');
  return gate('reproducible', r.severity === 'info' ? 'info' : 'block', r.title, r.detail, { check: r.id, ...r.evidence }, r.fix);
}

/** Data facts that can explain a channel's move: its spend/exposure restated, its mapping changed. */
function plausibleCauses(i: GateInput, channel: string): string[] {
  const d = i.dataDrift;
  if (!d) return [];
  const causes = d.mapping.filter((m) => m.channel === channel).map((m) => m.detail);
  for (const b of d.backfills) if (b.channel === channel) causes.push(`${b.column} restated in ${b.weeks.length} week(s)`);
  return causes;
}

function driftGate(i: GateInput): CheckResult {
  const m = i.modelDrift;
  if (!m) return gate('drift', 'info', 'No previous run to compare with', 'Model drift not computed.', {});
  const split = new Map((i.attribution ?? []).map((s) => [`${s.channel}/${s.quantity}`, s]));
  const severe: string[] = [];
  const swings: string[] = [];
  for (const c of m.channels) {
    for (const q of ['roi', 'share'] as const) {
      const dq = c[q];
      if (dq.level === 'stable') continue;
      const s = split.get(`${c.channel}/${q}`);
      const causes = plausibleCauses(i, c.channel);
      const why = s?.explained ? s.note : causes.length ? `plausible cause: ${causes.join(', ')}` : '';
      const line = `${c.channel} ${q} ${dq.deltaSd >= 0 ? '+' : ''}${formatNumber(dq.deltaSd, 3)} sd${why ? ` (${why})` : ' (no explanation)'}`;
      (dq.level === 'severe' && !why ? severe : swings).push(line);
    }
  }
  if (severe.length) return gate('drift', 'block', `Severe drift with no explanation path in ${severe.length} estimate${severe.length === 1 ? '' : 's'}`, [...severe, ...swings].join('; '), { severe, swings }, 'Run the cross refits (previous data with the new config) to split the change, or find the data change behind it.');
  if (swings.length) return gate('drift', 'warn', `${swings.length} estimate${swings.length === 1 ? '' : 's'} moved beyond the stability threshold`, swings.join('; '), { swings });
  return gate('drift', 'info', 'Within stability thresholds', 'Every ROI and share within the swing threshold of the previous run.', {});
}

function backfillGate(i: GateInput): CheckResult {
  const b = i.dataDrift?.backfills.filter((x) => x.mapped) ?? [];
  if (!b.length) return gate('backfill', 'info', 'No restatement of modelled columns', 'Overlapping weeks unchanged within tolerance.', {});
  return gate('backfill', 'warn', `Restated history in ${b.map((x) => x.column).join(', ')}: comparability with the previous run is reduced`, b.map((x) => `${x.column}: ${x.weeks.length} week(s) from ${x.weeks[0]} to ${x.weeks[x.weeks.length - 1]}`).join('; '), { columns: b.map((x) => ({ column: x.column, weeks: x.weeks })) });
}

function configGate(i: GateInput): CheckResult {
  const c = i.configChanges ?? [];
  if (!c.length) return gate('config', 'info', 'Config and model spec unchanged', 'Same settings as the previous run.', {});
  return gate('config', 'warn', `${c.length} config or model change${c.length === 1 ? '' : 's'}: outputs are expected to move`, c.slice(0, 20).map((x) => `${x.path}: ${JSON.stringify(x.previous) ?? '(none)'} -> ${JSON.stringify(x.current) ?? '(none)'}`).join('; '), { changes: c });
}

function diagnosticsGate(i: GateInput): CheckResult {
  const d = i.current.diagnostics;
  const th = i.diagnostics ?? { maxRhat: 1.01, minEss: 400 };
  if (!d) return gate('diagnostics', 'warn', 'No convergence diagnostics for this run', 'The fit did not report R-hat, ESS and divergences.', {});
  const bad = [
    ...(d.maxRhat > th.maxRhat || Number.isNaN(d.maxRhat) ? [`max R-hat ${formatNumber(d.maxRhat, 4)} > ${th.maxRhat}`] : []),
    ...(d.minEssBulk < th.minEss ? [`min bulk ESS ${formatNumber(d.minEssBulk, 3)} < ${th.minEss}`] : []),
    ...(d.divergences > 0 ? [`${d.divergences} divergent transitions`] : []),
  ];
  if (bad.length) return gate('diagnostics', 'warn', 'Diagnostics not clean', bad.join('; '), { ...d, thresholds: th });
  return gate('diagnostics', 'info', 'Diagnostics clean', `max R-hat ${formatNumber(d.maxRhat, 4)}, min bulk ESS ${formatNumber(d.minEssBulk, 3)}, no divergences.`, { ...d, thresholds: th });
}

/** The section A checklist, in order: Block items first, then Warn, then Info. */
const GATES = { contract: contractGate, taxonomy: taxonomyGate, reproducible: reproducibleGate, drift: driftGate, backfill: backfillGate, config: configGate, diagnostics: diagnosticsGate } as const satisfies Record<string, (i: GateInput) => CheckResult>;

/** Runs every release gate; the verdict is the worst of them. */
export function evaluateReleaseGates(input: GateInput): ReleaseVerdict {
  const results = Object.values(GATES).map((g) => g(input));
  const verdict = worstSeverity(results);
  return { verdict, publish: PUBLISH[verdict], results };
}
