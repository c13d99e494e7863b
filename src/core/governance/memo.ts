import { formatNumber } from '../format/number.ts';
import type { ChangeSplit } from './attribution.ts';
import type { JsonChange } from './config-diff.ts';
import { describeWeeks } from './data-drift-checks.ts';
import type { DataDriftReport } from './data-drift.ts';
import type { ReleaseVerdict } from './gates.ts';
import { LABEL_TEXT, type ChannelLabel, type ChannelLabelKind } from './labels.ts';
import type { ModelDriftReport } from './model-drift.ts';

/** The computed facts a memo is drafted from; nothing else goes into it. */
export interface MemoInput {
  previousRunId: string;
  currentRunId: string;
  verdict: ReleaseVerdict;
  dataDrift?: DataDriftReport;
  configChanges?: JsonChange[];
  modelDrift?: ModelDriftReport;
  attribution?: ChangeSplit[];
  /** The cross refits behind the attribution, in words (empty or absent: none was run). */
  crossRefits?: string[];
  labels: ChannelLabel[];
}

/** A drafted memo: sections of plain-text items (rendered by memoToMarkdown / memoToHtml). */
export interface Memo {
  title: string;
  sections: { heading: string; items: string[] }[];
}

const VERDICT_TEXT = { blocked: 'Blocked: this refresh cannot be published', limited: 'Limited publish: review required before wide use', broad: 'Publish broadly: within stability thresholds' } as const satisfies Record<ReleaseVerdict['publish'], string>;
const f = (x: number, d = 3) => formatNumber(x, d);
const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));

function dataItems(d: DataDriftReport | undefined): string[] {
  if (!d) return ['No previous run to compare the data with.'];
  const c = d.coverage;
  const items = [`Coverage: ${c.previous.first} to ${c.previous.last} (${c.previous.weeks} weeks) -> ${c.current.first} to ${c.current.last} (${c.current.weeks} weeks); ${c.addedWeeks.length} new, ${c.droppedWeeks.length} removed, ${c.overlapWeeks} overlapping.`];
  for (const m of d.mapping) items.push(`Mapping: ${m.detail}.`);
  if (d.schema.added.length) items.push(`Columns added: ${d.schema.added.join(', ')}.`);
  if (d.schema.dropped.length) items.push(`Columns dropped: ${d.schema.dropped.join(', ')}.`);
  for (const r of d.schema.renamed) items.push(`Column renamed: ${r.from} -> ${r.to} (identical on ${r.matchedWeeks} weeks).`);
  for (const b of d.backfills) {
    items.push(`Backfill: ${b.column}${b.channel ? ` (${b.channel})` : ''} restated in ${b.weeks.length} week${b.weeks.length === 1 ? '' : 's'}: ${describeWeeks(b.weeks)}; largest change ${f(100 * b.maxAbsRelChange)}%.`);
  }
  for (const m of d.missingness) if (d.checks.find((x) => x.id === 'governance.data.missingness')?.severity === 'warn' && Math.abs(m.changePct) > 0) items.push(`Missing values in ${m.column}: ${f(m.previousPct)}% -> ${f(m.currentPct)}%.`);
  for (const s of d.shifts.filter((x) => x.level !== 'none' && x.mapped)) items.push(`Distribution shift in ${s.column} (${s.window === 'overlap' ? 'same weeks, restated' : 'new weeks vs history'}): PSI ${f(s.psi)} (noise level ${f(s.psiNoise)}), KS D ${f(s.ksD)} (p ${f(s.ksP)}), ${s.level}.`);
  if (items.length === 1) items.push('No mapping change, restatement or distribution shift beyond threshold.');
  return items;
}

function deltaItems(m: ModelDriftReport | undefined, attribution: readonly ChangeSplit[]): string[] {
  if (!m) return ['No previous run to compare the estimates with.'];
  const items: string[] = [];
  const split = new Map(attribution.map((s) => [`${s.channel}/${s.quantity}`, s]));
  for (const c of m.channels) {
    for (const q of ['roi', 'share'] as const) {
      const d = c[q];
      if (d.level === 'stable') continue;
      const s = split.get(`${c.channel}/${q}`);
      const expl = s ? (s.explained ? `explained: ${s.note}` : `not explained: ${s.note}`) : 'not explained: no cross refit was run';
      items.push(`${c.channel} ${q === 'roi' ? 'ROI' : 'contribution share'} ${f(d.previous)} -> ${f(d.current)} (${d.deltaSd >= 0 ? '+' : ''}${f(d.deltaSd)} posterior sd, ${d.level}); ${expl}.`);
    }
  }
  for (const r of m.rankFlips) items.push(`Rank flip: ${r.below} now has a higher mean ROI than ${r.above}.`);
  for (const c of m.channels) if (c.roi.widthRatio90 > 1.5 || c.roi.widthRatio90 < 1 / 1.5) items.push(`${c.channel} ROI interval is ${f(c.roi.widthRatio90)}x as wide as before.`);
  if (m.added.length) items.push(`New channels (no previous estimate): ${m.added.join(', ')}.`);
  if (m.dropped.length) items.push(`Channels no longer modelled: ${m.dropped.join(', ')}.`);
  if (items.length === 0) {
    const worst = Math.max(0, ...m.channels.map((c) => Math.abs(c.roi.deltaSd)));
    items.push(`Every channel's ROI and share within the stability threshold (largest ROI move ${f(worst)} posterior sd).`);
  }
  return items;
}

