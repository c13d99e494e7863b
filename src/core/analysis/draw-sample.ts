import type { DrawTable } from '../model/draws.ts';
import type { ParamLayout } from '../model/layout.ts';
import { Rng } from '../inference/rng.ts';

/** How draws are kept when a fit has more than the analysis wants. */
export type ThinKind = 'regular' | 'seeded';

/** Which draws of a fit the analysis uses. */
export interface DrawSelection {
  /** keep at most this many draws over all chains (>= 1; default 1000) */ maxDraws?: number;
  /**
   * `regular`: every k-th pooled draw at evenly spaced positions (deterministic);
   * `seeded`: a uniform random subset without replacement from `seed`, kept in pooled order.
   * Default `regular`.
   */
  thin?: ThinKind;
  /** seed of `seeded` thinning (default 1) */ seed?: number;
}

/** Constrained parameter draws picked from a fit, in layout order. */
export interface SelectedDraws {
  /** draws kept */ n: number;
  /** draws in the fit, all chains */ total: number;
  /** constrained parameters, row-major [n * layout.dim] */ x: Float64Array;
  /** chain index of each kept draw [n] */ chain: Int32Array;
}

/** Default cap on draws an analysis uses: enough for stable 5%/95% quantiles, cheap to ship to a screen. */
export const DEFAULT_MAX_DRAWS = 1000;

/**
 * Pooled positions (0..total-1) of the draws to keep, ascending.
 * @returns [min(total, maxDraws)]
 */
export function thinIndices(total: number, options: DrawSelection = {}): Int32Array {
  const maxDraws = options.maxDraws ?? DEFAULT_MAX_DRAWS;
  if (!(Number.isInteger(maxDraws) && maxDraws >= 1)) throw new Error(`maxDraws must be a whole number >= 1, got ${maxDraws}.`);
  const n = Math.min(total, maxDraws);
  if (n === total) return Int32Array.from({ length: total }, (_, i) => i);
  const kind: ThinKind = options.thin ?? 'regular';
  const pickers = {
    regular: () => Int32Array.from({ length: n }, (_, i) => Math.floor((i * total) / n)),
    seeded: () => {
      // partial Fisher-Yates: the first n slots become a uniform subset
      const rng = new Rng(options.seed ?? 1);
      const idx = Int32Array.from({ length: total }, (_, i) => i);
      for (let i = 0; i < n; i++) {
        const j = i + Math.floor(rng.uniform() * (total - i));
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
      }
      return idx.slice(0, n).sort();
    },
  } satisfies Record<ThinKind, () => Int32Array>;
  return pickers[kind]();
}

/**
 * Picks draws of the model's parameters out of a fit's per-chain tables (chain after chain) by
 * column name, so it does not matter which derived columns the tables carry.
 * @param names column names of every table (FitResult.names)
 * @param tables per chain; each values row-major [nDraws * names.length]
 * @throws naming the first parameter of the layout that the tables lack
 */
export function selectDraws(
  layout: ParamLayout,
  names: readonly string[],
  tables: readonly DrawTable[],
  options: DrawSelection = {},
): SelectedDraws {
  if (tables.length === 0) throw new Error('The fit has no chains to analyse.');
  const cols = layout.names.map((n) => {
    const j = names.indexOf(n);
    if (j < 0) throw new Error(`The fit's draws have no column "${n}": it was fitted with another model spec or data; refit.`);
    return j;
  });
  const width = names.length;
  const starts: number[] = [];
  let total = 0;
  for (const t of tables) {
    if (t.values.length !== t.nDraws * width) throw new Error(`A chain's table holds ${t.values.length} values, not ${t.nDraws} rows of ${width}.`);
    starts.push(total);
    total += t.nDraws;
  }
  if (total === 0) throw new Error('The fit has no draws to analyse.');
  const keep = thinIndices(total, options);
  const dim = layout.dim;
  const x = new Float64Array(keep.length * dim);
  const chain = new Int32Array(keep.length);
  let c = 0;
  keep.forEach((g, i) => {
    while (g >= starts[c] + tables[c].nDraws) c++;
    const row = (g - starts[c]) * width;
    const v = tables[c].values;
    for (let k = 0; k < dim; k++) x[i * dim + k] = v[row + cols[k]];
    chain[i] = c;
  });
  return { n: keep.length, total, x, chain };
}
