import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from './model-data.ts';
import type { ParamLayout } from './layout.ts';
import { toParams, type ModelParams } from './constrain.ts';
import { mediaResponse } from './posterior.ts';

/** What one draw says about each paid channel, in original units. */
export interface ChannelDerived {
  /** contribution per week and channel, KPI units, row-major [N * C] */ perWeek: Float64Array;
  /** total contribution over the sample per channel, KPI units [C] */ contribution: Float64Array;
  /** contribution / total spend per channel [C] (0 where a channel has no spend) */ roi: Float64Array;
}

/**
 * Per-week and total contribution and ROI of every channel for one constrained draw:
 * contribution_c,t = beta_c * h_c,t * yScale; ROI_c = sum_t contribution_c,t / sum_t spend_c,t.
 */
export function deriveChannels(spec: ModelSpec, data: ModelData, p: ModelParams): ChannelDerived {
  const { N, C } = data;
  const H = mediaResponse(spec, data, p);
  const perWeek = new Float64Array(N * C);
  const contribution = new Float64Array(C);
  const roi = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let total = 0;
    for (let t = 0; t < N; t++) {
      const v = p.beta[c] * H[c * N + t] * data.yScale;
      perWeek[t * C + c] = v;
      total += v;
    }
    contribution[c] = total;
    roi[c] = data.spendTotal[c] > 0 ? total / data.spendTotal[c] : 0;
  }
  return { perWeek, contribution, roi };
}

/** deriveChannels for a constrained flat draw [dim] in layout order. */
export function deriveChannelsFromDraw(
  spec: ModelSpec,
  data: ModelData,
  layout: ParamLayout,
  x: ArrayLike<number>,
): ChannelDerived {
  return deriveChannels(spec, data, toParams(layout, x));
}
