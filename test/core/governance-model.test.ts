import { describe, expect, it } from 'vitest';
import { attributeChange } from '../../src/core/governance/attribution.ts';
import { evaluateReleaseGates } from '../../src/core/governance/gates.ts';
import { labelChannels } from '../../src/core/governance/labels.ts';
import { draftMemo, escapeHtml, escapeMarkdown, memoToHtml, memoToMarkdown } from '../../src/core/governance/memo.ts';
import { compareModels, normalCdf } from '../../src/core/governance/model-drift.ts';
import { compareReproducibility } from '../../src/core/governance/reproducibility.ts';
import type { PosteriorStat, RunSummary } from '../../src/core/governance/run-summary.ts';
import { governanceConfigSchema } from '../../src/core/spec/config-governance.ts';
import { makeRun } from './governance-fixtures.ts';

const TH = governanceConfigSchema.parse({});
const CH: [string, number, number, number, number][] = [
  ['tv', 1.8, 0.3, 0.3, 0.04],
  ['search', 3.1, 0.5, 0.2, 0.03],
  ['print', 1.2, 0.5, 0.1, 0.03],
];

/** A normal-shaped stat without draws: mean m, sd s, quantiles at m + z s. */
function stat(m: number, s: number): PosteriorStat {
  return { mean: m, sd: s, q05: m - 1.645 * s, q25: m - 0.674 * s, q50: m, q75: m + 0.674 * s, q95: m + 1.645 * s };
}

function run(runId: string, channels: Record<string, [number, number]>, kernel = 'fused'): RunSummary {
  return { runId, kernel, channels: Object.entries(channels).map(([name, [m, s]]) => ({ name, roi: stat(m, s), share: stat(0.2, 0.02) })), diagnostics: { maxRhat: 1.004, minEssBulk: 900, divergences: 0 }, checks: [] };
}

describe('reproducibility', () => {
  it('identical summaries on the same kernel are reproducible', () => {
    const a = makeRun('r1', 5, CH);
    const b = makeRun('r1-rerun', 5, CH);
    const r = compareReproducibility(a, b);
    expect(r.severity).toBe('info');
    expect(r.title).toBe('Run r1 is reproducible');
  });

  it('one differing number blocks and is listed', () => {
    const a = makeRun('r1', 5, CH);
    const b = makeRun('r1-rerun', 5, CH);
    b.channels[1]!.roi = { ...b.channels[1]!.roi, mean: b.channels[1]!.roi.mean + 1e-12 };
    const r = compareReproducibility(a, b);
    expect(r.severity).toBe('block');
    expect(r.evidence.differences).toEqual([{ channel: 'search', field: 'roi.mean', original: a.channels[1]!.roi.mean, rerun: a.channels[1]!.roi.mean + 1e-12 }]);
    expect(r.detail).toContain('search roi.mean');
    // a different seed changes draws and every summary
    expect(compareReproducibility(a, makeRun('r1-rerun', 6, CH)).severity).toBe('block');
  });

  it('across kernels, agreement within 0.1 posterior sd passes', () => {
    const a = run('r1', { tv: [2, 0.5] });
    const near = run('r2', { tv: [2.04, 0.5] }, 'tfjs-wasm');
    expect(compareReproducibility(a, near).severity).toBe('info');
    const far = run('r3', { tv: [2.06, 0.5] }, 'tfjs-wasm');
    expect(compareReproducibility(a, far).severity).toBe('block');
  });
});

