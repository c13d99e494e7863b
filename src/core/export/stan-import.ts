import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import { buildLayout, type ParamLayout } from '../model/layout.ts';
import { BIJECTORS } from '../model/bijectors.ts';
import { deriveChannelsFromDraw } from '../model/derived.ts';
import { drawColumnNames, type DrawTable } from '../model/draws.ts';
import { summarizeDraws } from '../diagnostics/summary.ts';
import { summarizeSamplerStats, type ChainSamplerStats } from '../diagnostics/sampler-stats.ts';
import { convergenceChecks, type ConvergenceThresholds } from '../diagnostics/checks.ts';
import type { FitResult } from '../inference/fit-result.ts';
import { configNumber, CmdStanCsvError, parseCmdStanCsv, SAMPLER_COLUMNS, type CmdStanCsv } from './cmdstan-csv.ts';
import { STAN_PARAMS } from './stan-program.ts';
import { stanModelFor } from './stan-models.ts';

/** One chain's CmdStan output file as the user picked it. */
export interface CmdStanFile {
  /** file name, e.g. `output_1.csv` */ name: string;
  /** its text */ text: string;
}

/**
 * Relative tolerance of the check that Stan's generated ROI equals ours for the same draw: CmdStan
 * writes 6 significant digits by default, and ROI recomputed from 6-digit parameters moves by
 * ~1e-5 relative; a draw sampled on other data misses by far more.
 */
const ROI_TOLERANCE = 1e-3;

/** Column indices of a file for the layout's elements, or an error naming the first missing or unexpected column. */
function mapColumns(csv: CmdStanCsv, wanted: string[], spec: ModelSpec): Int32Array {
  const idx = Int32Array.from(wanted, (c) => csv.columns.indexOf(c));
  const miss = wanted.findIndex((_, i) => idx[i] < 0);
  if (miss >= 0) {
    throw new CmdStanCsvError(csv.file, `${csv.file}: no column ${wanted[miss]}. The draws were sampled with another program than the model in use (other channels, controls or spec options): export the model again and rerun CmdStan, or load the data and spec the export was made from.`);
  }
  // a column of one of our parameter groups that the model in use does not have (an extra
  // channel, a trend the spec switched off) means the same mismatch
  const ours = new Set<string>(Object.values(STAN_PARAMS).map((p) => p.stan));
  const expected = new Set(wanted);
  const extra = csv.columns.find((c) => ours.has(c.split('.')[0]) && !expected.has(c));
  if (extra) {
    const spoken = spec.trend.kind === 'none' && extra === 'delta' ? ' (the spec in use has no trend)' : '';
    throw new CmdStanCsvError(csv.file, `${csv.file}: column ${extra} is not a parameter of the model in use${spoken}. The draws come from another export: export the model again and rerun CmdStan, or load the data and spec the export was made from.`);
  }
  return idx;
}

/** Whether x lies in the support the layout's bijector maps onto. */
const IN_SUPPORT = { identity: (x: number) => Number.isFinite(x), log: (x: number) => x > 0 && Number.isFinite(x), logit: (x: number) => x > 0 && x < 1 } as const satisfies Record<keyof typeof BIJECTORS, (x: number) => boolean>;

/** Constrained draws + our ROI and contribution for one chain, checking Stan's own ROI where present. */
function chainTable(csv: CmdStanCsv, spec: ModelSpec, data: ModelData, layout: ParamLayout, cols: Int32Array, roiCols: Int32Array): DrawTable {
  const { dim } = layout;
  const C = data.C;
  const names = drawColumnNames(layout, data.channels);
  const width = names.length;
  const w = csv.columns.length;
  const values = new Float64Array(csv.nDraws * width);
  const x = new Float64Array(dim);
  const support = layout.blocks.flatMap((b) => Array.from({ length: b.size }, () => IN_SUPPORT[b.transform]));
  for (let d = 0; d < csv.nDraws; d++) {
    for (let i = 0; i < dim; i++) {
      const v = csv.draws[d * w + cols[i]];
      if (!support[i](v)) {
        throw new CmdStanCsvError(csv.file, `${csv.file}, line ${csv.lines[d]}, column ${csv.columns[cols[i]]}: ${v} is outside the support of ${layout.names[i]}. The file is damaged or from another program.`);
      }
      x[i] = v;
    }
    const der = deriveChannelsFromDraw(spec, data, layout, x);
    for (let c = 0; c < C; c++) {
      if (roiCols[c] < 0) continue;
      const theirs = csv.draws[d * w + roiCols[c]];
      if (!(Math.abs(der.roi[c] - theirs) <= ROI_TOLERANCE * Math.abs(theirs) + 1e-12)) {
        throw new CmdStanCsvError(
          csv.file,
          `${csv.file}, line ${csv.lines[d]}, column ${csv.columns[roiCols[c]]}: Stan's ROI of ${data.channels[c]} is ${theirs}, the data in use give ${der.roi[c]} for the same draw. The draws were sampled on other data than the data loaded now: load the data the export was made from.`,
        );
      }
    }
    const row = d * width;
    values.set(x, row);
    values.set(der.roi, row + dim);
    values.set(der.contribution, row + dim + C);
  }
  return { names, values, nDraws: csv.nDraws };
}

