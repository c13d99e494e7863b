import type { ModelSpec } from '../spec/model-spec.ts';
import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { buildLayout } from '../model/layout.ts';
import { buildGeoLayout } from '../model/geo-layout.ts';
import { BIJECTORS } from '../model/bijectors.ts';
import { deriveChannelsFromDraw } from '../model/derived.ts';
import { drawColumnNames, type DrawTable } from '../model/draws.ts';
import { deriveGeoChannels, geoDrawColumnNames } from '../model/geo-derived.ts';
import { geoMeanOffsets, splitGeoParams } from '../model/geo-posterior.ts';
import type { AnyModel, ModelKind } from '../model/model-kind.ts';
import { summarizeDraws } from '../diagnostics/summary.ts';
import { summarizeSamplerStats, type ChainSamplerStats } from '../diagnostics/sampler-stats.ts';
import { convergenceChecks, type ConvergenceThresholds } from '../diagnostics/checks.ts';
import type { FitResult } from '../inference/fit-result.ts';
import { configNumber, CmdStanCsvError, parseCmdStanCsv, SAMPLER_COLUMNS, type CmdStanCsv } from './cmdstan-csv.ts';
import { resolveStanModel, type ResolvedStanModel } from './stan-models.ts';

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
function mapColumns(csv: CmdStanCsv, wanted: string[], groups: readonly string[], spec: ModelSpec, generated: readonly string[] = []): Int32Array {
  const idx = Int32Array.from(wanted, (c) => csv.columns.indexOf(c));
  const miss = wanted.findIndex((_, i) => idx[i] < 0);
  if (miss >= 0) {
    throw new CmdStanCsvError(csv.file, `${csv.file}: no column ${wanted[miss]}. The draws were sampled with another program than the model in use (other channels, controls or spec options): export the model again and rerun CmdStan, or load the data and spec the export was made from.`);
  }
  // a column of one of our parameter groups that the model in use does not have (an extra
  // channel, a trend the spec switched off) means the same mismatch
  const ours = new Set<string>(groups);
  const expected = new Set([...wanted, ...generated]);
  const extra = csv.columns.find((c) => ours.has(c.split('.')[0]) && !expected.has(c));
  if (extra) {
    const spoken = spec.trend.kind === 'none' && extra === 'delta' ? ' (the spec in use has no trend)' : '';
    throw new CmdStanCsvError(csv.file, `${csv.file}: column ${extra} is not a parameter of the model in use${spoken}. The draws come from another export: export the model again and rerun CmdStan, or load the data and spec the export was made from.`);
  }
  return idx;
}

/** Whether x lies in the support the layout's bijector maps onto. */
const IN_SUPPORT = { identity: (x: number) => Number.isFinite(x), log: (x: number) => x > 0 && Number.isFinite(x), logit: (x: number) => x > 0 && x < 1 } as const satisfies Record<keyof typeof BIJECTORS, (x: number) => boolean>;

/**
 * How a family turns one constrained draw (layout order) into its draw-table row: column names,
 * and a writer that fills the row after the parameters and returns the national ROI [C] that
 * Stan's generated `roi` must match.
 */
interface DrawRows {
  names: string[];
  fill(x: Float64Array, row: Float64Array, at: number): Float64Array;
}

/** Draw-table rows per family: the same columns as a fit made here (model-kind.ts's modelDrawTable). */
const DRAW_ROWS = {
  national: (m) => {
    const layout = buildLayout(m.spec, m.data);
    const { dim } = layout;
    return {
      names: drawColumnNames(layout, m.data.channels),
      fill: (x, row, at) => {
        const der = deriveChannelsFromDraw(m.spec, m.data, layout, x);
        row.set(der.roi, at + dim);
        row.set(der.contribution, at + dim + m.data.C);
        return der.roi;
      },
    };
  },
  geo: (m) => {
    const layout = buildGeoLayout(m.spec, m.data);
    const { dim } = layout;
    const { C, G } = m.data;
    const level = layout.byName.level !== undefined;
    // with levels the derived intercept[geo] columns come first (geo-derived.ts's toGeoDrawTable)
    const o = dim + (level ? G : 0);
    return {
      names: geoDrawColumnNames(layout, m.data),
      fill: (x, row, at) => {
        const p = splitGeoParams(layout, x);
        const d = deriveGeoChannels(m.spec, m.data, p);
        if (level) {
          const off = geoMeanOffsets(m.spec, m.data, p, d.geoContribution);
          for (let g = 0; g < G; g++) row[at + dim + g] = p.intercept[g] - off[g];
        }
        row.set(d.roi, at + o);
        row.set(d.contribution, at + o + C);
        row.set(d.geoRoi, at + o + 2 * C);
        row.set(d.geoContribution, at + o + 2 * C + G * C);
        return d.roi;
      },
    };
  },
} satisfies { [K in ModelKind]: (m: Extract<AnyModel, { kind: K }>) => DrawRows };