describe('model drift', () => {
  it('measures deltas in pooled sd and P(sign changed) by hand', () => {
    const prev = run('r1', { tv: [2, 0.5], search: [1, 1] });
    const cur = run('r2', { tv: [3, 0.5], search: [-1, 1] });
    const d = compareModels(prev, cur, TH.model);
    const tv = d.channels.find((c) => c.channel === 'tv')!;
    expect(tv.roi.delta).toBe(1);
    expect(tv.roi.pooledSd).toBe(0.5);
    expect(tv.roi.deltaSd).toBe(2);
    expect(tv.roi.level).toBe('swing'); // 2 is not beyond severe_sd = 2
    expect(tv.roi.widthRatio90).toBeCloseTo(1, 12);
    const s = d.channels.find((c) => c.channel === 'search')!;
    // P(+) before = Phi(1) = 0.841345, after = Phi(-1): 0.841345^2 + 0.158655^2 = 0.733032
    expect(normalCdf(1)).toBeCloseTo(0.8413447, 6);
    expect(s.roi.pSignChanged).toBeCloseTo(0.7330325, 6);
    expect(s.roi.deltaSd).toBe(-2);
    expect(s.roi.level).toBe('swing');
    expect(d.rankFlips).toEqual([]);
    expect(s.pRankChanged).toBeNull();
  });

  it('P(rank changed) from aligned draws: 0 for a settled order, 1 for a swapped one', () => {
    const fixed = (v: number): PosteriorStat => ({ ...stat(v, 0.1), draws: Float64Array.from({ length: 100 }, (_, i) => v + 0.001 * (i % 7)) });
    const mk = (id: string, a: number, b: number): RunSummary => ({ runId: id, kernel: 'fused', checks: [], channels: [{ name: 'a', roi: fixed(a), share: stat(0.5, 0.01) }, { name: 'b', roi: fixed(b), share: stat(0.5, 0.01) }] });
    const same = compareModels(mk('1', 3, 1), mk('2', 3.01, 1.01), TH.model);
    expect(same.channels.map((c) => c.pRankChanged)).toEqual([0, 0]);
    expect(same.rankFlips).toEqual([]);
    const swapped = compareModels(mk('1', 3, 1), mk('2', 1, 3), TH.model);
    expect(swapped.channels.map((c) => c.pRankChanged)).toEqual([1, 1]);
    expect(swapped.rankFlips).toEqual([{ above: 'a', below: 'b' }]);
    // two channels drawn from one distribution: each rank half the time in each run -> 0.5
    const ex = compareModels(makeRun('1', 1, [['a', 2, 1, 0.5, 0.01], ['b', 2, 1, 0.5, 0.01]]), makeRun('2', 2, [['a', 2, 1, 0.5, 0.01], ['b', 2, 1, 0.5, 0.01]]), TH.model);
    for (const c of ex.channels) expect(c.pRankChanged).toBeCloseTo(0.5, 1);
  });

  it('pairs a renamed channel and lists added and dropped ones', () => {
    const d = compareModels(run('r1', { tv: [2, 0.5], radio: [1, 0.2] }), run('r2', { television: [2, 0.5], podcast: [1, 0.3] }), TH.model, [{ from: 'tv', to: 'television' }]);
    expect(d.channels.map((c) => [c.channel, c.previousName])).toEqual([['television', 'tv']]);
    expect(d.added).toEqual(['podcast']);
    expect(d.dropped).toEqual(['radio']);
  });
});

