import type { ModelSpec } from '../spec/model-spec.ts';
import { isGeoSpec, type GeoModelSpec } from '../spec/geo-spec.ts';
import type { ModelData } from './model-data.ts';
import type { GeoModelData } from './geo-model-data.ts';
import { buildLayout } from './layout.ts';
import { buildGeoLayout } from './geo-layout.ts';
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
}

const FAMILIES = {
  national: {
    layout: (m) => buildLayout(m.spec, m.data),
    drawTable: (m, draws) => toDrawTable(m.spec, m.data, buildLayout(m.spec, m.data), draws),
    columnNames: (m) => drawColumnNames(buildLayout(m.spec, m.data), m.data.channels),
  },
  geo: {
    layout: (m) => buildGeoLayout(m.spec, m.data),
    drawTable: (m, draws) => toGeoDrawTable(m.spec, m.data, buildGeoLayout(m.spec, m.data), draws),
    columnNames: (m) => geoDrawColumnNames(buildGeoLayout(m.spec, m.data), m.data),
  },
} satisfies { [K in ModelKind]: ModelFamily<Extract<AnyModel, { kind: K }>> };

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
