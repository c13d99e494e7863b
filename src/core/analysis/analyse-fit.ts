import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { DrawTable } from '../model/draws.ts';
import { buildLayout } from '../model/layout.ts';
import { toParams } from '../model/constrain.ts';
import { bandsOf, estimateOf, column, type Bands, type Estimate } from './estimate.ts';
import { selectDraws, type DrawSelection } from './draw-sample.ts';
import { priorRoiDraws } from './prior-draws.ts';
import { Rng } from '../inference/rng.ts';
import { decomposeDraw, decompositionParts, mediaSeries, type PartInfo } from './decomposition.ts';
import { channelMetrics, outcomeWeights, roiUnitOf, type KpiKind, type RevenuePerKpi, type RoiUnit } from './roi.ts';
import { adstockWeights, DEFAULT_CURVE_POINTS, lagSummary, spendGrid, steadyStateResponse, type SpendGrid } from './curves.ts';
import {
  DEFAULT_IDENTIFIABILITY_THRESHOLDS,
  identifiability,
  type ChannelIdentifiability,
  type IdentifiabilityThresholds,
} from './identifiability.ts';

/** Default number of draws from the priors for the prior ROI. */
export const DEFAULT_PRIOR_DRAWS = 500;

/** Options of analyseFit; every field has a default. */
export interface AnalysisOptions extends DrawSelection {
  /** what the KPI counts (default `unspecified`; `count` when revenuePerKpi is given) */ kpiKind?: KpiKind;
  /** revenue per KPI unit: a constant or [N] per week (turns ROI into revenue ROI) */ revenuePerKpi?: RevenuePerKpi;
  /** spend levels per response curve, >= 2 (default 41) */ curvePoints?: number;
  /** overrides of the identifiability thresholds */ thresholds?: Partial<IdentifiabilityThresholds>;
  /**
   * draws from the priors alone for each channel's prior ROI and ROI contraction (default 500;
   * 0 skips them); seeded by `seed`
   */
  priorDraws?: number;
  /** called every 100 draws and at the end with (draws done, draws to do); from a worker, pass a Comlink.proxy */
  onProgress?: (done: number, total: number) => void;
}

/** A sum of parts of the fitted mean (one part, all baseline parts, or all channels), in KPI units. */
export interface PartSum {
  /** per week [N] */ weekly: Bands;
  /** sum over the sample */ total: Estimate;
  /** total / fitted total, per draw (the shares of all parts add to 1 in every draw; negative for a part that lowers the KPI) */ share: Estimate;
}

/** One additive part of the fitted mean, in KPI units. */
export interface PartAnalysis extends PartInfo, PartSum {}

/** A response curve: steady-state weekly KPI (KPI units) against weekly spend. */
export interface ResponseCurve extends SpendGrid {
  /** weekly KPI response at each spend level [nPoints] */ response: Bands;
  /** response at the current average weekly spend */ atCurrent: Estimate;
}

/** Carryover of one unit of spend over the following weeks. */
export interface AdstockCurve {
  /** weight per lag, lag 0 = the week of spend [L] */ weights: Bands;
  /** lag (weeks) of the largest weight; 0 for geometric adstock, which always peaks in the week of spend */ peakLag: Estimate;
  /** weight-averaged lag, weeks */ meanLag: Estimate;
}

/** Everything a screen shows about one paid channel. */
export interface ChannelAnalysis {
  name: string;
  /** total spend over the sample, currency */ spendTotal: number;
  /** average weekly spend, currency */ spendMean: number;
  /** total contribution over the sample, KPI units */ contribution: Estimate;
  /** contribution / contribution of all channels (Robyn's effect share), per draw */ mediaShare: Estimate;
  /** outcome / spend, in `roiUnit` */ roi: Estimate;
  /** ROI under the priors alone, in `roiUnit` (absent when priorDraws is 0) */ priorRoi?: Estimate;
  /** marginal ROI: d outcome / d spend for a proportional increase of all weekly spend, in `roiUnit` */ mroi: Estimate;
  /** spend per unit of KPI, currency; only when the KPI is a count */ costPerKpi?: Estimate;
  responseCurve: ResponseCurve;
  adstock: AdstockCurve;
  identifiability: ChannelIdentifiability;
}

