import type { ModelSpec } from '../spec/model-spec.ts';
import { isGeoSpec, type GeoModelSpec } from '../spec/geo-spec.ts';
import type { ModelData } from './model-data.ts';
import type { GeoModelData } from './geo-model-data.ts';
import { buildLayout } from './layout.ts';
import { buildGeoLayout, type GeoParamLayout } from './geo-layout.ts';
import type { InitBox } from '../inference/initial-point.ts';
import { drawColumnNames, toDrawTable, type DrawTable } from './draws.ts';
import { geoDrawColumnNames, toGeoDrawTable } from './geo-derived.ts';

/** The model families a fit can run (closed set). */
export type ModelKind = 'national' | 'geo';

/** A spec with the data prepared for it, tagged by family. */
export type AnyModel =
  | { kind: 'national'; spec: ModelSpec; data: ModelData }
  | { kind: 'geo'; spec: GeoModelSpec; data: GeoModelData };

/**
 * Tags a (spec, data) pair: a spec with a `geo` hierarchy is the geo model and needs
 * GeoModelData (prepareGeoModelData); any other spec is the national model.
 * @throws when the spec and the data belong to different families
 */
export function modelOf(spec: ModelSpec | GeoModelSpec, data: ModelData | GeoModelData): AnyModel {
  const geoData = (data as Partial<GeoModelData>).G !== undefined;
  if (isGeoSpec(spec)) {
    if (!geoData) throw new Error('The geo model needs geo panel data (prepareGeoModelData); got national data.');
    return { kind: 'geo', spec, data: data as GeoModelData };
  }
  if (geoData) throw new Error('Geo panel data need the geo model spec (with a `geo` section); got the national spec.');
  return { kind: 'national', spec, data: data as ModelData };
}

/** What the fit pipeline needs of each family besides its kernels. */
interface ModelFamily<M extends AnyModel> {
  /** unconstrained dimension and element names */ layout(m: M): { dim: number; names: string[] };
  /** unconstrained draws [n * dim] -> named constrained columns plus derived ROI / contributions */ drawTable(m: M, draws: Float64Array): DrawTable;
  /** the draw table's column names, in order (drawTable(...).names without drawing) */ columnNames(m: M): string[];
  /** the chains' uniform initialisation box on the unconstrained scale; undefined = Stan's (-2, 2) */ initBox(m: M): InitBox | undefined;
}

const FAMILIES = {
  national: {
    layout: (m) => buildLayout(m.spec, m.data),
    drawTable: (m, draws) => toDrawTable(m.spec, m.data, buildLayout(m.spec, m.data), draws),
    columnNames: (m) => drawColumnNames(buildLayout(m.spec, m.data), m.data.channels),
    // Stan's default
    initBox: () => undefined,
  },
  geo: {
    layout: (m) => buildGeoLayout(m.spec, m.data),
    drawTable: (m, draws) => toGeoDrawTable(m.spec, m.data, buildGeoLayout(m.spec, m.data), draws),
    columnNames: (m) => geoDrawColumnNames(buildGeoLayout(m.spec, m.data), m.data),
    initBox: (m) => geoInitBox(buildGeoLayout(m.spec, m.data)),
  },
} satisfies { [K in ModelKind]: ModelFamily<Extract<AnyModel, { kind: K }>> };

/** The initialisation box of any model's chains (unconstrained scale); undefined = Stan's (-2, 2). */
export function modelInitBox(m: AnyModel): InitBox | undefined {
  return (FAMILIES[m.kind] as ModelFamily<AnyModel>).initBox(m);
}

/**
 * The geo model's chains start in (-1, 1) per coordinate, and log beta_tau in (-3, -1) (tau
 * 0.05-0.37: near full pooling, the national model). Stan's (-2, 2) lets log beta_g,c =
 * beta_mu_c + beta_tau_c z_c,g start at up to 2 + 2 e^2 ~ 17 (betas of e^17 against y ~ 1): on the
 * Meridian geo demo 1 chain in 4 spent its whole warmup getting in (lp -3.6e10 at the start,
 * 400-1000 leapfrogs per iteration). (-1, 1) fixed that; the pooled start on tau then cut the
 * first 25 iterations from ~200 to ~40 leapfrogs each and the 4 warmups from 89.7k to 69.6k
 * leapfrogs (bench/README.md, 2026-11-30).
 */
export function geoInitBox(layout: GeoParamLayout): InitBox {
  const lo = new Float64Array(layout.dim).fill(-1);
  const hi = new Float64Array(layout.dim).fill(1);
  const tau = layout.byName.beta_tau;
  if (tau) {
    lo.fill(-3, tau.offset, tau.offset + tau.size);
    hi.fill(-1, tau.offset, tau.offset + tau.size);
  }
  return { lo, hi };
}

/** Layout (dim, element names) of any model. */
export function modelLayout(m: AnyModel): { dim: number; names: string[] } {
  return (FAMILIES[m.kind] as ModelFamily<AnyModel>).layout(m);
}

/**
 * Draw table of any model: constrained parameters, then national `roi[ch]`, `contribution[ch]`
 * (and for the geo model `geo_roi[geo,ch]`, `geo_contribution[geo,ch]`).
 * @param draws unconstrained, row-major [n * dim]
 */
export function modelDrawTable(m: AnyModel, draws: Float64Array): DrawTable {
  return (FAMILIES[m.kind] as ModelFamily<AnyModel>).drawTable(m, draws);
}

/** Column names of any model's draw table, in order (parameters, then derived ROI and contributions). */
export function modelColumnNames(m: AnyModel): string[] {
  return (FAMILIES[m.kind] as ModelFamily<AnyModel>).columnNames(m);
}
