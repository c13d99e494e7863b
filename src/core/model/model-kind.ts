import type { ModelSpec } from '../spec/model-spec.ts';
import { isGeoSpec, type GeoModelSpec } from '../spec/geo-spec.ts';
import type { ModelData } from './model-data.ts';
import type { GeoModelData } from './geo-model-data.ts';
import { buildLayout } from './layout.ts';
import { buildGeoLayout } from './geo-layout.ts';
import { toDrawTable, type DrawTable } from './draws.ts';
import { toGeoDrawTable } from './geo-derived.ts';

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
  /** half-width of the chains' uniform initialisation box on the unconstrained scale */ initRadius: number;
}

const FAMILIES = {
  national: {
    layout: (m) => buildLayout(m.spec, m.data),
    drawTable: (m, draws) => toDrawTable(m.spec, m.data, buildLayout(m.spec, m.data), draws),
    // Stan's default
    initRadius: 2,
  },
  geo: {
    layout: (m) => buildGeoLayout(m.spec, m.data),
    drawTable: (m, draws) => toGeoDrawTable(m.spec, m.data, buildGeoLayout(m.spec, m.data), draws),
    // Stan's 2 lets log beta_g,c = beta_mu_c + beta_tau_c z_c,g start at up to 2 + e^2 * 2 ~ 17 (betas
    // of e^17 against y ~ 1): on the Meridian geo demo 1 chain in 4 spent its whole warmup getting
    // in (lp -3.6e10 at the start, 400-1000 leapfrogs per iteration); with 1 every chain is in the
    // typical set within ~60 iterations (bench/README.md, 2026-11-30)
    initRadius: 1,
  },
} satisfies { [K in ModelKind]: ModelFamily<Extract<AnyModel, { kind: K }>> };

/** Half-width of the initialisation box for any model's chains (unconstrained scale, > 0). */
export function modelInitRadius(m: AnyModel): number {
  return FAMILIES[m.kind].initRadius;
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
