import { describe, expect, it } from 'vitest';
import type { FitAnalysis } from '../../src/core/analysis/analyse-fit.ts';
import { estimateOf } from '../../src/core/analysis/estimate.ts';
import {
  channelDraws,
  identifiabilityFromAnalysis,
  mappingSnapshot,
  runSummaryFromAnalysis,
  tableFromStored,
  tableToStored,
  weeklyTableFromDataset,
} from '../../src/core/governance/from-analysis.ts';
import { reviewRefresh } from '../../src/core/governance/refresh-review.ts';
import { assembleRunBundle, identifiabilityOfBundle, runDiagnostics } from '../../src/core/governance/run-bundle-build.ts';
import { decodeBundleFile, encodeBundleFile } from '../../src/core/governance/bundle-file.ts';
import { hashTable, sha256Hex } from '../../src/core/governance/canonical.ts';
import { runSummaryFromBundle } from '../../src/core/governance/bundle-summary.ts';
import { governanceConfigSchema } from '../../src/core/spec/config-governance.ts';

// Two channels, three draws, numbers small enough to check by hand.
const roi = Float64Array.from([1, 4, 2, 5, 3, 6]); // draw-major: [d0: tv 1, search 4], ...
const contribution = Float64Array.from([10, 30, 20, 20, 15, 45]);
const ident = (channel: string, over: Record<string, unknown>) => ({
  channel,
  spendCorrelation: { value: NaN, with: '' },
  posteriorCorrelation: { value: NaN, with: '' },
  contraction: 0.9,
  roiContraction: NaN,
  roiRelativeWidth: 0.5,
  activeWeeks: 10,
  spendCv: 0.5,
  reasons: [],
  ...over,
});
const analysis = {
  weeks: 10,
  channels: [
    { name: 'tv', roi: estimateOf([1, 2, 3]), mediaShare: estimateOf([0.25, 0.5, 0.25]), identifiability: ident('tv', { spendCorrelation: { value: 0.9, with: 'search' }, roiContraction: 0.3, activeWeeks: 8 }) },
    { name: 'search', roi: estimateOf([4, 5, 6]), mediaShare: estimateOf([0.75, 0.5, 0.75]), identifiability: ident('search', { contraction: 1.4 }) },
  ],
  draws: { roi, mroi: roi, contribution },
} as unknown as FitAnalysis;

describe('governance adapters from the analysis stage', () => {
  it('splits row-major draws per channel and computes media share per draw', () => {
    const d = channelDraws(analysis);
    expect(d[0]!.roi).toEqual([1, 2, 3]);
    expect(d[1]!.roi).toEqual([4, 5, 6]);
    expect(d[0]!.share).toEqual([0.25, 0.5, 0.25]);
    expect(d[1]!.share).toEqual([0.75, 0.5, 0.75]);
    expect(channelDraws(analysis, 2)[0]!.roi).toEqual([1, 3]);
    expect(() => channelDraws({ ...analysis, draws: { ...analysis.draws, contribution: new Float64Array(5) } })).toThrow('5 contribution draws for 3 draws of 2 channels');
  });

  it('maps estimates to posterior stats (median -> q50) with aligned draws', () => {
    const s = runSummaryFromAnalysis(analysis, { runId: 'r1', kernel: 'fused', checks: [] });
    expect(s.channels.map((c) => c.name)).toEqual(['tv', 'search']);
    expect(s.channels[0]!.roi.q50).toBe(2);
    expect(s.channels[0]!.roi.mean).toBe(2);
    expect(s.channels[0]!.roi.sd).toBeCloseTo(1, 12);
    expect(s.channels[1]!.share.q50).toBe(0.75);
    expect(Array.from(s.channels[1]!.roi.draws!)).toEqual([4, 5, 6]);
  });

  it('turns identifiability signals into label inputs', () => {
    const [tv, search] = identifiabilityFromAnalysis(analysis);
    expect(tv).toEqual({ channel: 'tv', correlatedWith: [{ channel: 'search', r: 0.9 }], zeroSpendPct: 20, priorPosteriorOverlap: 0.7 });
    // beta contraction used when the ROI one is NaN; clamped to [0, 1]
    expect(search).toEqual({ channel: 'search', zeroSpendPct: 0, priorPosteriorOverlap: 0 });
  });

  it('builds a weekly table named by source columns, round-trips NaN through storage, and feeds reviewRefresh', () => {
    const mapping = mappingSnapshot({ date_col: 'DATE', kpi_col: 'revenue', channel_map: { tv: { spend: 'tv_S', exposure: null }, search: { spend: 'search_S' } }, controls: ['events'] });
    expect(mapping.channel_map.tv).toEqual({ spend: 'tv_S' });
    // exposures the model table does not carry are left out (else: a false "missing column" block)
    const withExposure = { date_col: 'DATE', kpi_col: 'revenue', channel_map: { search: { spend: 'search_S', exposure: 'search_clicks_P' } }, controls: [] };
    expect(mappingSnapshot(withExposure).channel_map.search).toEqual({ spend: 'search_S', exposure: 'search_clicks_P' });
    expect(mappingSnapshot(withExposure, { columns: { search_S: 1 } }).channel_map.search).toEqual({ spend: 'search_S' });
    const dates = ['2020-01-06', '2020-01-13', '2020-01-20'];
    const ds = {
      dates,
      target: { name: 'revenue', values: Float64Array.from([10, 11, 12]) },
      channels: [{ name: 'tv', spend: Float64Array.from([1, 2, 3]) }, { name: 'search', spend: Float64Array.from([4, 5, 6]) }],
      controls: [{ name: 'events', values: Float64Array.from([0, NaN, 1]) }],
      factors: [],
    };
    const t = weeklyTableFromDataset(ds, mapping);
    expect(Object.keys(t.columns).sort()).toEqual(['events', 'revenue', 'search_S', 'tv_S']);
    const stored = tableToStored(t);
    expect(stored.columns.events).toEqual([0, null, 1]);
    expect(Number.isNaN(tableFromStored(stored).columns.events![1]!)).toBe(true);
    expect(() => weeklyTableFromDataset({ ...ds, channels: [{ name: 'radio', spend: new Float64Array(3) }] }, mapping)).toThrow('channel radio has no spend column');

    // the second run restates tv_S in week 2 by +20%: named by week and column
    const t2 = tableFromStored(stored);
    t2.columns.tv_S![1] = 2.4;
    const summary = runSummaryFromAnalysis(analysis, { runId: 'a', kernel: 'fused', checks: [] });
    const review = reviewRefresh({
      previous: { table: t, mapping, settings: {}, summary },
      current: { table: t2, mapping, settings: {}, summary: { ...summary, runId: 'b' } },
      thresholds: governanceConfigSchema.parse({}),
      identifiability: identifiabilityFromAnalysis(analysis),
    });
    expect(review.dataDrift.backfills.map((b) => [b.column, b.weeks])).toEqual([['tv_S', ['2020-01-13']]]);
    expect(review.labels.map((l) => l.channel).sort()).toEqual(['search', 'tv']);
  });
});

