import type { CheckResult } from '../core/check/result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import { configSchema, type Config } from '../core/spec/config.ts';
import { validationScore, type CheckOverride } from './checks/index.ts';
import type { FlaggedWeek, LineageEntry } from './clean/index.ts';
import type { Db } from './db.ts';
import { ingestFile, type IngestInput, type IngestResult } from './ingest.ts';
import { isIngestError } from './ingest-error.ts';
import { proposeMapping, type MappingConfig, type MappingProposal } from './mapping.ts';
import { checkStage, cleanStage, mappingBlock, PIPELINE_TABLES as T, shapeStage } from './pipeline-stages.ts';
import { profileTable, type TableProfile } from './profile.ts';
import type { GeoPanel } from './geo-panel.ts';


/** Options of a pipeline run that are not config. */
export interface PipelineOptions {
  /** Reference date for the freshness check, ISO YYYY-MM-DD (the caller's clock). */
  now?: string;
  /** Blocks or warnings the user overrode, with a reason. */
  overrides?: CheckOverride[];
  /** `auto`: use the proposed mapping when the config has no date column (default); `config`: always the config's. */
  mapping?: 'auto' | 'config';
  /**
   * Also build the geo panel when data.grain.level keeps a key (PipelineResult.panel), and take
   * the national Dataset beside it, as the app does (no per-key Datasets); default false.
   */
  panel?: boolean;
}

/** Everything one pipeline run produced; tables stay in the Db for the screens to query. */
export interface PipelineResult {
  ingest: IngestResult | null;
  profile: TableProfile | null;
  proposal: MappingProposal | null;
  /** The config the run used: the input config with the mapping filled in (when auto). */
  config: Config;
  /** Ingest findings, grain notes, the data checks, then data.non_finite (overrides applied). */
  results: CheckResult[];
  /** validationScore of `results` in [0, 1]. */
  score: number;
  /** true while any result is a block: no Dataset is handed to the model. */
  blocked: boolean;
  lineage: LineageEntry[];
  /** KPI weeks the outlier check flags, with cap value, exemptions and what cleaning did. */
  flagged: FlaggedWeek[];
  /** DuckDB tables of each stage (null when the run stopped before it). */
  tables: { raw: string | null; weekly: string | null; clean: string | null; model: string | null };
  /** National model input (grain level national), when nothing blocks. */
  dataset: Dataset | null;
  /** Per-key model inputs when the grain keeps a key (geo or product level), when nothing blocks. */
  datasets: { key: string; dataset: Dataset }[] | null;
  /** The geo panel (opts.panel and a keyed grain), when nothing blocks and it could be built. */
  panel: GeoPanel | null;
}

/**
 * Ingest -> mapping -> shapeStage -> checkStage -> cleanStage, in one call: the headless
 * runner's entry point (the browser's DatasetState calls the same stages one by one). Never
 * throws for bad input: a file that cannot be read comes back as a blocking result.
 * @param config partial config (YAML/JSON object); every missing setting takes its default
 */
export async function runPipeline(db: Db, file: IngestInput, config: unknown = {}, opts: PipelineOptions = {}): Promise<PipelineResult> {
  let cfg = configSchema.parse(config ?? {});
  const out: PipelineResult = {
    ingest: null,
    profile: null,
    proposal: null,
    config: cfg,
    results: [],
    score: 0,
    blocked: true,
    lineage: [],
    flagged: [],
    tables: { raw: null, weekly: null, clean: null, model: null },
    dataset: null,
    datasets: null,
    panel: null,
  };
  const finish = () => {
    out.score = validationScore(out.results);
    out.blocked = out.results.some((r) => r.severity === 'block');
    return out;
  };
  try {
    out.ingest = await ingestFile(db, file, { read: cfg.read, table: T.raw });
  } catch (e) {
    if (!isIngestError(e)) throw e;
    out.results.push(e.toCheckResult());
    return finish();
  }
  out.tables.raw = T.raw;
  out.results.push(...out.ingest.findings);
  out.profile = await profileTable(db, T.raw);
  out.proposal = proposeMapping(out.profile);
  if (opts.mapping !== 'config' && !cfg.data.date_col) {
    // The proposal fills only what the config leaves empty: a kpi_col or channel_map the user wrote stays theirs.
    const given = cfg.data as unknown as Record<string, unknown>;
    const empty = (v: unknown) => v === undefined || v === '' || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
    const fill = Object.fromEntries(Object.entries(out.proposal.data).filter(([k]) => empty(given[k])));
    cfg = { ...cfg, data: { ...cfg.data, ...fill, file: file.name } };
    out.config = cfg;
  }
  const m: MappingConfig = cfg.data;
  const gate = mappingBlock(m, out.proposal.problems, file.name, out.ingest.columns.map((c) => c.name));
  if (gate) {
    out.results.push(gate);
    return finish();
  }
  const shape = await shapeStage(db, T.raw, m, cfg.data);
  out.tables.weekly = shape.table;
  const checked = await checkStage(db, shape, m, cfg.validation, { now: opts.now, overrides: opts.overrides, before: out.results });
  out.results = checked.results;
  if (checked.blocked) return finish();
  const clean = await cleanStage(db, shape, m, cfg, opts.panel ? { panel: true, target: 'national' } : {});
  out.tables.clean = clean.tables.clean;
  out.tables.model = clean.tables.model;
  out.lineage = clean.lineage;
  out.flagged = clean.flagged;
  out.dataset = clean.dataset;
  out.datasets = clean.datasets;
  out.panel = clean.panel;
  if (clean.result) out.results.push(clean.result);
  if (clean.panelResult) out.results.push(clean.panelResult);
  return finish();
}
