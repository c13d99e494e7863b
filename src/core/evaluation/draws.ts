import type { DrawTable } from '../model/draws.ts';
import type { ParamLayout } from '../model/layout.ts';
import { toParams, type ModelParams } from '../model/constrain.ts';

/** The part of a FitResult the evaluation reads: column names and one draw table per chain. */
export interface PosteriorTables {
  /** column names of every table (layout.names first, then roi[..], contribution[..]) */ names: string[];
  /** per chain, all the same number of draws */ tables: DrawTable[];
}

/**
 * Posterior draws as model parameters, chains pooled in chain order, thinned evenly to at most
 * `maxDraws` (every k-th draw of the pooled sequence, k = ceil(total / maxDraws)).
 * @param fit names + per-chain tables (a FitResult satisfies this)
 * @param layout the layout the fit ran with; its names must be columns of the tables
 * @param maxDraws cap on the draws returned, >= 1 (default: all)
 * @returns one ModelParams per kept draw (constrained, units of y / mean y)
 * @throws when a layout parameter is missing from the tables (fit and layout disagree)
 */
export function posteriorParams(fit: PosteriorTables, layout: ParamLayout, maxDraws = Infinity): ModelParams[] {
  const width = fit.names.length;
  const cols = layout.names.map((n) => {
    const i = fit.names.indexOf(n);
    if (i < 0) throw new Error(`The fit has no column "${n}": it was run with another model layout.`);
    return i;
  });
  const total = fit.tables.reduce((s, t) => s + t.nDraws, 0);
  if (total === 0) throw new Error('The fit has no draws.');
  const step = Math.max(1, Math.ceil(total / Math.max(1, maxDraws)));
  const out: ModelParams[] = [];
  const x = new Float64Array(layout.dim);
  let k = 0;
  for (const t of fit.tables) {
    for (let i = 0; i < t.nDraws; i++, k++) {
      if (k % step !== 0) continue;
      for (let j = 0; j < cols.length; j++) x[j] = t.values[i * width + cols[j]];
      out.push(toParams(layout, x));
    }
  }
  return out;
}

/**
 * The chain of every draw posteriorParams keeps with the same `maxDraws` (same thinning), in the
 * same order: what relativeEff needs to see the autocorrelation within chains.
 * @returns [kept draws] 0-based chain index
 */
export function keptDrawChains(fit: PosteriorTables, maxDraws = Infinity): Int32Array {
  const total = fit.tables.reduce((s, t) => s + t.nDraws, 0);
  const step = Math.max(1, Math.ceil(total / Math.max(1, maxDraws)));
  const out: number[] = [];
  let k = 0;
  fit.tables.forEach((t, c) => {
    for (let i = 0; i < t.nDraws; i++, k++) if (k % step === 0) out.push(c);
  });
  return Int32Array.from(out);
}

/**
 * One named column of the fit, chains pooled in chain order.
 * @returns [total draws]
 * @throws when the column does not exist
 */
export function pooledColumn(fit: PosteriorTables, name: string): Float64Array {
  const width = fit.names.length;
  const col = fit.names.indexOf(name);
  if (col < 0) throw new Error(`The fit has no column "${name}".`);
  const total = fit.tables.reduce((s, t) => s + t.nDraws, 0);
  const out = new Float64Array(total);
  let k = 0;
  for (const t of fit.tables) for (let i = 0; i < t.nDraws; i++) out[k++] = t.values[i * width + col];
  return out;
}
