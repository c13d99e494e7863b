import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ParamLayout } from '../model/layout.ts';
import { STAN_PARAMS, writeNationalStanProgram } from './stan-program.ts';
import { nationalStanData } from './stan-data.ts';

/** The models Carryover can write as Stan programs (the geo model joins as `geo` when its spec exists). */
export type StanModelKind = 'national';

/** One exportable model: its program, its data, and where its parameters sit in CmdStan's CSV. */
export interface StanModel {
  /** file stem of the program and of the compiled executable, e.g. `carryover_national` */ stem: string;
  /** one line for the README */ title: string;
  /** the program text for a spec and the prepared data's names and counts */ program(spec: ModelSpec, data: ModelData): string;
  /** the data file's object (CmdStan JSON) from the same ModelData the kernels see */ data(spec: ModelSpec, data: ModelData): object;
  /** CmdStan CSV column of each element of our layout, in layout order [dim], e.g. `Khalf.2` */ paramColumns(layout: ParamLayout): string[];
  /** CmdStan CSV columns of the generated ROI and total contribution per channel [C] */ derivedColumns(data: Pick<ModelData, 'C'>): { roi: string[]; contribution: string[] };
}

/** CmdStan's CSV names: a scalar is its name, a vector element `name.i` (1-based). */
function paramColumns(layout: ParamLayout): string[] {
  return layout.blocks.flatMap((b) => {
    const sp = STAN_PARAMS[b.name];
    return sp.size === null ? [sp.stan] : Array.from({ length: b.size }, (_, i) => `${sp.stan}.${i + 1}`);
  });
}

const NATIONAL: StanModel = {
  stem: 'carryover_national',
  title: 'national model (one KPI series, the reference model of peer/stan and its spec options)',
  program: (spec, data) => writeNationalStanProgram(spec, data),
  data: nationalStanData,
  paramColumns,
  derivedColumns: ({ C }) => ({
    roi: Array.from({ length: C }, (_, c) => `roi.${c + 1}`),
    contribution: Array.from({ length: C }, (_, c) => `contribution.${c + 1}`),
  }),
};

/** Every exportable model by kind. */
export const STAN_MODELS = { national: NATIONAL } satisfies Record<StanModelKind, StanModel>;

/** Which Stan model a spec is (the national model until the spec gains a geo grain). */
export function stanModelKind(_spec: ModelSpec): StanModelKind {
  return 'national';
}

/** The Stan model of a spec. */
export function stanModelFor(spec: ModelSpec): StanModel {
  return STAN_MODELS[stanModelKind(spec)];
}
