import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { CheckResult } from '../src/core/check/result.ts';
import type { Dataset } from '../src/core/model/dataset.ts';
import { parsePeerSpec, peerSpecToData, type PeerSpec } from '../src/core/spec/peer-spec.ts';
import { formatSpecIssues } from '../src/core/spec/parse.ts';
import type { LineageEntry } from '../src/data/clean/index.ts';
import type { GeoPanel } from '../src/data/geo-panel.ts';
import { openNodeDb } from '../src/data/duckdb-node.ts';
import { runPipeline } from '../src/data/pipeline.ts';

/** A benchmark's input that cannot be used: the message to print and the exit code (1 blocked by the checks, 2 unreadable). */
export class BenchInputError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
  }
}

/** What the benchmark fits: the app's model Dataset plus what the pipeline said about it. */
export interface BenchData {
  dataset: Dataset;
  /** The geo panel when the spec names a geo column (the geo model fits it); absent otherwise. */
  panel?: GeoPanel;
  spec: PeerSpec;
  /** Every check result (ingest, grain, data checks, model input), none blocking. */
  results: CheckResult[];
  score: number;
  /** Cleaning applied, in order (empty when the data needed none). */
  lineage: LineageEntry[];
}

const MARK = { block: 'BLOCK', warn: 'WARN ', info: 'ok   ' } as const;

/** One line per result: `BLOCK id: title` + detail + fix (info results only with `all`). */
export function formatResults(results: readonly CheckResult[], all = false): string {
  return results
    .filter((r) => all || r.severity !== 'info')
    .map((r) => `${MARK[r.severity]} ${r.id}: ${r.title}\n        ${r.detail}${r.fix && r.severity !== 'info' ? `\n        fix: ${r.fix}` : ''}`)
    .join('\n');
}

/** One line per cleaning step: what changed and how many cells/rows. */
export function formatLineage(lineage: readonly LineageEntry[]): string {
  if (!lineage.length) return '  (nothing: the data needed no cleaning)';
  return lineage.map((e) => `  ${e.step}/${e.rule}${e.column ? ` [${e.column}]` : ''}: ${e.cellsChanged} cells, rows ${e.rowsBefore} -> ${e.rowsAfter}. ${e.detail}`).join('\n');
}

/**
 * Loads a CSV/Parquet file and a peer spec JSON through the app's own pipeline in node
 * (ingest -> mapping from the spec -> checks -> cleaning -> Dataset, src/data/pipeline.ts with
 * the node DuckDB). Blocked data and unreadable files throw BenchInputError with the checks'
 * messages, never a stack trace.
 * @param now reference date for the freshness check, ISO YYYY-MM-DD
 */
export async function loadBenchData(file: string, specPath: string, now = new Date().toISOString().slice(0, 10)): Promise<BenchData> {
  let specJson: unknown;
  try {
    specJson = JSON.parse(readFileSync(specPath, 'utf8'));
  } catch (e) {
    throw new BenchInputError(`cannot read the spec ${specPath}: ${(e as Error).message}`, 2);
  }
  const parsed = parsePeerSpec(specJson);
  if (!parsed.ok) throw new BenchInputError(`invalid spec ${specPath} (expected {date, target, channels, controls, factor_controls, revenue_per_kpi?, geo?, population?}):\n${formatSpecIssues(parsed.issues)}`, 2);
  const spec = parsed.value;
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new BenchInputError(`cannot read ${file}: ${(e as Error).message}`, 2);
  }
  const db = await openNodeDb();
  try {
    const name = basename(file);
    const r = await runPipeline(db, { name, bytes }, { data: peerSpecToData(spec, name) }, { now, mapping: 'config', panel: !!spec.geo });
    for (const key of ['revenue_per_kpi', 'geo', 'population'] as const) {
      const c = spec[key];
      if (r.ingest && c && !r.ingest.columns.some((x) => x.name === c)) {
        throw new BenchInputError(`${specPath}: ${key} names '${c}', which is not a column of ${name} (columns: ${r.ingest.columns.map((x) => x.name).join(', ')})`, 2);
      }
    }
    if (r.blocked || !r.dataset) {
      const head = r.ingest ? `${file}: the checks block the fit` : `${file} could not be read`;
      throw new BenchInputError(`${head}:\n${formatResults(r.results.filter((x) => x.severity === 'block'))}`, r.ingest ? 1 : 2);
    }
    if (spec.geo && !r.panel) {
      throw new BenchInputError(`${file}: the geo panel cannot be built:\n${formatResults(r.results.filter((x) => x.id === 'data.geo_panel'))}`, 1);
    }
    return { dataset: r.dataset, ...(r.panel ? { panel: r.panel } : {}), spec, results: r.results, score: r.score, lineage: r.lineage };
  } finally {
    await db.close();
  }
}

/** The demo the benchmarks fit by default and its peer spec. */
export const ROBYN = { csv: 'public/demo/robyn_simulated_weekly.csv', spec: 'test/fixtures/reference/robyn_spec.json' } as const;

/**
 * The Robyn demo through the app's pipeline (208 weeks, 5 channels, 1 control, factor `events`),
 * for the kernel and worker benchmarks; a data error prints its message and exits.
 */
export async function loadRobynBench(): Promise<Dataset> {
  try {
    return (await loadBenchData(ROBYN.csv, ROBYN.spec)).dataset;
  } catch (e) {
    if (!(e instanceof BenchInputError)) throw e;
    console.error(e.message);
    process.exit(e.exitCode);
  }
}
