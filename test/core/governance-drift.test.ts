import { describe, expect, it } from 'vitest';
import { compareData } from '../../src/core/governance/data-drift.ts';
import { evaluateReleaseGates } from '../../src/core/governance/gates.ts';
import { draftMemo, memoToHtml, memoToMarkdown } from '../../src/core/governance/memo.ts';
import { labelChannels } from '../../src/core/governance/labels.ts';
import { compareModels } from '../../src/core/governance/model-drift.ts';
import { governanceConfigSchema } from '../../src/core/spec/config-governance.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { ROBYN_MAPPING, copyTable, headRows, makeRun, readRobyn } from './governance-fixtures.ts';

const TH = governanceConfigSchema.parse({});
const { table: FULL } = readRobyn();
const OLD = headRows(FULL, 180);
const CHANNELS: [string, number, number, number, number][] = [
  ['tv', 1.8, 0.3, 0.3, 0.04],
  ['ooh', 0.9, 0.4, 0.1, 0.03],
  ['print', 1.2, 0.5, 0.1, 0.03],
  ['facebook', 2.5, 0.4, 0.3, 0.04],
  ['search', 3.1, 0.5, 0.2, 0.03],
];

describe('governance config', () => {
  it('is part of the config with every default', () => {
    expect(defaultConfig().governance).toEqual(TH);
    expect(TH.data.max_staleness_weeks).toBe(4);
    expect(TH.model).toEqual({ swing_sd: 1, severe_sd: 2, width_ratio: 1.5, rank_change_prob: 0.5 });
  });
});

