import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { GeoModelData } from './geo-model-data.ts';
import { geoSlice } from './geo-model-data.ts';
import type { GeoParamLayout } from './geo-layout.ts';
import { constrainGeo, geoMeanOffsets, paramsOfGeo, splitGeoParams, type GeoParams } from './geo-posterior.ts';
import { deriveChannels } from './derived.ts';
import type { DrawTable } from './draws.ts';
import type { ModelData } from './model-data.ts';

/** What one draw of the geo model says about each channel, per geo and national, original units. */
export interface GeoChannelDerived {
  /** contribution per geo and channel, KPI units, geo-major [G * C] */ geoContribution: Float64Array;
  /** contribution / spend per geo and channel [G * C] (0 where a geo has no spend) */ geoRoi: Float64Array;
  /** national contribution per channel (sum over geos), KPI units [C] */ contribution: Float64Array;
  /** national ROI: sum_g contribution_g,c / sum_g spend_g,c [C] */ roi: Float64Array;
  /** national contribution per week, KPI units, row-major [N * C] */ perWeek: Float64Array;
}

/**
 * Contributions and ROI for one constrained draw: per geo, contribution_g,c,t =
 * beta_g,c h_g,c,t * yScale * P_g (per-capita response back to KPI totals); national = sums over geos.
 * @param slices geoSlice(data, g) for every geo, when the caller converts many draws (made once)
 */
export function deriveGeoChannels(spec: GeoModelSpec, data: GeoModelData, p: GeoParams, slices?: readonly ModelData[]): GeoChannelDerived {
  const { G, C, N } = data;
  const geoContribution = new Float64Array(G * C);
  const geoRoi = new Float64Array(G * C);
  const contribution = new Float64Array(C);
  const spend = new Float64Array(C);
  const perWeek = new Float64Array(N * C);
  for (let g = 0; g < G; g++) {
    const d = deriveChannels(spec, slices?.[g] ?? geoSlice(data, g), paramsOfGeo(p, g, G));
    geoContribution.set(d.contribution, g * C);
    geoRoi.set(d.roi, g * C);
    for (let c = 0; c < C; c++) {
      contribution[c] += d.contribution[c];
      spend[c] += data.spendTotal[g * C + c];
    }
    for (let i = 0; i < N * C; i++) perWeek[i] += d.perWeek[i];
  }
  const roi = Float64Array.from(contribution, (v, c) => (spend[c] > 0 ? v / spend[c] : 0));
  return { geoContribution, geoRoi, contribution, roi, perWeek };
}

/**
 * Column names of a geo DrawTable: layout.names, the derived `intercept[geo]` when the layout
 * samples levels (geo.intercept 'level'), then national `roi[ch]` and `contribution[ch]`
 * (the same names as the national model, so results read either), then `geo_roi[geo,ch]` and
 * `geo_contribution[geo,ch]` (geo-major).
 */
export function geoDrawColumnNames(layout: GeoParamLayout, data: Pick<GeoModelData, 'geos' | 'channels'>): string[] {
  const gc = data.geos.flatMap((g) => data.channels.map((c) => `${g},${c}`));
  return [
    ...layout.names,
    ...(layout.byName.level ? data.geos.map((g) => `intercept[${g}]`) : []),
    ...data.channels.map((c) => `roi[${c}]`),
    ...data.channels.map((c) => `contribution[${c}]`),
    ...gc.map((k) => `geo_roi[${k}]`),
    ...gc.map((k) => `geo_contribution[${k}]`),
  ];
}

/**
 * Unconstrained geo draws -> constrained parameters plus national and per-geo ROI and contribution.
 * @param unconstrained row-major [nDraws * layout.dim]
 */
export function toGeoDrawTable(spec: GeoModelSpec, data: GeoModelData, layout: GeoParamLayout, unconstrained: Float64Array): DrawTable {
  const { dim } = layout;
  const { C, G } = data;
  const nDraws = unconstrained.length / dim;
  const names = geoDrawColumnNames(layout, data);
  const width = names.length;
  const values = new Float64Array(nDraws * width);
  const x = new Float64Array(dim);
  const level = layout.byName.level !== undefined;
  const o = dim + (level ? G : 0);
  const slices = data.geos.map((_, g) => geoSlice(data, g)); // once, not per draw
  for (let i = 0; i < nDraws; i++) {
    constrainGeo(layout, unconstrained.subarray(i * dim, (i + 1) * dim), x);
    // contributions do not read the intercept; with levels it is derived from them afterwards
    const p = splitGeoParams(layout, x);
    const d = deriveGeoChannels(spec, data, p, slices);
    if (level) {
      const off = geoMeanOffsets(spec, data, p, d.geoContribution);
      for (let g = 0; g < G; g++) p.intercept[g] -= off[g];
    }
    const row = i * width;
    values.set(x, row);
    if (level) values.set(p.intercept, row + dim);
    values.set(d.roi, row + o);
    values.set(d.contribution, row + o + C);
    values.set(d.geoRoi, row + o + 2 * C);
    values.set(d.geoContribution, row + o + 2 * C + G * C);
  }
  return { names, values, nDraws };
}