/** Per-draw NUTS statistics of a chain (post-warmup). */
function chainStats(csv: CmdStanCsv): ChainSamplerStats & { nLeapfrog: Float64Array; warmupLeapfrog: number } {
  const w = csv.columns.length;
  const col = (name: (typeof SAMPLER_COLUMNS)[number], rows: Float64Array, n: number) => {
    const j = csv.columns.indexOf(name);
    return Float64Array.from({ length: n }, (_, d) => rows[d * w + j]);
  };
  return {
    divergent: col('divergent__', csv.draws, csv.nDraws),
    treeDepth: col('treedepth__', csv.draws, csv.nDraws),
    energy: col('energy__', csv.draws, csv.nDraws),
    nLeapfrog: col('n_leapfrog__', csv.draws, csv.nDraws),
    warmupLeapfrog: col('n_leapfrog__', csv.warmup, csv.nWarmup).reduce((a, b) => a + b, 0),
  };
}

/**
 * Reads CmdStan's output CSVs (one per chain) of an exported program back as a run of the model
 * in use: constrained draws mapped onto our parameter layout, ROI and contribution recomputed by
 * our code (and checked against Stan's own generated ROI), then the summary table, R-hat, bulk and
 * tail ESS, divergences, tree-depth hits, E-BFMI and the convergence checks, all by our code.
 * @param files one per chain; ordered by CmdStan's `id` when the files carry it
 * @param spec the spec in use (the export's)
 * @param data the same ModelData the export was written from
 * @returns a FitResult with kernel 'cmdstan' and `imported` filled; wallS is the slowest chain's
 *   warmup + sampling seconds (chains on separate nodes), 0 when no file has a timing block
 * @throws CmdStanCsvError naming the file, line and column when a file is not CmdStan sampling
 *   output, is truncated, has other columns than the model in use, or was sampled on other data
 */
export function importCmdStanRun(
  files: readonly CmdStanFile[],
  spec: ModelSpec,
  data: ModelData,
  thresholds: Partial<ConvergenceThresholds> = {},
): FitResult {
  if (files.length === 0) throw new Error('Choose at least one CmdStan output CSV (one per chain).');
  const parsed = files.map((f) => parseCmdStanCsv(f.name, f.text));
  parsed.sort((a, b) => configNumber(a, 'id', 0) - configNumber(b, 'id', 0));
  const model = stanModelFor(spec);
  const layout = buildLayout(spec, data);
  const wanted = model.paramColumns(layout);
  const { roi } = model.derivedColumns(data);

  const first = parsed[0];
  for (const p of parsed.slice(1)) {
    if (p.nDraws !== first.nDraws) {
      throw new CmdStanCsvError(p.file, `${p.file} holds ${p.nDraws} draws and ${first.file} ${first.nDraws}: every chain must have the same number of draws. Sample all chains with the same num_samples and thin.`);
    }
  }
  const tables = parsed.map((p) => chainTable(p, spec, data, layout, mapColumns(p, wanted, spec), Int32Array.from(roi, (c) => p.columns.indexOf(c))));
  const names = tables[0].names;
  const summary = summarizeDraws(names, tables.map((t) => t.values), names.length);
  const stats = parsed.map(chainStats);
  const maxTreeDepth = configNumber(first, 'max_depth', 10);
  const sampler = summarizeSamplerStats(stats, maxTreeDepth);
  const checks = convergenceChecks({ rows: summary, sampler }, thresholds);
  const elapsed = parsed.map((p) => p.elapsed ?? { warmup: 0, sampling: 0 });
  const wallS = Math.max(...elapsed.map((e) => e.warmup + e.sampling));
  const minEss = Math.min(...summary.map((r) => r.essBulk));
  const v = (k: string) => first.config[`stan_version_${k}`];
  const metric = (first.config.metric ?? 'diag_e').startsWith('dense') ? 'dense' : 'diag';
  return {
    settings: {
      chains: parsed.length,
      warmup: configNumber(first, 'num_warmup', 0),
      draws: first.nDraws,
      seed: configNumber(first, 'seed', 0),
      adaptDelta: configNumber(first, 'delta', 0.8),
      maxTreeDepth,
      kernel: 'auto',
      adaptation: 'stan',
      metric,
    },
    kernel: 'cmdstan',
    probes: [],
    names,
    tables,
    summary,
    sampler,
    checks,
    wallS,
    leapfrogs: {
      warmup: stats.reduce((a, s) => a + s.warmupLeapfrog, 0),
      sampling: stats.reduce((a, s) => a + s.nLeapfrog.reduce((x, y) => x + y, 0), 0),
    },
    essPerS: wallS > 0 ? minEss / wallS : NaN,
    imported: {
      engine: 'cmdstan',
      files: parsed.map((p) => p.file),
      stanVersion: v('major') !== undefined ? `${v('major')}.${v('minor') ?? 0}.${v('patch') ?? 0}` : null,
      elapsed,
    },
  };
}
