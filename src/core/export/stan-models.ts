import type { ModelSpec } from '../spec/model-spec.ts';
import { isGeoSpec, type GeoModelSpec } from '../spec/geo-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { buildLayout, type ParamLayout } from '../model/layout.ts';
import { buildGeoLayout, type GeoParamLayout } from '../model/geo-layout.ts';
import { modelOf, type AnyModel, type ModelKind } from '../model/model-kind.ts';
import { STAN_PARAMS, writeNationalStanProgram } from './stan-program.ts';
import { nationalStanData } from './stan-data.ts';
import { GEO_STAN_GROUPS, geoParamColumns, writeGeoStanProgram } from './stan-geo-program.ts';
import { geoStanData } from './stan-geo-data.ts';

/** The models Carryover can write as Stan programs: one per model family. */
export type StanModelKind = ModelKind;

/** One exportable model: its program, its data, and where its parameters sit in CmdStan's CSV. */
export interface StanModel<S, D, L extends { dim: number; names: string[] }> {
  /** file stem of the program and of the compiled executable, e.g. `carryover_national` */ stem: string;
  /** one line for the README */ title: string;
  /** the program text for a spec and the prepared data's names and counts */ program(spec: S, data: D): string;
  /** the data file's object (CmdStan JSON) from the same data the kernels see */ data(spec: S, data: D): object;
  /** our unconstrained layout for the spec and data (the program declares its parameters in this order) */ layout(spec: S, data: D): L;
  /** CmdStan CSV column of each element of our layout, in layout order [dim], e.g. `Khalf.2` */ paramColumns(layout: L, spec: S, data: D): string[];
  /** generated quantities named like a parameter group, our draw-table name and CmdStan CSV column (geo 'level': `intercept[geo]`, `intercept.g`) */ generatedColumns(layout: L, data: D): { name: string; column: string }[];
  /** CmdStan CSV columns of the generated national ROI and total contribution per channel [C] */ derivedColumns(data: { C: number }): { roi: string[]; contribution: string[] };
  /** Stan names of every parameter group the family can declare (CSV column stems) */ groups: readonly string[];
}

type Spec<K extends StanModelKind> = Extract<AnyModel, { kind: K }>['spec'];
type Data<K extends StanModelKind> = Extract<AnyModel, { kind: K }>['data'];
type Layout<K extends StanModelKind> = K extends 'geo' ? GeoParamLayout : ParamLayout;
/** The StanModel of a family, typed by its spec, data and layout. */
export type StanModelOf<K extends StanModelKind> = StanModel<Spec<K>, Data<K>, Layout<K>>;

/** CmdStan's CSV names: a scalar is its name, a vector element `name.i` (1-based). */
function paramColumns(layout: ParamLayout): string[] {
  return layout.blocks.flatMap((b) => {
    const sp = STAN_PARAMS[b.name];
    return sp.size === null ? [sp.stan] : Array.from({ length: b.size }, (_, i) => `${sp.stan}.${i + 1}`);
  });
}

const derivedColumns = ({ C }: { C: number }) => ({
  roi: Array.from({ length: C }, (_, c) => `roi.${c + 1}`),
  contribution: Array.from({ length: C }, (_, c) => `contribution.${c + 1}`),
});

const NATIONAL = {
  stem: 'carryover_national',
  title: 'national model (one KPI series, the reference model of peer/stan and its spec options)',
  program: (spec, data) => writeNationalStanProgram(spec, data),
  data: nationalStanData,
  layout: buildLayout,
  paramColumns,
  generatedColumns: () => [],
  derivedColumns,
  groups: Object.values(STAN_PARAMS).map((p) => p.stan),
} satisfies StanModelOf<'national'>;

const GEO = {
  stem: 'carryover_geo',
  title: 'geo model (KPI per geo, per-capita scaling, channel effects partially pooled across geos)',
  program: (spec, data) => writeGeoStanProgram(spec, data),
  data: geoStanData,
  layout: buildGeoLayout,
  paramColumns: geoParamColumns,
  generatedColumns: (layout, data) => (layout.byName.level ? data.geos.map((geo, g) => ({ name: `intercept[${geo}]`, column: `intercept.${g + 1}` })) : []),
  derivedColumns,
  groups: GEO_STAN_GROUPS,
} satisfies StanModelOf<'geo'>;

/** Every exportable model by kind. */
export const STAN_MODELS = { national: NATIONAL, geo: GEO } satisfies { [K in StanModelKind]: StanModelOf<K> };

/** Which Stan model a spec is: `geo` when it carries the geo hierarchy. */
export function stanModelKind(spec: ModelSpec | GeoModelSpec): StanModelKind {
  return isGeoSpec(spec) ? 'geo' : 'national';
}

/** A spec and its data resolved to everything the exporter and importer need, whatever the family. */
export interface ResolvedStanModel {
  kind: StanModelKind;
  stem: string;
  title: string;
  /** the model (spec + data) tagged by family */ model: AnyModel;
  /** unconstrained dimension and our element names [dim] */ dim: number;
  names: string[];
  /** CmdStan CSV column of each of `names` [dim] */ columns: string[];
  /** generated quantities named like a parameter group, expected beside `columns` (our name, CSV column) */ generated: { name: string; column: string }[];
  /** bijector of each element [dim] */ transforms: ParamLayout['blocks'][number]['transform'][];
  derived: { roi: string[]; contribution: string[] };
  groups: readonly string[];
  program(): string;
  data(): object;
}

function resolveWith<K extends StanModelKind>(kind: K, spec: Spec<K>, data: Data<K>, model: AnyModel): ResolvedStanModel {
  const sm = STAN_MODELS[kind] as unknown as StanModelOf<K>;
  const layout = sm.layout(spec, data);
  const blocks = layout.blocks as { size: number; transform: ResolvedStanModel['transforms'][number] }[];
  return {
    kind,
    stem: sm.stem,
    title: sm.title,
    model,
    dim: layout.dim,
    names: layout.names,
    columns: sm.paramColumns(layout, spec, data),
    generated: sm.generatedColumns(layout, data),
    transforms: blocks.flatMap((b) => Array.from({ length: b.size }, () => b.transform)),
    derived: sm.derivedColumns(data),
    groups: sm.groups,
    program: () => sm.program(spec, data),
    data: () => sm.data(spec, data),
  };
}

/**
 * The Stan model of a spec and its prepared data (national: ModelData, geo: GeoModelData).
 * @throws when the spec and the data belong to different families
 */
export function resolveStanModel(spec: ModelSpec | GeoModelSpec, data: ModelData | GeoModelData): ResolvedStanModel {
  const m = modelOf(spec, data);
  return m.kind === 'geo' ? resolveWith('geo', m.spec, m.data, m) : resolveWith('national', m.spec, m.data, m);
}
