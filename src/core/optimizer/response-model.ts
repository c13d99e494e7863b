import type { FitResult } from '../inference/fit-result.ts';
import type { ModelData } from '../model/model-data.ts';
import { Rng } from '../inference/rng.ts';

/** How a channel's horizon budget is spread over the horizon's weeks. */
export type Flighting = 'flat' | 'historical';

/**
 * Everything the optimizer needs from a fit, per posterior draw and channel, in the reference
 * model's parametrisation (peer/stan/mmm.stan): contribution_c,t = beta_c * yScale *
 * hill(adstock(spend_c / spendScale_c)_t; K_c, S_c), geometric adstock with L normalised weights.
 * Plain data and typed arrays only (it crosses to the optimizer worker as is).
 */
export interface ResponseModel {
  channels: string[];
  /** draws kept, >= 1 */ D: number;
  /** channels */ C: number;
  /** adstock kernel length (max lag + 1), >= 1 */ L: number;
  /** horizon, weeks >= 1 */ H: number;
  /** media coefficient, units of y / yScale, [D * C] row-major by draw */ beta: Float64Array;
  /** adstock retention in [0, 1), [D * C] */ alpha: Float64Array;
  /** Hill half-saturation > 0, units of mean spend, [D * C] */ K: Float64Array;
  /** Hill slope > 0, [D * C] */ S: Float64Array;
  /** mean weekly spend per channel over the fitted sample, currency > 0, [C] */ spendScale: Float64Array;
  /** mean of the KPI over the sample, KPI units > 0 */ yScale: number;
  /** spend of the last L-1 observed weeks, oldest first, currency, row-major [(L-1) * C] */ history: Float64Array;
  /** share of the horizon budget each week gets, row-major [H * C], each channel's column sums to 1 */ flight: Float64Array;
  /** flighting the shares were built with */ flighting: Flighting;
  /** the current plan: spend per channel over the horizon at the recent run rate, currency, [C] */ current: Float64Array;
  /** largest weekly spend ever observed per channel, currency, [C] */ maxWeekly: Float64Array;
  /** revenue per KPI unit (1 when the KPI is revenue); absent when unknown */ revenuePerKpi?: number;
  /** gross margin on revenue in (0, 1]; absent when unknown */ margin?: number;
}

/** Options of responseModelFromFit. */
export interface ResponseModelOptions {
  /** weeks after the last observed week, >= 1; default 13 */ horizon?: number;
  /** default 'flat' */ flighting?: Flighting;
  /** keep a seeded random subset of this many draws (default: all) */ draws?: number;
  /** seed of the subset; default 1 */ seed?: number;
  revenuePerKpi?: number;
  margin?: number;
}

/**
 * Builds the optimizer's ResponseModel from a fit's draws and the data it was fitted on.
 * The current plan is each channel's spend over the last H observed weeks (its recent run rate);
 * historical flighting takes each week's share from the same week one year (52 weeks) earlier.
 * @throws naming the missing column when the fit lacks a channel's beta/alpha/K/S draws
 */
export function responseModelFromFit(fit: Pick<FitResult, 'names' | 'tables'>, data: ModelData, opts: ResponseModelOptions = {}): ResponseModel {
  const { C, N, L } = data;
  const H = Math.floor(opts.horizon ?? 13);
  if (!(H >= 1 && H <= 520)) throw new Error(`Planning horizon must be 1-520 weeks, got ${opts.horizon}.`);
  const col = (name: string) => {
    const i = fit.names.indexOf(name);
    if (i < 0) throw new Error(`The fit has no draws of ${name}; refit with the current channel mapping.`);
    return i;
  };
  const idx = data.channels.map((ch) => ['beta', 'alpha', 'K', 'S'].map((p) => col(`${p}[${ch}]`)));
  const width = fit.names.length;
  const rows: Float64Array[] = [];
  for (const t of fit.tables) for (let i = 0; i < t.nDraws; i++) rows.push(t.values.subarray(i * width, (i + 1) * width));
  if (rows.length === 0) throw new Error('The fit has no draws.');
  const keep = selectDraws(rows.length, opts.draws, opts.seed ?? 1);
  const D = keep.length;
  const [beta, alpha, K, S] = [0, 1, 2, 3].map(() => new Float64Array(D * C));
  keep.forEach((r, d) => {
    for (let c = 0; c < C; c++) {
      beta[d * C + c] = rows[r][idx[c][0]];
      alpha[d * C + c] = rows[r][idx[c][1]];
      K[d * C + c] = rows[r][idx[c][2]];
      S[d * C + c] = rows[r][idx[c][3]];
    }
  });
  const spend = (t: number, c: number) => data.X[t * C + c] * data.spendMean[c];
  const history = new Float64Array((L - 1) * C);
  for (let j = 0; j < L - 1; j++) {
    const t = N - (L - 1) + j;
    for (let c = 0; c < C; c++) history[j * C + c] = t >= 0 ? spend(t, c) : 0;
  }
  const current = new Float64Array(C);
  const maxWeekly = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < N; t++) maxWeekly[c] = Math.max(maxWeekly[c], spend(t, c));
    // the recent run rate over min(H, N) weeks, scaled to H weeks
    const n = Math.min(H, N);
    let s = 0;
    for (let t = N - n; t < N; t++) s += spend(t, c);
    current[c] = (s / n) * H;
  }
  const flighting = opts.flighting ?? 'flat';
  const flight = flightShares(flighting, H, C, N, spend);
  return {
    channels: [...data.channels], D, C, L, H, beta, alpha, K, S,
    spendScale: Float64Array.from(data.spendMean), yScale: data.yScale,
    history, flight, flighting, current, maxWeekly,
    revenuePerKpi: opts.revenuePerKpi, margin: opts.margin,
  };
}

/**
 * Weekly shares of the horizon budget, [H * C]. 'historical': horizon week h takes the share of
 * week N + h - 52k (smallest k >= 1 inside the sample); flat where that is outside the data or
 * the channel spent nothing in those weeks.
 * @param spend (t, c) -> observed spend of week t in 0..N-1
 */
export function flightShares(kind: Flighting, H: number, C: number, N: number, spend: (t: number, c: number) => number): Float64Array {
  const f = new Float64Array(H * C).fill(1 / H);
  if (kind === 'flat') return f;
  for (let c = 0; c < C; c++) {
    const w = new Float64Array(H);
    let total = 0;
    let ok = true;
    for (let h = 0; h < H; h++) {
      let t = N + h - 52;
      while (t >= N) t -= 52;
      if (t < 0) {
        ok = false;
        break;
      }
      w[h] = spend(t, c);
      total += w[h];
    }
    if (!ok || !(total > 0)) continue;
    for (let h = 0; h < H; h++) f[h * C + c] = w[h] / total;
  }
  return f;
}

/** Indices of `n` of `total` draws, seeded, in ascending order (all when n is absent or >= total). */
export function selectDraws(total: number, n: number | undefined, seed: number): number[] {
  const all = Array.from({ length: total }, (_, i) => i);
  if (n === undefined || n >= total) return all;
  if (!(n >= 1)) throw new Error(`Number of draws must be >= 1, got ${n}.`);
  const rng = new Rng(seed);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.uniform() * (total - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, n).sort((a, b) => a - b);
}
