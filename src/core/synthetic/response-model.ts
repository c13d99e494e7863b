import { Rng } from '../inference/rng.ts';
import type { ResponseModel } from '../optimizer/response-model.ts';

// Response models with known curves, for the optimizer's tests and bench:optimizer.

/** One synthetic channel: posterior draws of beta, K, S are lognormal around these; alpha normal (sd 0.03). Units as in ResponseModel. */
export interface SyntheticChannel {
  name: string;
  beta: number;
  alpha: number;
  K: number;
  S: number;
  /** mean weekly spend, currency */ scale: number;
  /** current weekly spend, currency */ weekly: number;
  /** log-scale sd of beta over draws; default 0.1 */ betaSd?: number;
  /** largest weekly spend observed; default 2x weekly */ maxWeekly?: number;
}

/**
 * A ResponseModel with known curves: D draws, flat flighting, the last L-1 weeks and the current
 * plan at each channel's `weekly` spend.
 * @param opts D draws (200), H horizon weeks (13), L adstock length (8), seed (3), yScale (1000)
 */
export function syntheticResponseModel(channels: SyntheticChannel[], opts: { D?: number; H?: number; L?: number; seed?: number; yScale?: number } = {}): ResponseModel {
  const D = opts.D ?? 200;
  const H = opts.H ?? 13;
  const L = opts.L ?? 8;
  const C = channels.length;
  const rng = new Rng(opts.seed ?? 3);
  const beta = new Float64Array(D * C);
  const alpha = new Float64Array(D * C);
  const K = new Float64Array(D * C);
  const S = new Float64Array(D * C);
  for (let d = 0; d < D; d++) {
    channels.forEach((ch, c) => {
      beta[d * C + c] = ch.beta * Math.exp((ch.betaSd ?? 0.1) * rng.normal());
      alpha[d * C + c] = Math.min(0.95, Math.max(0, ch.alpha + 0.03 * rng.normal()));
      K[d * C + c] = ch.K * Math.exp(0.05 * rng.normal());
      S[d * C + c] = ch.S * Math.exp(0.05 * rng.normal());
    });
  }
  const history = new Float64Array((L - 1) * C);
  for (let j = 0; j < L - 1; j++) channels.forEach((ch, c) => (history[j * C + c] = ch.weekly));
  return {
    channels: channels.map((c) => c.name), D, C, L, H, beta, alpha, K, S,
    spendScale: Float64Array.from(channels, (c) => c.scale),
    yScale: opts.yScale ?? 1000,
    history,
    flight: new Float64Array(H * C).fill(1 / H),
    flighting: 'flat',
    current: Float64Array.from(channels, (c) => c.weekly * H),
    maxWeekly: Float64Array.from(channels, (c) => c.maxWeekly ?? 2 * c.weekly),
  };
}