describe('attribution of change', () => {
  const oo = run('oo', { tv: [2, 0.25] });
  const on = run('on', { tv: [2.5, 0.25] });
  const no = run('no', { tv: [3, 0.25] });
  const nn = run('nn', { tv: [3.5, 0.25] });
  const roi = (s: ReturnType<typeof attributeChange>) => s.find((x) => x.quantity === 'roi')!;

  it('splits a delta by hand with all four fits (Shapley average, no interaction)', () => {
    const s = roi(attributeChange({ oldDataOldConfig: oo, oldDataNewConfig: on, newDataOldConfig: no, newDataNewConfig: nn }));
    expect(s.total).toBe(1.5);
    expect(s.data).toBe(1); // ((3 - 2) + (3.5 - 2.5)) / 2
    expect(s.config).toBe(0.5); // ((2.5 - 2) + (3.5 - 3)) / 2
    expect(s.interaction).toBe(0);
    expect(s.kind).toBe('data+config'); // 4 sd and 2 sd, both above 1 sd
    expect(s.explained).toBe(true);
  });

  it('uses one cross fit exactly, and hints when there is none', () => {
    expect(roi(attributeChange({ oldDataOldConfig: oo, newDataOldConfig: no, newDataNewConfig: nn }))).toMatchObject({ data: 1, config: 0.5, interaction: null });
    expect(roi(attributeChange({ oldDataOldConfig: oo, oldDataNewConfig: run('on', { tv: [2.05, 0.25] }), newDataNewConfig: nn }))).toMatchObject({ config: expect.closeTo(0.05, 12), data: expect.closeTo(1.45, 12), kind: 'data' });
    const none = roi(attributeChange({ oldDataOldConfig: oo, newDataNewConfig: nn }));
    expect(none).toMatchObject({ kind: 'unattributed', explained: false });
    expect(none.note).toContain('refit the previous data with the new config');
    expect(roi(attributeChange({ oldDataOldConfig: oo, newDataNewConfig: nn }, { configChanged: false }))).toMatchObject({ data: 1.5, config: 0, kind: 'data', explained: true });
  });

  it('flags an interaction and small moves as noise', () => {
    const s = roi(attributeChange({ oldDataOldConfig: oo, oldDataNewConfig: on, newDataOldConfig: run('no', { tv: [2, 0.25] }), newDataNewConfig: nn }));
    // data effect 0 under the old config, 1 under the new: interaction 1 = 4 sd
    expect(s.interaction).toBe(1);
    expect(s.kind).toBe('interaction');
    expect(s.explained).toBe(false);
    expect(roi(attributeChange({ oldDataOldConfig: oo, newDataNewConfig: run('nn', { tv: [2.2, 0.25] }) })).kind).toBe('noise');
  });
});

describe('release gates', () => {
  const prev = run('r1', { tv: [2, 0.25], search: [3, 0.5] });
  const cur = run('r2', { tv: [3, 0.25], search: [3.1, 0.5] });
  const reproducible = compareReproducibility(cur, cur);

  it('block severe unexplained drift, warn once the refits explain it, info when stable', () => {
    const modelDrift = compareModels(prev, cur, TH.model);
    const blocked = evaluateReleaseGates({ current: cur, modelDrift, reproducibility: reproducible });
    expect(blocked.verdict).toBe('block');
    expect(blocked.publish).toBe('blocked');
    const drift = blocked.results.find((g) => g.id === 'gate.drift')!;
    expect(drift.severity).toBe('block');
    expect(drift.detail).toContain('tv roi +4 sd (no explanation)');
    const attribution = attributeChange({ oldDataOldConfig: prev, newDataNewConfig: cur }, { configChanged: false });
    const warned = evaluateReleaseGates({ current: cur, modelDrift, attribution, reproducibility: reproducible });
    expect(warned.results.find((g) => g.id === 'gate.drift')!.severity).toBe('warn');
    expect(warned.verdict).toBe('warn');
    const calm = evaluateReleaseGates({ current: prev, modelDrift: compareModels(prev, prev, TH.model), reproducibility: compareReproducibility(prev, prev) });
    expect(calm.verdict).toBe('info');
    expect(calm.publish).toBe('broad');
    expect(calm.results.map((g) => g.id)).toEqual(['gate.contract', 'gate.taxonomy', 'gate.reproducible', 'gate.drift', 'gate.backfill', 'gate.config', 'gate.diagnostics']);
  });

  it('block a non-reproducible run or a blocking data check; warn config changes and unclean diagnostics', () => {
    const bad = compareReproducibility(cur, run('r2b', { tv: [3.0001, 0.25], search: [3.1, 0.5] }));
    expect(evaluateReleaseGates({ current: cur, reproducibility: bad }).results.find((g) => g.id === 'gate.reproducible')!.severity).toBe('block');
    const failing = { ...cur, checks: [{ id: 'data.kpi-missing', severity: 'block' as const, title: 'KPI missing in 40% of weeks', detail: '', evidence: {} }] };
    expect(evaluateReleaseGates({ current: failing, reproducibility: reproducible }).results[0]!.severity).toBe('block');
    const g = evaluateReleaseGates({ current: { ...cur, diagnostics: { maxRhat: 1.05, minEssBulk: 120, divergences: 3 } }, reproducibility: reproducible, configChanges: [{ path: 'model.adstock.lags', previous: 4, current: 8 }] });
    expect(g.results.find((x) => x.id === 'gate.config')).toMatchObject({ severity: 'warn', detail: 'model.adstock.lags: 4 -> 8' });
    expect(g.results.find((x) => x.id === 'gate.diagnostics')!.detail).toBe('max R-hat 1.05 > 1.01; min bulk ESS 120 < 400; 3 divergent transitions');
    expect(g.verdict).toBe('warn');
  });
});

