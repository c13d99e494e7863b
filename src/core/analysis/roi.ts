import type { ModelSpec, SaturationSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ModelParams } from '../model/constrain.ts';
import type { SaturationParams } from '../transforms/saturation.ts';
import type { MediaSeries } from './decomposition.ts';

/**
 * What the KPI counts. `revenue`: money, so ROI is revenue per unit of spend; `count`:
 * conversions, units, visits, so cost per KPI applies and a revenue-per-KPI value turns ROI into
 * revenue ROI; `unspecified`: screens say "KPI per unit of spend".
 */
export type KpiKind = 'revenue' | 'count' | 'unspecified';

/** Unit of ROI and marginal ROI. */
export type RoiUnit = 'revenue-per-spend' | 'kpi-per-spend';

/** What a screen prints beside an ROI. */
export const ROI_UNIT_LABELS = {
  'revenue-per-spend': 'revenue per unit of spend',
  'kpi-per-spend': 'KPI per unit of spend',
} as const satisfies Record<RoiUnit, string>;

/**
 * Revenue per unit of KPI (Meridian's revenue_per_conversion): one constant, or one value per
 * week [N], currency per KPI unit, finite and >= 0.
 */
export type RevenuePerKpi = number | ArrayLike<number>;

/** The unit ROI is reported in: revenue when the KPI is revenue or a revenue-per-KPI is given. */
export function roiUnitOf(kpiKind: KpiKind, revenuePerKpi: RevenuePerKpi | undefined): RoiUnit {
  return kpiKind === 'revenue' || revenuePerKpi !== undefined ? 'revenue-per-spend' : 'kpi-per-spend';
}

/**
 * Per-week multiplier from KPI units to the ROI unit: revenue per KPI, or ones without it.
 * @returns [N]
 * @throws with the week and value when an entry is negative or not finite, or the length is off
 */
export function outcomeWeights(revenuePerKpi: RevenuePerKpi | undefined, kpiKind: KpiKind, N: number): Float64Array {
  if (revenuePerKpi === undefined) return new Float64Array(N).fill(1);
  if (kpiKind === 'revenue') {
    throw new Error('Revenue per KPI was given but the KPI is revenue already; drop the revenue-per-KPI value or mark the KPI as a count.');
  }
  if (typeof revenuePerKpi === 'number') {
    if (!(Number.isFinite(revenuePerKpi) && revenuePerKpi > 0)) {
      throw new Error(`Revenue per KPI must be a positive number, got ${revenuePerKpi}.`);
    }
    return new Float64Array(N).fill(revenuePerKpi);
  }
  if (revenuePerKpi.length !== N) {
    throw new Error(`Revenue per KPI has ${revenuePerKpi.length} weekly values; the data have ${N} weeks.`);
  }
  const w = Float64Array.from(revenuePerKpi);
  w.forEach((v, t) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new Error(`Revenue per KPI in week ${t + 1} is ${v}; it must be a number >= 0 (fill the gap or use a constant).`);
  });
  return w;
}

/**
 * a * d sat(a) / da: how the saturated response grows when its input is scaled (0 at a = 0).
 * @param a adstocked input >= 0
 * @param h sat(a), already computed by the caller
 */
export type SaturationElasticityFn = (a: number, h: number, p: SaturationParams) => number;

/** a * derivative of each saturation; for Hill, a h'(a) = S h (1 - h) (0 where a = 0, as h is). */
export const SATURATION_ELASTICITY = {
  hill: (_a, h, p) => p.S * h * (1 - h),
} satisfies Record<SaturationSpec['kind'], SaturationElasticityFn>;

/** One draw's numbers per channel, each [C]. */
export interface ChannelDrawMetrics {
  /** total contribution over the sample, KPI units */ contribution: Float64Array;
  /** total contribution in the ROI unit (KPI x revenue per KPI when given) */ outcome: Float64Array;
  /** outcome / total spend */ roi: Float64Array;
  /** d outcome / d spend when every week's spend of the channel is scaled by (1 + eps), eps -> 0 */ mroi: Float64Array;
  /** total spend / contribution, currency per KPI (Infinity for a zero effect) */ costPerKpi: Float64Array;
}

/**
 * ROI, marginal ROI and cost per KPI of every channel for one draw.
 * Marginal ROI: with all weekly spend of channel c scaled by lambda, the outcome is
 * R(lambda) = yScale beta_c sum_t w_t sat(adstock(lambda u_c)_t) and the spend lambda S_c; since
 * adstock is linear, dR/dspend at lambda = 1 is yScale beta_c sum_t w_t a_t sat'(a_t) / S_c
 * (in-sample: weeks before week 1 and carryover past week N are left out, as in ROI).
 * @param media mediaSeries of the same draw
 * @param weights outcomeWeights [N]
 */
export function channelMetrics(
  spec: ModelSpec,
  data: ModelData,
  p: ModelParams,
  media: MediaSeries,
  weights: Float64Array,
): ChannelDrawMetrics {
  const { N, C, yScale } = data;
  const elasticity = SATURATION_ELASTICITY[spec.saturation.kind];
  const out: ChannelDrawMetrics = {
    contribution: new Float64Array(C),
    outcome: new Float64Array(C),
    roi: new Float64Array(C),
    mroi: new Float64Array(C),
    costPerKpi: new Float64Array(C),
  };
  for (let c = 0; c < C; c++) {
    const shape = { K: p.K[c], S: p.S[c] };
    let kpi = 0;
    let outcome = 0;
    let growth = 0;
    for (let t = 0; t < N; t++) {
      const h = media.saturated[c * N + t];
      kpi += h;
      outcome += h * weights[t];
      growth += elasticity(media.adstocked[c * N + t], h, shape) * weights[t];
    }
    const scale = p.beta[c] * yScale;
    const spend = data.spendTotal[c];
    out.contribution[c] = kpi * scale;
    out.outcome[c] = outcome * scale;
    out.roi[c] = (outcome * scale) / spend;
    out.mroi[c] = (growth * scale) / spend;
    out.costPerKpi[c] = spend / (kpi * scale);
  }
  return out;
}