/** Result of analyseFit: plain objects and typed arrays (crosses a worker boundary as is). */
export interface FitAnalysis {
  /** draws analysed, and draws in the fit */ nDraws: number;
  totalDraws: number;
  weeks: number;
  kpiKind: KpiKind;
  roiUnit: RoiUnit;
  /** whether ROI went through a revenue-per-KPI input */ revenuePerKpi: boolean;
  /** observed KPI, original units [N] */ observed: Float64Array;
  /** fitted mean of the KPI per week, KPI units [N] */ fitted: Bands;
  /** fitted KPI summed over the sample */ fittedTotal: Estimate;
  /** observed KPI summed over the sample */ observedTotal: number;
  /** baseline parts and channels; their weekly draws add up to `fitted` in every draw */ parts: PartAnalysis[];
  /** all non-channel parts together (intercept, trend, seasonality, controls) */ baseline: PartSum;
  /** all channels together */ media: PartSum;
  /**
   * mean revenue per KPI unit (1 without a revenue-per-KPI input): multiplies a KPI response
   * (contributions, response curves) into the ROI unit, e.g. for a revenue response curve
   */
  outcomePerKpi: number;
  channels: ChannelAnalysis[];
  /** per-draw numbers for forest plots and the optimizer, row-major [nDraws * C] */
  draws: { roi: Float64Array; mroi: Float64Array; contribution: Float64Array };
}

/**
 * Contributions, ROI / marginal ROI / cost per KPI, response and adstock curves, and
 * identifiability signals from a fit's draws (thinned to at most `maxDraws`).
 * @param fit FitResult's column names and per-chain tables
 * @throws with a specific message when the draws do not match the spec and data, or on a bad option
 */