describe('channel labels', () => {
  it('safe, review and do-not-infer with reasons and experiment triggers', () => {
    const cur = run('r2', { tv: [2, 0.2], ooh: [1.5, 0.5], print: [1.2, 1.5], radio: [2.5, 0.3] });
    const labels = labelChannels({ current: cur, identifiability: [{ channel: 'radio', correlatedWith: [{ channel: 'tv', r: 0.97 }] }, { channel: 'ooh', vif: 14 }] }, TH.labels);
    const by = Object.fromEntries(labels.map((l) => [l.channel, l]));
    expect(by.tv!.label).toBe('safe');
    expect(by.tv!.experiment).toBeUndefined();
    // 90% width 2 * 1.645 * 0.5 / 1.5 = 1.097x > 1; VIF 14 > 10
    expect(by.ooh!.label).toBe('review');
    expect(by.ooh!.reasons.join(' ')).toContain('variance inflation factor 14 > 10');
    // 90% width 2 * 1.645 * 1.5 / 1.2 = 4.11x > 2
    expect(by.print!.label).toBe('do_not_infer');
    expect(by.print!.reasons[0]).toContain('4.1x the estimate wide (limit 2x)');
    expect(by.print!.experiment!.test).toContain('geo holdout');
    expect(by.radio!.label).toBe('do_not_infer');
    expect(by.radio!.experiment!.why).toContain('moves with tv (r = 0.97)');
    expect(by.radio!.experiment!.test).toContain('changes radio spend while holding tv fixed');
    // 90% ROI 0.87..1.53 (width 0.55x the median): spans break-even for a revenue KPI; for conversions there is no break-even at 1
    const near = run('r3', { tv: [1.2, 0.2] });
    expect(labelChannels({ current: near }, TH.labels)[0]!.label).toBe('review');
    expect(labelChannels({ current: near, breakEvenRoi: null }, TH.labels)[0]!.label).toBe('safe');
  });
});

describe('memo rendering', () => {
  it('escapes every text in Markdown and HTML', () => {
    expect(escapeMarkdown('tv_S *bold* [x](y) <b>|')).toBe('tv_S \\*bold\\* \\[x\\](y) \\<b>\\|');
    expect(escapeMarkdown('_lead and trail_')).toBe('\\_lead and trail\\_');
    expect(escapeHtml(`<script>alert("x")</script>&'`)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    const cur = run('<img src=x onerror=alert(1)>', { 'tv<script>': [2, 0.2] });
    const verdict = evaluateReleaseGates({ current: cur });
    const memo = draftMemo({ previousRunId: 'r1', currentRunId: cur.runId, verdict, labels: labelChannels({ current: cur }, TH.labels) });
    const html = memoToHtml(memo);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('tv&lt;script&gt;');
    const md = memoToMarkdown(memo);
    expect(md).toContain('Safe to act on: tv\\<script>.');
    expect(md).toContain('Limited publish: review required before wide use'); // reproducibility not checked
  });
});
