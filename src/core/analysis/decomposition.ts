import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ModelParams } from '../model/constrain.ts';
import { applyAdstock } from '../transforms/adstock.ts';
import { applySaturation } from '../transforms/saturation.ts';

/** What a part of the fitted mean is: the baseline pieces, one control column, or a paid channel. */
export type PartKind = 'intercept' | 'trend' | 'seasonality' | 'control' | 'factor' | 'channel';

/** One additive part of the fitted mean. */
export interface PartInfo {
  /** `intercept`, `trend`, `seasonality`, a control column, `factor=level`, or the channel name */ name: string;
  kind: PartKind;
  /** index into data.controls (control, factor) or data.channels (channel); -1 otherwise */ index: number;
}

/**
 * The additive parts of the model's mean, in a fixed order: intercept, trend (when on),
 * seasonality (when on, all Fourier terms as one part), each control column (numeric controls are
 * standardised, so their part averages about 0 over the sample; each non-baseline factor level is
 * its own part, named `factor=level` by prepareModelData), then each channel.
 */
export function decompositionParts(spec: ModelSpec, data: ModelData): PartInfo[] {
  const parts: PartInfo[] = [{ name: 'intercept', kind: 'intercept', index: -1 }];
  if (spec.trend.kind !== 'none') parts.push({ name: 'trend', kind: 'trend', index: -1 });
  if (data.nF > 0) parts.push({ name: 'seasonality', kind: 'seasonality', index: -1 });
  // prepareModelData names dummies `factor=level` and numeric controls by their column
  data.controls.forEach((name, k) => parts.push({ name, kind: name.includes('=') ? 'factor' : 'control', index: k }));
  data.channels.forEach((name, c) => parts.push({ name, kind: 'channel', index: c }));
  return parts;
}

/** A draw's media pipeline per channel, column-major [C * N] (channel c at [c * N, (c + 1) * N)). */
export interface MediaSeries {
  /** adstocked spend / mean spend */ adstocked: Float64Array;
  /** saturated response in [0, 1), before beta */ saturated: Float64Array;
}

/** Adstock then saturation of every channel for one draw (the same steps as mediaResponse). */
export function mediaSeries(spec: ModelSpec, data: ModelData, p: ModelParams): MediaSeries {
  const { N, C, X } = data;
  const adstocked = new Float64Array(C * N);
  const saturated = new Float64Array(C * N);
  const u = new Float64Array(N);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < N; t++) u[t] = X[t * C + c];
    const a = applyAdstock(spec.adstock, u, p.alpha[c]);
    adstocked.set(a, c * N);
    saturated.set(applySaturation(spec.saturation, a, { K: p.K[c], S: p.S[c] }), c * N);
  }
  return { adstocked, saturated };
}

/**
 * Contribution of every part to the fitted mean, per week, in KPI units; the parts add up to
 * the model's mean (meanResponse * yScale) at every week.
 * @param parts decompositionParts(spec, data)
 * @param media mediaSeries of the same draw
 * @param out part-major [parts.length * N]: part i, week t at i * N + t
 */
export function decomposeDraw(
  data: ModelData,
  parts: readonly PartInfo[],
  p: ModelParams,
  media: MediaSeries,
  out = new Float64Array(parts.length * data.N),
): Float64Array {
  const { N, K, nF, yScale } = data;
  parts.forEach((part, i) => {
    const o = i * N;
    const fill = {
      intercept: () => out.fill(p.intercept * yScale, o, o + N),
      trend: () => {
        for (let t = 0; t < N; t++) out[o + t] = p.trend * data.t01[t] * yScale;
      },
      seasonality: () => {
        for (let t = 0; t < N; t++) {
          let s = 0;
          for (let j = 0; j < nF; j++) s += data.F[t * nF + j] * p.fourier[j];
          out[o + t] = s * yScale;
        }
      },
      control: () => {
        for (let t = 0; t < N; t++) out[o + t] = data.Z[t * K + part.index] * p.gamma[part.index] * yScale;
      },
      factor: () => fill.control(),
      channel: () => {
        const c = part.index;
        for (let t = 0; t < N; t++) out[o + t] = p.beta[c] * media.saturated[c * N + t] * yScale;
      },
    } satisfies Record<PartKind, () => void>;
    fill[part.kind]();
  });
  return out;
}
