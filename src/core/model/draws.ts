import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from './model-data.ts';
import type { ParamLayout } from './layout.ts';
import { constrain } from './constrain.ts';
import { deriveChannelsFromDraw } from './derived.ts';

/** Constrained parameters and derived quantities of many draws, as named columns. */
export interface DrawTable {
  /** column names: layout.names, then `roi[channel]`, then `contribution[channel]` */ names: string[];
  /** row-major [nDraws * names.length] */ values: Float64Array;
  nDraws: number;
}

/** Column names of a DrawTable for a layout and its channels. */
export function drawColumnNames(layout: ParamLayout, channels: readonly string[]): string[] {
  return [...layout.names, ...channels.map((c) => `roi[${c}]`), ...channels.map((c) => `contribution[${c}]`)];
}

/**
 * Turns unconstrained draws into constrained parameters plus ROI and total contribution per
 * channel (original units), the quantities a user reads.
 * @param unconstrained row-major [nDraws * layout.dim]
 */
export function toDrawTable(spec: ModelSpec, data: ModelData, layout: ParamLayout, unconstrained: Float64Array): DrawTable {
  const { dim } = layout;
  const C = data.C;
  const nDraws = unconstrained.length / dim;
  const names = drawColumnNames(layout, data.channels);
  const width = names.length;
  const values = new Float64Array(nDraws * width);
  const x = new Float64Array(dim);
  for (let i = 0; i < nDraws; i++) {
    constrain(layout, unconstrained.subarray(i * dim, (i + 1) * dim), x);
    const d = deriveChannelsFromDraw(spec, data, layout, x);
    const row = i * width;
    values.set(x, row);
    values.set(d.roi, row + dim);
    values.set(d.contribution, row + dim + C);
  }
  return { names, values, nDraws };
}
