import type { CheckResult } from '../check/result.ts';
import type { GovernanceConfig } from '../spec/config-governance.ts';
import { attributeChange, type ChangeSplit, type RefreshFits } from './attribution.ts';
import type { WeeklyTable } from './canonical.ts';
import { diffJson, type JsonChange } from './config-diff.ts';
import { compareData, type DataDriftReport } from './data-drift.ts';
import { evaluateReleaseGates, type Acknowledgement, type ReleaseVerdict } from './gates.ts';
import { labelChannels, type ChannelLabel, type IdentifiabilitySignal } from './labels.ts';
import type { MappingSnapshot } from './mapping-diff.ts';
import { draftMemo, type Memo } from './memo.ts';
import { compareModels, type ModelDriftReport } from './model-drift.ts';
import type { RunSummary } from './run-summary.ts';

/** One run as the refresh review needs it: its cleaned table, mapping, settings and results. */
export interface ReviewedRun {
  table: WeeklyTable;
  mapping: MappingSnapshot;
  /** Config + model spec as plain JSON (diffed leaf by leaf; the mapping is diffed separately). */
  settings: Record<string, unknown>;
  summary: RunSummary;
}

/** Everything one refresh review reads. */
export interface RefreshReviewInput {
  previous: ReviewedRun;
  current: ReviewedRun;
  thresholds: GovernanceConfig;
  /** Cross refits, when run (old data + new config, new data + old config). */
  crossFits?: Pick<RefreshFits, 'oldDataNewConfig' | 'newDataOldConfig'>;
  /** compareReproducibility of the current run and its re-run. */
  reproducibility?: CheckResult;
  identifiability?: IdentifiabilitySignal[];
  acknowledgements?: Acknowledgement[];
  /** Review date (YYYY-MM-DD) for the data freshness check. */
  asOf?: string;
  /** Break-even ROI for the labels (1 for a revenue KPI, null for a non-money KPI). */
  breakEvenRoi?: number | null;
  /** training.max_rhat and min_ess of the current config. */
  diagnostics?: { maxRhat: number; minEss: number };
}

/** The one-screen answer: can it be published, what changed and why, what is safe to act on. */
export interface RefreshReview {
  dataDrift: DataDriftReport;
  modelDrift: ModelDriftReport;
  configChanges: JsonChange[];
  attribution: ChangeSplit[];
  verdict: ReleaseVerdict;
  labels: ChannelLabel[];
  memo: Memo;
}

/**
 * Reviews a refresh against the previous run: data drift, model drift (renamed channels
 * paired), config diff, attribution of change (from the cross fits given, or the hint that
 * config or data did not change), release gates, channel labels and the what-changed memo.
 */
export function reviewRefresh(input: RefreshReviewInput): RefreshReview {
  const { previous, current, thresholds: th } = input;
  const dataDrift = compareData(previous, current, th.data, input.asOf);
  const renames = dataDrift.mapping.filter((m) => m.kind === 'channel-renamed').map((m) => ({ from: m.from!, to: m.to! }));
  const modelDrift = compareModels(previous.summary, current.summary, th.model, renames);
  const configChanges = diffJson(previous.settings, current.settings);
  const dataChanged = dataDrift.coverage.addedWeeks.length + dataDrift.coverage.droppedWeeks.length + dataDrift.backfills.length + dataDrift.mapping.length > 0;
  const attribution = attributeChange(
    { oldDataOldConfig: previous.summary, newDataNewConfig: current.summary, ...input.crossFits },
    { configChanged: configChanges.length > 0, dataChanged, materialSd: th.model.swing_sd },
  );
  const verdict = evaluateReleaseGates({
    current: current.summary,
    dataDrift,
    modelDrift,
    attribution,
    configChanges,
    ...(input.reproducibility ? { reproducibility: input.reproducibility } : {}),
    ...(input.acknowledgements ? { acknowledgements: input.acknowledgements } : {}),
    ...(input.diagnostics ? { diagnostics: input.diagnostics } : {}),
  });
  const labels = labelChannels({ current: current.summary, dataDrift, modelDrift, attribution, rankChangeProb: th.model.rank_change_prob, ...(input.breakEvenRoi !== undefined ? { breakEvenRoi: input.breakEvenRoi } : {}), ...(input.identifiability ? { identifiability: input.identifiability } : {}) }, th.labels);
  const crossRefits = [...(input.crossFits?.oldDataNewConfig ? ['previous data with the current config'] : []), ...(input.crossFits?.newDataOldConfig ? ['current data with the previous config'] : [])];
  const memo = draftMemo({ previousRunId: previous.summary.runId, currentRunId: current.summary.runId, verdict, dataDrift, configChanges, modelDrift, attribution, crossRefits, labels });
  return { dataDrift, modelDrift, configChanges, attribution, verdict, labels, memo };
}