export function analyseFit(
  spec: ModelSpec,
  data: ModelData,
  fit: { names: readonly string[]; tables: readonly DrawTable[] },
  options: AnalysisOptions = {},
): FitAnalysis {
  const { N, C } = data;
  const kpiKind: KpiKind = options.kpiKind ?? (options.revenuePerKpi !== undefined ? 'count' : 'unspecified');
  const weights = outcomeWeights(options.revenuePerKpi, kpiKind, N);
  const outcomePerKpi = weights.reduce((s, v) => s + v, 0) / N;
  const layout = buildLayout(spec, data);
  const sel = selectDraws(layout, fit.names, fit.tables, options);
  const D = sel.n;
  const parts = decompositionParts(spec, data);
  const P = parts.length;
  const grids = Array.from({ length: C }, (_, c) => spendGrid(data, c, options.curvePoints ?? DEFAULT_CURVE_POINTS));
  const G = grids[0].spend.length;
  const L = data.L;

  // per draw, then summarised: part-major weekly contributions [P][D * N] and totals
  const weekly = parts.map(() => new Float64Array(D * N));
  const totals = parts.map(() => new Float64Array(D));
  const shares = parts.map(() => new Float64Array(D));
  const fitted = new Float64Array(D * N);
  const fittedTotal = new Float64Array(D);
  const groups = { baseline: newSum(D, N), media: newSum(D, N) };
  const perChannel = (w: number) => new Float64Array(D * w);
  const roi = perChannel(C);
  const mroi = perChannel(C);
  const contribution = perChannel(C);
  const costPerKpi = perChannel(C);
  const beta = perChannel(C);
  const curves = grids.map(() => new Float64Array(D * G));
  const atCurrent = grids.map(() => new Float64Array(D));
  const lagWeights = grids.map(() => new Float64Array(D * L));
  const peak = grids.map(() => new Float64Array(D));
  const meanLag = grids.map(() => new Float64Array(D));
  const current = new Float64Array(1);
  const dec = new Float64Array(P * N);

  for (let d = 0; d < D; d++) {
    const p = toParams(layout, sel.x.subarray(d * layout.dim, (d + 1) * layout.dim));
    const media = mediaSeries(spec, data, p);
    decomposeDraw(data, parts, p, media, dec);
    let total = 0;
    for (let i = 0; i < P; i++) {
      const group = parts[i].kind === 'channel' ? groups.media : groups.baseline;
      let s = 0;
      for (let t = 0; t < N; t++) {
        const v = dec[i * N + t];
        weekly[i][d * N + t] = v;
        fitted[d * N + t] += v;
        group.weekly[d * N + t] += v;
        s += v;
      }
      totals[i][d] = s;
      group.total[d] += s;
      total += s;
    }
    fittedTotal[d] = total;
    for (let i = 0; i < P; i++) shares[i][d] = totals[i][d] / total;
    groups.baseline.share[d] = groups.baseline.total[d] / total;
    groups.media.share[d] = groups.media.total[d] / total;
    const m = channelMetrics(spec, data, p, media, weights);
    roi.set(m.roi, d * C);
    mroi.set(m.mroi, d * C);
    contribution.set(m.contribution, d * C);
    costPerKpi.set(m.costPerKpi, d * C);
    beta.set(p.beta, d * C);
    for (let c = 0; c < C; c++) {
      steadyStateResponse(spec, data, p, c, grids[c].spend, curves[c].subarray(d * G, (d + 1) * G));
      current[0] = grids[c].current;
      atCurrent[c][d] = steadyStateResponse(spec, data, p, c, current)[0];
      const w = adstockWeights(spec.adstock, p.alpha[c], L);
      lagWeights[c].set(w, d * L);
      const lag = lagSummary(w);
      peak[c][d] = lag.peak;
      meanLag[c][d] = lag.meanLag;
    }
    if (options.onProgress && ((d + 1) % 100 === 0 || d + 1 === D)) options.onProgress(d + 1, D);
  }

  const roiEst = Array.from({ length: C }, (_, c) => estimateOf(column(roi, C, c)));
  const nPrior = options.priorDraws ?? DEFAULT_PRIOR_DRAWS;
  if (!(Number.isInteger(nPrior) && (nPrior === 0 || nPrior >= 2))) throw new Error(`priorDraws must be 0 or a whole number >= 2, got ${nPrior}.`);
  // its own stream: the prior draws do not depend on how the posterior was thinned
  const priorRoi = nPrior > 0 ? priorRoiDraws(spec, data, nPrior, new Rng((options.seed ?? 1) + 0x5eed), weights) : undefined;
  const signals = identifiability(
    data,
    beta,
    roi,
    roiEst,
    spec.priors.beta,
    { ...DEFAULT_IDENTIFIABILITY_THRESHOLDS, ...options.thresholds },
    priorRoi,
  );
  const countKpi = kpiKind === 'count';
  const channels: ChannelAnalysis[] = data.channels.map((name, c) => ({
    name,
    spendTotal: data.spendTotal[c],
    spendMean: data.spendMean[c],
    contribution: estimateOf(column(contribution, C, c)),
    mediaShare: estimateOf(Float64Array.from({ length: D }, (_, d) => contribution[d * C + c] / groups.media.total[d])),
    roi: roiEst[c],
    ...(priorRoi ? { priorRoi: estimateOf(column(priorRoi, C, c)) } : {}),
    mroi: estimateOf(column(mroi, C, c)),
    ...(countKpi ? { costPerKpi: estimateOf(column(costPerKpi, C, c)) } : {}),
    responseCurve: { ...grids[c], response: bandsOf(curves[c], G), atCurrent: estimateOf(atCurrent[c]) },
    adstock: { weights: bandsOf(lagWeights[c], L), peakLag: estimateOf(peak[c]), meanLag: estimateOf(meanLag[c]) },
    identifiability: signals[c],
  }));

  const observed = Float64Array.from(data.y, (v) => v * data.yScale);
  return {
    nDraws: D,
    totalDraws: sel.total,
    weeks: N,
    kpiKind,
    roiUnit: roiUnitOf(kpiKind, options.revenuePerKpi),
    revenuePerKpi: options.revenuePerKpi !== undefined,
    observed,
    fitted: bandsOf(fitted, N),
    fittedTotal: estimateOf(fittedTotal),
    observedTotal: observed.reduce((s, v) => s + v, 0),
    parts: parts.map((part, i) => ({
      ...part,
      weekly: bandsOf(weekly[i], N),
      total: estimateOf(totals[i]),
      share: estimateOf(shares[i]),
    })),
    baseline: summariseSum(groups.baseline, N),
    media: summariseSum(groups.media, N),
    outcomePerKpi,
    channels,
    draws: { roi, mroi, contribution },
  };
}

/** Per-draw accumulators of a sum of parts: weekly [D * N], total and share [D]. */
function newSum(D: number, N: number) {
  return { weekly: new Float64Array(D * N), total: new Float64Array(D), share: new Float64Array(D) };
}

function summariseSum(sum: ReturnType<typeof newSum>, N: number): PartSum {
  return { weekly: bandsOf(sum.weekly, N), total: estimateOf(sum.total), share: estimateOf(sum.share) };
}
