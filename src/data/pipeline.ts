import type { CheckResult } from '../core/check/result.ts';
import type { Dataset } from '../core/model/dataset.ts';
import { configSchema, type Config } from '../core/spec/config.ts';
import { DATA_CHECKS, describeTable, runAllChecks, validationScore, type CheckOverride } from './checks/index.ts';
import { cleanTable, type LineageEntry } from './clean/index.ts';
import { toDataset, toDatasetsByKey } from './dataset-adapter.ts';
import type { Db } from './db.ts';
import { aggregateWeekly, applyFilters, keptKeys, toWeeklyGrain } from './grain.ts';
import { ingestFile, type IngestInput, type IngestResult } from './ingest.ts';
import { isIngestError } from './ingest-error.ts';
import { checkNonFinite } from './non-finite.ts';
import { proposeMapping, toCheckMapping, type MappingConfig, type MappingProposal } from './mapping.ts';
import { profileTable, type TableProfile } from './profile.ts';

/** Options of a pipeline run that are not config. */
export interface PipelineOptions {
  /** Reference date for the freshness check, ISO YYYY-MM-DD (the caller's clock). */
  now?: string;
  /** Blocks or warnings the user overrode, with a reason. */
  overrides?: CheckOverride[];
  /** `auto`: use the proposed mapping when the config has no date column (default); `config`: always the config's. */
  mapping?: 'auto' | 'config';
}

/** Everything one pipeline run produced; tables stay in the Db for the screens to query. */
export interface PipelineResult {
  ingest: IngestResult | null;
  profile: TableProfile | null;
  proposal: MappingProposal | null;
  /** The config the run used: the input config with the mapping filled in (when auto). */
  config: Config;
  /** Ingest findings, grain notes, then the data checks, in that order. */
  results: CheckResult[];
  /** validationScore of `results` in [0, 1]. */
  score: number;
  /** true while any result is a block: no Dataset is handed to the model. */
  blocked: boolean;
  lineage: LineageEntry[];
  /** DuckDB tables of each stage (null when the run stopped before it). */
  tables: { raw: string | null; weekly: string | null; clean: string | null; model: string | null };
  /** National model input (grain level national), when nothing blocks. */
  dataset: Dataset | null;
  /** Per-key model inputs when the grain keeps a key (geo or product level), when nothing blocks. */
  datasets: { key: string; dataset: Dataset }[] | null;
}

/**
 * Ingest -> mapping -> grain (weekly) -> checks -> cleaning -> grain level -> Dataset, in one
 * call, for the browser and the headless runner alike. Never throws for bad input: a file that
 * cannot be read comes back as a blocking result.
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
    tables: { raw: null, weekly: null, clean: null, model: null },
    dataset: null,
    datasets: null,
  };
  const finish = () => {
    out.score = validationScore(out.results);
    out.blocked = out.results.some((r) => r.severity === 'block');
    return out;
  };
  try {
    out.ingest = await ingestFile(db, file, { read: cfg.read, table: 'raw' });
  } catch (e) {
    if (!isIngestError(e)) throw e;
    out.results.push(e.toCheckResult());
    return finish();
  }
  out.tables.raw = 'raw';
  out.results.push(...out.ingest.findings);
  out.profile = await profileTable(db, 'raw');
  out.proposal = proposeMapping(out.profile);
  if (opts.mapping !== 'config' && !cfg.data.date_col) {
    cfg = { ...cfg, data: { ...cfg.data, ...out.proposal.data, file: file.name } };
    out.config = cfg;
  }
  const m: MappingConfig = cfg.data;
  if (!m.date_col || !m.kpi_col || Object.keys(m.channel_map).length === 0) {
    out.results.push({
      id: 'data.mapping',
      severity: 'block',
      title: 'The column mapping is incomplete',
      detail: (out.proposal.problems.length ? out.proposal.problems : ['Map a date column, a KPI column and at least one spend column.']).join(' '),
      evidence: { file: file.name, columns: out.ingest.columns.map((c) => c.name) },
      fix: 'Choose the roles in the mapping screen, or set data.date_col, data.kpi_col and data.channel_map in the config.',
    });
    return finish();
  }
  const cm = toCheckMapping(m);
  await applyFilters(db, 'raw', cfg.data.filters, 'filtered');
  const weekly = await toWeeklyGrain(db, 'filtered', m, cfg.data.grain.week_start, 'weekly');
  out.tables.weekly = weekly.table;
  if (weekly.result) out.results.push(weekly.result);
  const report = await runAllChecks(db, weekly.table, cm, cfg.validation, { now: opts.now, overrides: opts.overrides });
  let checks = report.results;
  if (weekly.table !== 'filtered') {
    // Row-level problems are named on the user's rows, not on the weekly sums that hide them.
    const ctx = { db, table: 'filtered', mapping: cm, config: cfg.validation, columns: await describeTable(db, 'filtered'), options: { maxNamed: 20, now: opts.now } };
    const rowLevel = [await DATA_CHECKS['data.types'](ctx), await DATA_CHECKS['data.duplicates'](ctx), await DATA_CHECKS['data.spend_values'](ctx)];
    checks = checks.map((r) => rowLevel.find((x) => x.id === r.id && x.severity !== 'info') ?? r);
  }
  out.results.push(...checks, await checkNonFinite(db, 'filtered', m));
  if (out.results.some((r) => r.severity === 'block')) return finish();
  const clean = await cleanTable(db, weekly.table, cm, cfg.cleaning, { output: 'clean' });
  out.tables.clean = clean.table;
  out.lineage = clean.lineage;
  const keep = keptKeys(cfg.data.grain.level, m.keys);
  const allKeys = [m.keys.geo, m.keys.product].filter(Boolean);
  if (keep.length < allKeys.length) {
    await aggregateWeekly(db, clean.table, m, cfg.data.grain.week_start, keep, 'model_input');
    out.tables.model = 'model_input';
  } else out.tables.model = clean.table;
  if (keep.length === 0) {
    const d = await toDataset(db, out.tables.model, m);
    if (d.ok) out.dataset = d.dataset;
    else out.results.push(d.result);
  } else {
    const per = await toDatasetsByKey(db, out.tables.model, m, keep[0]);
    const bad = per.find((p) => !p.result.ok);
    if (bad && !bad.result.ok) out.results.push(bad.result.result);
    else out.datasets = per.map((p) => ({ key: p.key, dataset: (p.result as { ok: true; dataset: Dataset }).dataset }));
  }
  return finish();
}