describe('data drift on the Robyn demo', () => {
  it('first 180 weeks vs all 208: 28 new weeks, nothing restated, no mapping change', () => {
    const r = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: FULL, mapping: ROBYN_MAPPING }, TH.data, '2019-11-25');
    expect(r.coverage.stalenessWeeks).toBe(2);
    expect(r.checks.find((c) => c.id === 'governance.data.freshness')!.severity).toBe('info');
    expect(compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: FULL, mapping: ROBYN_MAPPING }, TH.data, '2020-01-06').checks.find((c) => c.id === 'governance.data.freshness')).toMatchObject({ severity: 'warn', title: 'The data ends 8 weeks before the review date' });
    expect(r.coverage.previous).toEqual({ first: '2015-11-23', last: OLD.dates[179], weeks: 180 });
    expect(r.coverage.current).toEqual({ first: '2015-11-23', last: '2019-11-11', weeks: 208 });
    expect(r.coverage.overlapWeeks).toBe(180);
    expect(r.coverage.addedWeeks).toEqual(FULL.dates.slice(180));
    expect(r.coverage.droppedWeeks).toEqual([]);
    expect(r.backfills).toEqual([]);
    expect(r.mapping).toEqual([]);
    expect(r.schema).toEqual({ added: [], dropped: [], renamed: [] });
    const cols = Object.keys(FULL.columns);
    // one overlap and one new-weeks comparison per column; the overlap is the same data: PSI 0, KS D 0
    expect(r.shifts).toHaveLength(2 * cols.length);
    for (const s of r.shifts.filter((x) => x.window === 'overlap')) {
      expect(s.psi).toBe(0);
      expect(s.ksD).toBe(0);
      expect(s.level).toBe('none');
    }
    const fresh = r.shifts.filter((x) => x.window === 'new-weeks');
    for (const s of fresh) {
      expect(s.n1).toBe(180);
      expect(s.n2).toBe(28);
      expect(Number.isFinite(s.psi) && s.psi >= 0).toBe(true);
      expect(s.ksP).toBeGreaterThanOrEqual(0);
      expect(s.ksP).toBeLessThanOrEqual(1);
    }
    const sev = Object.fromEntries(r.checks.map((c) => [c.id, c.severity]));
    expect(sev['governance.data.contract']).toBe('info');
    expect(sev['governance.data.mapping']).toBe('info');
    expect(sev['governance.data.backfill']).toBe('info');
    expect(r.checks.find((c) => c.id === 'governance.data.coverage')!.title).toBe('28 new weeks, 180 overlapping');
  });

  it('finds an injected backfill (3 weeks of facebook spend +20%) by week and column', () => {
    const cur = copyTable(FULL);
    const fb = cur.columns.facebook_S!;
    const rows = [100, 101, 102];
    for (const i of rows) {
      expect(fb[i]).toBeGreaterThan(0); // a real restatement, not 0 * 1.2
      fb[i] = fb[i]! * 1.2;
    }
    const r = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: cur, mapping: ROBYN_MAPPING }, TH.data);
    expect(r.backfills).toHaveLength(1);
    const b = r.backfills[0]!;
    expect(b.column).toBe('facebook_S');
    expect(b.channel).toBe('facebook');
    expect(b.mapped).toBe(true);
    expect(b.weeks).toEqual(rows.map((i) => FULL.dates[i]));
    expect(b.maxAbsRelChange).toBeCloseTo(0.2, 10);
    for (const c of b.cells) expect(c.current / c.previous).toBeCloseTo(1.2, 12);
    const check = r.checks.find((c) => c.id === 'governance.data.backfill')!;
    expect(check.severity).toBe('warn');
    expect(check.detail).toContain(`facebook_S in weeks ${rows.map((i) => FULL.dates[i]).join(', ')}`);

    const prevRun = makeRun('r1', 1, CHANNELS);
    const curRun = makeRun('r2', 2, CHANNELS);
    const modelDrift = compareModels(prevRun, curRun, TH.model);
    const verdict = evaluateReleaseGates({ current: curRun, dataDrift: r, modelDrift, reproducibility: { id: 'governance.reproducible', severity: 'info', title: 'ok', detail: '', evidence: {} } });
    expect(verdict.results.find((g) => g.id === 'gate.backfill')!.severity).toBe('warn');
    const labels = labelChannels({ current: curRun, dataDrift: r, modelDrift }, TH.labels);
    const fbLabel = labels.find((l) => l.channel === 'facebook')!;
    expect(fbLabel.label).not.toBe('safe');
    expect(fbLabel.reasons.join(' ')).toContain('facebook_S restated in 3 week(s)');
    const memo = draftMemo({ previousRunId: 'r1', currentRunId: 'r2', verdict, dataDrift: r, modelDrift, labels });
    const md = memoToMarkdown(memo);
    expect(md).toContain('## Data changes');
    expect(md).toContain(`Backfill: facebook_S (facebook) restated in 3 weeks: ${rows.map((i) => FULL.dates[i]).join(', ')}; largest change 20%.`);
    expect(md).toContain('28 new');
    expect(md).toMatch(/Needs review: [^\n]*facebook/);
    const html = memoToHtml(memo);
    expect(html).toContain('<h2>Data changes</h2>');
    expect(html).toContain('facebook_S');
  });

  it('a renamed spend column with an unchanged mapping breaks the data contract and blocks', () => {
    const cur = copyTable(FULL);
    cur.columns.tv_spend = cur.columns.tv_S!;
    delete cur.columns.tv_S;
    const r = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: cur, mapping: ROBYN_MAPPING }, TH.data);
    expect(r.schema.renamed).toEqual([{ from: 'tv_S', to: 'tv_spend', matchedWeeks: 180 }]);
    const missing = r.mapping.find((m) => m.kind === 'missing-column')!;
    expect(missing).toMatchObject({ id: 'mapping.missing-column.tv_S', from: 'tv_S', to: 'tv_spend', valuesIdentical: true });
    expect(missing.detail).toContain('map tv_spend instead');
    const verdict = evaluateReleaseGates({ current: makeRun('r2', 2, CHANNELS), dataDrift: r });
    expect(verdict.verdict).toBe('block');
    expect(verdict.results.find((g) => g.id === 'gate.contract')!.severity).toBe('block');
  });

  it('a renamed spend column followed by the mapping is a mapping change that blocks until signed off', () => {
    const cur = copyTable(FULL);
    cur.columns.tv_spend = cur.columns.tv_S!;
    delete cur.columns.tv_S;
    const mapping = { ...ROBYN_MAPPING, channel_map: { ...ROBYN_MAPPING.channel_map, tv: { spend: 'tv_spend' } } };
    const r = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: cur, mapping }, TH.data);
    expect(r.mapping).toEqual([
      expect.objectContaining({ id: 'mapping.spend-column.tv', kind: 'spend-column', channel: 'tv', from: 'tv_S', to: 'tv_spend', valuesIdentical: true }),
    ]);
    expect(r.checks.find((c) => c.id === 'governance.data.mapping')!.severity).toBe('block');
    // the values did not change: no restatement is reported under the new name
    expect(r.backfills).toEqual([]);
    const run = makeRun('r2', 2, CHANNELS);
    const blocked = evaluateReleaseGates({ current: run, dataDrift: r });
    expect(blocked.verdict).toBe('block');
    const tax = blocked.results.find((g) => g.id === 'gate.taxonomy')!;
    expect(tax.severity).toBe('block');
    expect(tax.detail).toContain('tv spend column tv_S -> tv_spend');
    const signed = evaluateReleaseGates({ current: run, dataDrift: r, acknowledgements: [{ changeId: 'mapping.spend-column.tv', by: 'Ana (data owner)', reason: 'vendor renamed the export column' }] });
    expect(signed.results.find((g) => g.id === 'gate.taxonomy')!.severity).toBe('warn');
  });

  it('a channel renamed with the same spend is a taxonomy rename; a new channel is added', () => {
    const { tv, ...rest } = ROBYN_MAPPING.channel_map;
    const mapping = { ...ROBYN_MAPPING, channel_map: { ...rest, television: tv!, newsletter: { spend: 'newsletter' } } };
    const r = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: FULL, mapping }, TH.data);
    expect(r.mapping.map((m) => m.id).sort()).toEqual(['mapping.channel-added.newsletter', 'mapping.channel-renamed.tv']);
    expect(r.mapping.find((m) => m.kind === 'channel-renamed')).toMatchObject({ from: 'tv', to: 'television' });
  });

  it('a channel split into two (and two merged into one) is recognised from the spend sums', () => {
    const cur = copyTable(FULL);
    const fb = FULL.columns.facebook_S!;
    // facebook split 30/70 into two platforms
    cur.columns.fb_feed_S = fb.map((x) => 0.3 * x);
    cur.columns.fb_reels_S = fb.map((x, i) => x - cur.columns.fb_feed_S![i]!);
    const { facebook: _, ...others } = ROBYN_MAPPING.channel_map;
    const split = { ...ROBYN_MAPPING, channel_map: { ...others, fb_feed: { spend: 'fb_feed_S' }, fb_reels: { spend: 'fb_reels_S' } } };
    const r = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: cur, mapping: split }, TH.data);
    expect(r.mapping).toEqual([expect.objectContaining({ id: 'mapping.channel-split.facebook', kind: 'channel-split', to: 'fb_feed + fb_reels' })]);
    // print and ooh merged into one offline channel
    cur.columns.offline_S = FULL.columns.print_S!.map((x, i) => x + FULL.columns.ooh_S![i]!);
    const { print: _p, ooh: _o, ...rest } = ROBYN_MAPPING.channel_map;
    const merged = { ...ROBYN_MAPPING, channel_map: { ...rest, offline: { spend: 'offline_S' } } };
    const m = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: cur, mapping: merged }, TH.data);
    expect(m.mapping).toEqual([expect.objectContaining({ id: 'mapping.channel-merged.offline', kind: 'channel-merged', from: 'ooh + print' })]);
    expect(evaluateReleaseGates({ current: makeRun('r', 1, CHANNELS), dataDrift: m }).results.find((g) => g.id === 'gate.taxonomy')!.severity).toBe('block');
  });

  it('refuses malformed tables with a message naming table, column and row', () => {
    const short = copyTable(FULL);
    short.columns.tv_S = short.columns.tv_S!.slice(1);
    expect(() => compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: short, mapping: ROBYN_MAPPING }, TH.data)).toThrow('current table: column "tv_S" has 207 values for 208 dates');
    const unsorted = copyTable(OLD);
    [unsorted.dates[3], unsorted.dates[4]] = [unsorted.dates[4]!, unsorted.dates[3]!];
    expect(() => compareData({ table: unsorted, mapping: ROBYN_MAPPING }, { table: FULL, mapping: ROBYN_MAPPING }, TH.data)).toThrow(`previous table: dates must be unique and ascending, but row 5 (${FULL.dates[3]}) follows ${FULL.dates[4]}`);
    const slashed = copyTable(OLD);
    slashed.dates[0] = '23/11/2015';
    expect(() => compareData({ table: slashed, mapping: ROBYN_MAPPING }, { table: FULL, mapping: ROBYN_MAPPING }, TH.data)).toThrow('previous table: date "23/11/2015" in row 1 is not YYYY-MM-DD');
  });

  it('reports removed weeks and a jump in missing values', () => {
    const cur = headRows(FULL, 200);
    cur.dates.shift();
    for (const k of Object.keys(cur.columns)) cur.columns[k] = cur.columns[k]!.slice(1);
    const comp = cur.columns.competitor_sales_B!;
    for (let i = 0; i < 20; i++) comp[i] = NaN;
    const r = compareData({ table: OLD, mapping: ROBYN_MAPPING }, { table: cur, mapping: ROBYN_MAPPING }, TH.data);
    expect(r.coverage.droppedWeeks).toEqual([FULL.dates[0]]);
    expect(r.checks.find((c) => c.id === 'governance.data.coverage')!.severity).toBe('warn');
    const m = r.missingness.find((x) => x.column === 'competitor_sales_B')!;
    expect(m.currentPct).toBeCloseTo((100 * 20) / 199, 12); // 200 rows less the first week
    expect(r.checks.find((c) => c.id === 'governance.data.missingness')!.severity).toBe('warn');
    // values that vanished are restatements too
    expect(r.backfills.find((b) => b.column === 'competitor_sales_B')!.weeks).toEqual(FULL.dates.slice(1, 21));
  });
});