function drawRows(m: AnyModel): DrawRows {
  return m.kind === 'geo' ? DRAW_ROWS.geo(m) : DRAW_ROWS.national(m);
}

/** Constrained draws + our ROI and contribution for one chain, checking Stan's own ROI where present. */
function chainTable(csv: CmdStanCsv, model: ResolvedStanModel, rows: DrawRows, cols: Int32Array, roiCols: Int32Array): DrawTable {
  const { dim } = model;
  const channels = model.model.data.channels;
  const C = channels.length;
  const width = rows.names.length;
  const w = csv.columns.length;
  const values = new Float64Array(csv.nDraws * width);
  const x = new Float64Array(dim);
  const support = model.transforms.map((t) => IN_SUPPORT[t]);
  for (let d = 0; d < csv.nDraws; d++) {
    for (let i = 0; i < dim; i++) {
      const v = csv.draws[d * w + cols[i]];
      if (!support[i](v)) {
        throw new CmdStanCsvError(csv.file, `${csv.file}, line ${csv.lines[d]}, column ${csv.columns[cols[i]]}: ${v} is outside the support of ${model.names[i]}. The file is damaged or from another program.`);
      }
      x[i] = v;
    }
    const row = d * width;
    values.set(x, row);
    const roi = rows.fill(x, values, row);
    for (let c = 0; c < C; c++) {
      if (roiCols[c] < 0) continue;
      const theirs = csv.draws[d * w + roiCols[c]];
      if (!(Math.abs(roi[c] - theirs) <= ROI_TOLERANCE * Math.abs(theirs) + 1e-12)) {
        throw new CmdStanCsvError(
          csv.file,
          `${csv.file}, line ${csv.lines[d]}, column ${csv.columns[roiCols[c]]}: Stan's ROI of ${channels[c]} is ${theirs}, the data in use give ${roi[c]} for the same draw. The draws were sampled on other data than the data loaded now: load the data the export was made from.`,
        );
      }
    }
  }
  return { names: rows.names, values, nDraws: csv.nDraws };
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
 * The geo model's run has the columns of a geo fit made here: its layout's parameters, national
 * `roi[ch]` / `contribution[ch]`, then `geo_roi[geo,ch]` / `geo_contribution[geo,ch]`.
 * @param files one per chain; ordered by CmdStan's `id` when the files carry it
 * @param spec the spec in use (the export's): a ModelSpec, or a GeoModelSpec for the geo model
 * @param data the same data the export was written from (ModelData, or GeoModelData for geo)
 * @returns a FitResult with kernel 'cmdstan' and `imported` filled; wallS is the slowest chain's
 *   warmup + sampling seconds (chains on separate nodes), 0 when no file has a timing block
 * @throws CmdStanCsvError naming the file, line and column when a file is not CmdStan sampling
 *   output, is truncated, has other columns than the model in use, or was sampled on other data
 */
export function importCmdStanRun(
  files: readonly CmdStanFile[],
  spec: ModelSpec | GeoModelSpec,
  data: ModelData | GeoModelData,
  thresholds: Partial<ConvergenceThresholds> = {},
): FitResult {
  if (files.length === 0) throw new Error('Choose at least one CmdStan output CSV (one per chain).');
  const parsed = files.map((f) => parseCmdStanCsv(f.name, f.text));
  parsed.sort((a, b) => configNumber(a, 'id', 0) - configNumber(b, 'id', 0));
  const model = resolveStanModel(spec, data);
  const rows = drawRows(model.model);
  const { roi } = model.derived;

  const first = parsed[0];
  for (const p of parsed.slice(1)) {
    if (p.nDraws !== first.nDraws) {
      throw new CmdStanCsvError(p.file, `${p.file} holds ${p.nDraws} draws and ${first.file} ${first.nDraws}: every chain must have the same number of draws. Sample all chains with the same num_samples and thin.`);
    }
  }
  const tables = parsed.map((p) => chainTable(p, model, rows, mapColumns(p, model.columns, model.groups, spec, model.generated.map((g) => g.column)), Int32Array.from(roi, (c) => p.columns.indexOf(c))));
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