const CAUSE_TEXT = {
  data: 'explained by the data',
  config: 'explained by the config',
  'data+config': 'explained by data and config together',
  noise: 'within noise (no cause needed)',
  interaction: 'not explained: the data effect depends on the config',
  unattributed: 'not explained: data and config both changed and no cross refit separates them',
} as const satisfies Record<ChangeSplit['kind'], string>;

function attributionItems(attribution: readonly ChangeSplit[], crossRefits: readonly string[]): string[] {
  const roi = attribution.filter((a) => a.quantity === 'roi');
  if (!roi.length) return ['No previous run to attribute a change to.'];
  const items = [crossRefits.length ? `Cross refits run: ${crossRefits.join('; ')}.` : 'No cross refit was run: a change is split only where the data or the config did not change.'];
  for (const kind of Object.keys(CAUSE_TEXT) as ChangeSplit['kind'][]) {
    const group = roi.filter((a) => a.kind === kind);
    if (group.length) items.push(`ROI ${CAUSE_TEXT[kind]}: ${group.map((a) => a.channel).join(', ')}.`);
  }
  return items;
}

function labelItems(labels: readonly ChannelLabel[]): string[] {
  const items: string[] = [];
  for (const kind of ['safe', 'review', 'do_not_infer'] as const satisfies readonly ChannelLabelKind[]) {
    const group = labels.filter((l) => l.label === kind);
    if (!group.length) continue;
    items.push(`${LABEL_TEXT[kind]}: ${group.map((l) => (kind === 'safe' ? l.channel : `${l.channel} (${l.reasons.join('; ')})`)).join(', ')}.`);
  }
  for (const l of labels) if (l.experiment) items.push(`Experiment for ${l.channel}: ${l.experiment.why}; ${l.experiment.test}.`);
  return items;
}

/** Drafts the "what changed since last refresh" memo (section B) from computed facts only. */
export function draftMemo(input: MemoInput): Memo {
  const gates = input.verdict.results.filter((r) => r.severity !== 'info');
  const config = input.configChanges ?? [];
  return {
    title: `What changed: run ${input.currentRunId} vs ${input.previousRunId}`,
    sections: [
      { heading: 'Release verdict', items: [VERDICT_TEXT[input.verdict.publish], ...gates.map((g) => `${g.severity === 'block' ? 'Block' : 'Warn'}: ${g.title}. ${g.detail}`)] },
      { heading: 'Data changes', items: dataItems(input.dataDrift) },
      { heading: 'Model and config changes', items: config.length ? config.slice(0, 30).map((c) => `${c.path}: ${show(c.previous)} -> ${show(c.current)}`).concat(config.length > 30 ? [`... and ${config.length - 30} more`] : []) : ['No config, mapping or model spec change.'] },
      { heading: 'Key deltas', items: deltaItems(input.modelDrift, input.attribution ?? []) },
      { heading: 'Why it changed: data vs config', items: attributionItems(input.attribution ?? [], input.crossRefits ?? []) },
      { heading: 'What is safe to act on', items: labelItems(input.labels) },
    ],
  };
}

/** Markdown-escapes text so a column name such as `a*b` or `<x>` renders as written (intraword `_` left alone). */
export function escapeMarkdown(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if ('\\`*[]<|'.includes(ch)) out += `\\${ch}`;
    else if (ch === '_' && !(/[A-Za-z0-9]/.test(s[i - 1] ?? '') && /[A-Za-z0-9]/.test(s[i + 1] ?? ''))) out += '\\_';
    else if (ch === '\n' || ch === '\r') out += ' ';
    else out += ch;
  }
  return out;
}

/** The memo as Markdown: `# title`, `## section`, `- item`, every text escaped. */
export function memoToMarkdown(memo: Memo): string {
  const lines = [`# ${escapeMarkdown(memo.title)}`, ''];
  for (const s of memo.sections) {
    lines.push(`## ${escapeMarkdown(s.heading)}`, '');
    for (const item of s.items) lines.push(`- ${escapeMarkdown(item)}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The memo as a standalone HTML document, every text escaped (safe to open or mail). */
export function memoToHtml(memo: Memo): string {
  const body = memo.sections.map((s) => `<section>\n<h2>${escapeHtml(s.heading)}</h2>\n<ul>\n${s.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>\n</section>`).join('\n');
  return `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${escapeHtml(memo.title)}</title></head>\n<body>\n<article>\n<h1>${escapeHtml(memo.title)}</h1>\n${body}\n</article>\n</body>\n</html>\n`;
}
