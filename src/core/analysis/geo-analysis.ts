import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { geoSlice } from '../model/geo-model-data.ts';
import { buildGeoLayout } from '../model/geo-layout.ts';
import { paramsOfGeo, splitGeoParams } from '../model/geo-posterior.ts';
import { deriveChannels } from '../model/derived.ts';
import type { DrawTable } from '../model/draws.ts';
import type { ParamLayout } from '../model/layout.ts';
import { selectDraws, type DrawSelection } from './draw-sample.ts';
import { estimateOf, type Estimate } from './estimate.ts';
import { roiUnitOf, type KpiKind, type RoiUnit } from './roi.ts';

/** Options of analyseGeoFit; every field has a default. */
export interface GeoAnalysisOptions extends DrawSelection {
  /** what the KPI counts (default `unspecified`; `count` when revenuePerKpi is given) */ kpiKind?: KpiKind;
  /**
   * revenue per KPI unit: one constant, or one value per geo-week, geo-major [G * N] (index g * N + t),
   * currency per KPI unit > 0. Turns ROI into revenue per unit of spend.
   */
  revenuePerKpi?: number | ArrayLike<number>;
  /** called every 100 draws and at the end with (draws done, draws to do); from a worker, pass a Comlink.proxy */
  onProgress?: (done: number, total: number) => void;
}

/** One channel's totals over the sample, with intervals over draws. */
export interface GeoChannelEstimate {
  name: string;
  /** total spend, currency */ spendTotal: number;
  /** total contribution, KPI units */ contribution: Estimate;
  /** outcome (revenue when revenue per KPI is given, else KPI) / spend, in `roiUnit` */ roi: Estimate;
}

/** Result of analyseGeoFit: plain objects and typed arrays (crosses a worker boundary as is). */
export interface GeoAnalysis {
  /** draws analysed, and draws in the fit */ nDraws: number;
  totalDraws: number;
  /** weeks */ N: number;
  roiUnit: RoiUnit;
  /** national: sums over geos, one row per channel [C] */ national: GeoChannelEstimate[];
  /** national media contribution (all channels), KPI units */ media: Estimate;
  /** per geo (panel order), each with one row per channel */
  geos: { geo: string; population: number; channels: GeoChannelEstimate[] }[];
}

/**
 * Contributions and ROI of a geo fit, national (sums over geos: contribution_c = sum_g
 * contribution_g,c; ROI_c = sum_g,t w_g,t contribution_g,c,t / sum_g,t spend_g,c,t with w the
 * revenue per KPI, 1 without it) and per geo, each with mean, median, 50% and 90% intervals.
 * Draws come from the fit's tables by column name (thinned to maxDraws, default 1000).
 * @param fit FitResult's column names and per-chain draw tables of this spec and data
 */
export function analyseGeoFit(spec: GeoModelSpec, data: GeoModelData, fit: { names: readonly string[]; tables: readonly DrawTable[] }, options: GeoAnalysisOptions = {}): GeoAnalysis {
  const { G, N, C } = data;
  const layout = buildGeoLayout(spec, data);
  // selectDraws reads only names and dim of a layout
  const picked = selectDraws(layout as unknown as ParamLayout, fit.names, fit.tables, options);
  const rpk = options.revenuePerKpi;
  const weights = weightsOf(rpk, G, N);
  const kpiKind: KpiKind = options.kpiKind ?? (rpk !== undefined ? 'count' : 'unspecified');
  if (rpk !== undefined && kpiKind === 'revenue') throw new Error('Revenue per KPI was given but the KPI is revenue already; drop the revenue-per-KPI value or mark the KPI as a count.');
  const roiUnit = roiUnitOf(kpiKind, rpk);
  const slices = Array.from({ length: G }, (_, g) => geoSlice(data, g));
  const n = picked.n;
  // draws of contribution (KPI) and outcome (revenue or KPI) per geo and channel, [n][G * C]
  const contrib = new Float64Array(n * G * C);
  const outcome = new Float64Array(n * G * C);
  for (let i = 0; i < n; i++) {
    // channel contributions read beta, adstock and saturation only: with level intercepts the
    // intercepts need not be derived (a media pass per draw), so the plain split serves both layouts
    const p = splitGeoParams(layout, picked.x.subarray(i * layout.dim, (i + 1) * layout.dim));
    for (let g = 0; g < G; g++) {
      const d = deriveChannels(spec, slices[g], paramsOfGeo(p, g, G));
      for (let c = 0; c < C; c++) {
        let o = 0;
        for (let t = 0; t < N; t++) o += d.perWeek[t * C + c] * weights[g * N + t];
        contrib[(i * G + g) * C + c] = d.contribution[c];
        outcome[(i * G + g) * C + c] = o;
      }
    }
    if ((i + 1) % 100 === 0 || i + 1 === n) options.onProgress?.(i + 1, n);
  }
  const spend = (g: number, c: number) => data.spendTotal[g * C + c];
  const column = (f: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => f(i));
  const national = data.channels.map((name, c) => {
    let s = 0;
    for (let g = 0; g < G; g++) s += spend(g, c);
    const sumOver = (a: Float64Array) => column((i) => {
      let v = 0;
      for (let g = 0; g < G; g++) v += a[(i * G + g) * C + c];
      return v;
    });
    const o = sumOver(outcome);
    return { name, spendTotal: s, contribution: estimateOf(sumOver(contrib)), roi: estimateOf(s > 0 ? o.map((v) => v / s) : o.fill(0)) };
  });
  const media = estimateOf(column((i) => {
    let v = 0;
    for (let k = 0; k < G * C; k++) v += contrib[i * G * C + k];
    return v;
  }));
  const geos = data.geos.map((geo, g) => ({
    geo,
    population: data.population[g],
    channels: data.channels.map((name, c) => {
      const s = spend(g, c);
      return {
        name,
        spendTotal: s,
        contribution: estimateOf(column((i) => contrib[(i * G + g) * C + c])),
        roi: estimateOf(column((i) => (s > 0 ? outcome[(i * G + g) * C + c] / s : 0))),
      };
    }),
  }));
  return { nDraws: n, totalDraws: picked.total, N, roiUnit, national, media, geos };
}

/** Per geo-week multiplier from KPI to the ROI's outcome, geo-major [G * N]. */
function weightsOf(rpk: number | ArrayLike<number> | undefined, G: number, N: number): Float64Array {
  if (rpk === undefined) return new Float64Array(G * N).fill(1);
  if (typeof rpk === 'number') {
    if (!(Number.isFinite(rpk) && rpk > 0)) throw new Error(`Revenue per KPI must be a positive number, got ${rpk}.`);
    return new Float64Array(G * N).fill(rpk);
  }
  if (rpk.length !== G * N) throw new Error(`Revenue per KPI has ${rpk.length} values; the geo panel has ${G} geos x ${N} weeks = ${G * N}.`);
  const w = Float64Array.from(rpk);
  const bad = w.findIndex((v) => !(Number.isFinite(v) && v >= 0));
  if (bad >= 0) throw new Error(`Revenue per KPI of geo ${Math.floor(bad / N) + 1} in week ${(bad % N) + 1} is ${w[bad]}; it must be a number >= 0.`);
  return w;
}
