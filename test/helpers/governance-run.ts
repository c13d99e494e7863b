import type { FitAnalysis } from '../../src/core/analysis/analyse-fit.ts';
import { estimateOf } from '../../src/core/analysis/estimate.ts';
import type { RunBundle } from '../../src/core/governance/bundle-schema.ts';
import { assembleRunBundle } from '../../src/core/governance/run-bundle-build.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';

/** A small two-channel analysis (three draws) and dataset, for bundle and store tests. */
export function tinyAnalysis(): FitAnalysis {
  const ident = (channel: string) => ({ channel, spendCorrelation: { value: 0.3, with: 'x' }, posteriorCorrelation: { value: NaN, with: '' }, contraction: 0.9, roiContraction: 0.8, roiRelativeWidth: 0.5, activeWeeks: 3, spendCv: 0.5, reasons: [] });
  return {
    weeks: 3,
    channels: [
      { name: 'tv', roi: estimateOf([1, 2, 3]), mediaShare: estimateOf([0.25, 0.5, 0.25]), identifiability: ident('tv') },
      { name: 'search', roi: estimateOf([4, 5, 6]), mediaShare: estimateOf([0.75, 0.5, 0.75]), identifiability: ident('search') },
    ],
    draws: { roi: Float64Array.from([1, 4, 2, 5, 3, 6]), mroi: new Float64Array(6), contribution: Float64Array.from([10, 30, 20, 20, 15, 45]) },
  } as unknown as FitAnalysis;
}

/** The raw file bytes tinyBundle hashes for a tv_S column. */
export const tinyRawFile = (tvSpend = [1, 2, 3]) => new TextEncoder().encode(`raw ${tvSpend.join(',')}`);

/**
 * A valid run bundle of project `robyn` with a three-week table; `tvSpend` sets the tv_S column;
 * `reproducible` keeps the model input, sampler settings and analysis options (schema v2).
 */
export async function tinyBundle(runId: string, createdAt: string, tvSpend = [1, 2, 3], reproducible = false): Promise<RunBundle> {
  const row = (name: string) => ({ name, mean: 0, sd: 1, q05: 0, q50: 0, q95: 0, rhat: 1.001, essBulk: 800, essTail: 700 });
  const { bundle } = await assembleRunBundle({
    runId,
    appVersion: 'test',
    createdAt: new Date(createdAt),
    rawFile: tinyRawFile(tvSpend),
    dataset: {
      dates: ['2020-01-06', '2020-01-13', '2020-01-20'],
      target: { name: 'revenue', values: Float64Array.from([10, 11, 12]) },
      channels: [{ name: 'tv', spend: Float64Array.from(tvSpend) }, { name: 'search', spend: Float64Array.from([4, 5, 6]) }],
      controls: [],
      factors: [],
    },
    mapping: { date_col: 'DATE', kpi_col: 'revenue', channel_map: { tv: { spend: 'tv_S' }, search: { spend: 'search_S', exposure: 'search_clicks_P' } }, controls: [] },
    config: { data: { file: 'robyn.csv' }, training: { max_rhat: 1.01, min_ess: 400 } },
    modelSpec: { likelihood: 'normal' },
    lineage: [],
    dataChecks: [],
    fit: { kernel: 'fused', settings: { seed: 1, chains: 2, draws: 100 }, summary: [row('a')], sampler: { divergences: { count: 0 } }, checks: [] },
    analysis: tinyAnalysis(),
    ...(reproducible ? { reproduction: { fitSettings: { ...DEFAULT_FIT_SETTINGS, kernel: 'fused' as const, seed: 1, chains: 2, draws: 100 }, analysis: { kpiKind: 'revenue' as const, seed: 1 } } } : {}),
  });
  return bundle;
}