describe('assembleRunBundle', () => {
  const ds = {
    dates: ['2020-01-06', '2020-01-13', '2020-01-20'],
    target: { name: 'revenue', values: Float64Array.from([10, 11, 12]) },
    channels: [{ name: 'tv', spend: Float64Array.from([1, 2, 3]) }, { name: 'search', spend: Float64Array.from([4, 5, 6]) }],
    controls: [],
    factors: [],
  };
  const row = (name: string, rhat: number, essBulk: number) => ({ name, mean: 0, sd: 1, q05: 0, q50: 0, q95: 0, rhat, essBulk, essTail: essBulk });
  const fit = { kernel: 'tfjs-wasm', settings: { seed: 7, chains: 2, draws: 300 }, summary: [row('a', 1.01, 500), row('b', 1.04, 210)], sampler: { divergences: { count: 3 } }, checks: [] };

  it('takes the worst R-hat and ESS; NaN wins', () => {
    expect(runDiagnostics(fit)).toEqual({ maxRhat: 1.04, minEssBulk: 210, divergences: 3 });
    const d = runDiagnostics({ ...fit, summary: [row('a', NaN, 500), row('b', 1.5, NaN)] });
    expect(d.maxRhat).toBeNaN();
    expect(d.minEssBulk).toBeNaN();
  });

  it('writes a valid bundle whose hashes, table and summaries read back', async () => {
    const raw = new TextEncoder().encode('DATE,revenue\n');
    const { bundle, summary } = await assembleRunBundle({
      runId: 'run-1', appVersion: '0.1.0', createdAt: new Date('2026-11-29T20:00:00Z'), rawFile: raw, dataset: ds,
      mapping: { date_col: 'DATE', kpi_col: 'revenue', channel_map: { tv: { spend: 'tv_S' }, search: { spend: 'search_S' } }, controls: [], keys: {} },
      config: { data: { file: 'robyn.csv' } }, modelSpec: { likelihood: 'normal' }, lineage: [{ step: 'winsorize', detail: 'none' }],
      dataChecks: [{ id: 'data.coverage', severity: 'info', title: '3 weeks', detail: '', evidence: {} }], fit, analysis,
    });
    expect(bundle.manifest.backend).toBe('wasm');
    expect(bundle.manifest.seed).toBe(7);
    expect(bundle.manifest.hashes.rawFile).toBe(await sha256Hex(raw));
    const file = await decodeBundleFile(await encodeBundleFile(bundle), 'x.carryover');
    expect(file.table!.columns.tv_S).toEqual([1, 2, 3]);
    expect(await hashTable(tableFromStored(file.table!))).toBe(bundle.manifest.hashes.cleanedTable);
    const back = runSummaryFromBundle(file);
    expect(back.channels[1]!.roi.q50).toBe(summary.channels[1]!.roi.q50);
    expect(Array.from(back.channels[0]!.share.draws!)).toEqual([0.25, 0.5, 0.25]);
    expect(identifiabilityOfBundle(file).map((s) => s.channel)).toEqual(['tv', 'search']);
    expect(file.checks.map((c) => c.id)).toEqual(['data.coverage']);
  });
});
