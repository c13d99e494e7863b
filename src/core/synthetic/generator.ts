import type { Dataset } from '../model/dataset.ts';
import type { ModelParams } from '../model/constrain.ts';
import { prepareModelData } from '../model/model-data.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../spec/model-spec.ts';
import { geometricAdstock } from '../transforms/adstock.ts';
import { hill } from '../transforms/saturation.ts';
import type { Rng } from '../inference/rng.ts';
import { SPEND_PATTERNS, type SpendPattern } from './spend.ts';

/** Options of the synthetic generator; every field has a default. */
export interface SyntheticOptions {
  /** weeks N (default 156, three years) */ weeks?: number;
  /** first week, ISO date (default 2021-01-04, a Monday) */ start?: string;
  /** KPI level in original units: y = kpiScale * (model mean + noise) (default 1e6) */ kpiScale?: number;
  /** residual sd before scaling to y / mean y (default 0.04) */ sigma?: number;
  /** model the data come from (default the reference model); its adstock lags and seasonality are used */ spec?: ModelSpec;
  /** paid channels and their true media parameters (default the six of DEFAULT_CHANNELS) */ channels?: readonly SyntheticChannel[];
}

/** The parameters that generated a synthetic dataset and what they imply. */
export interface SyntheticTruth {
  /** true values in the model's own parametrisation (units of y / mean y of the generated data) */ params: ModelParams;
  /** true ROI per channel: contribution / total spend [C] */ roi: Float64Array;
  /** true total contribution per channel over the sample, KPI units [C] */ contribution: Float64Array;
  /** channel names, in dataset order [C] */ channels: string[];
  /** the spec the data were generated from */ spec: ModelSpec;
}

/** One channel of the generator: a spend pattern and its media parameters (before scaling to y / mean y). */
export interface SyntheticChannel {
  name: string;
  pattern: SpendPattern;
  /** typical weekly spend while on, currency */ level: number;
  beta: number;
  alpha: number;
  K: number;
  S: number;
}

/** The default six channels, one per spend pattern, with parameters inside the reference priors' bulk. */
export const DEFAULT_CHANNELS: readonly SyntheticChannel[] = [
  { name: 'tv', pattern: 'alwaysOn', level: 50_000, beta: 0.22, alpha: 0.6, K: 1.0, S: 1.6 },
  { name: 'display', pattern: 'flighted', level: 30_000, beta: 0.1, alpha: 0.45, K: 0.8, S: 1.4 },
  { name: 'ooh', pattern: 'bursty', level: 80_000, beta: 0.09, alpha: 0.7, K: 1.3, S: 1.1 },
  { name: 'social', pattern: 'trending', level: 25_000, beta: 0.14, alpha: 0.35, K: 1.1, S: 2.0 },
  { name: 'search', pattern: 'seasonal', level: 20_000, beta: 0.16, alpha: 0.2, K: 0.9, S: 1.3 },
  { name: 'print', pattern: 'rare', level: 40_000, beta: 0.05, alpha: 0.3, K: 1.0, S: 1.2 },
];
const INTERCEPT = 0.55;
const TREND = 0.12;
const FOURIER = [0.06, 0.04, -0.025, 0.015];
const GAMMA_PRICE = -0.04; // numeric control `price_index`
const GAMMA_EVENT = { holiday: 0.09, promo: 0.05 }; // factor `event`, baseline `none`

/**
 * Weekly data with known truth, generated from the reference model itself (normalised
 * geometric adstock, Hill, linear trend, Fourier seasonality, a numeric and a categorical
 * control, normal noise), so a fit of that model can recover the truth. By default six channels with
 * distinct spend patterns: always-on, flighted, bursty, trending, seasonal, rare.
 * Same rng seed and options => identical dataset.
 * @returns dataset in original units and the truth in the model's parametrisation
 */
export function generateSynthetic(rng: Rng, options: SyntheticOptions = {}): { dataset: Dataset; truth: SyntheticTruth } {
  const N = options.weeks ?? 156;
  const spec = options.spec ?? DEFAULT_MODEL_SPEC;
  const kpiScale = options.kpiScale ?? 1e6;
  const sigma = options.sigma ?? 0.04;
  if (N < 20) throw new Error(`Synthetic data need at least 20 weeks, got ${N}.`);

  const dates = weeklyDates(options.start ?? '2021-01-04', N);
  const truths = options.channels ?? DEFAULT_CHANNELS;
  if (truths.length === 0) throw new Error('Synthetic data need at least one channel.');
  const channels = truths.map((ch) => ({ name: ch.name, spend: SPEND_PATTERNS[ch.pattern](rng, N, ch.level) }));
  const price = new Float64Array(N);
  let level = 100;
  for (let t = 0; t < N; t++) {
    level = 100 + 0.8 * (level - 100) + 1.5 * rng.normal();
    price[t] = level;
  }
  const event = Array.from({ length: N }, (_, t) =>
    t % 52 === 47 || t % 52 === 50 ? 'holiday' : rng.uniform() < 0.08 ? 'promo' : 'none',
  );
  const dataset: Dataset = {
    dates,
    target: { name: 'revenue', values: new Float64Array(N).fill(1) },
    channels,
    controls: [{ name: 'price_index', values: price }],
    factors: [{ name: 'event', levels: event, baseline: 'none' }],
  };
  // the model's own regressors (standardised control, dummies, trend, Fourier) for these inputs
  const md = prepareModelData(dataset, spec);
  const gammaByName: Record<string, number> = {
    price_index: GAMMA_PRICE,
    'event=holiday': GAMMA_EVENT.holiday,
    'event=promo': GAMMA_EVENT.promo,
  };
  const gamma = Float64Array.from(md.controls, (n) => gammaByName[n] ?? 0);
  const fourier = Float64Array.from({ length: md.nF }, (_, j) => FOURIER[j] ?? 0);
  const trend = spec.trend.kind === 'none' ? 0 : TREND;
  const L = spec.adstock.lags;

  // mean in units of the generating scale, and each channel's contribution in KPI units
  const C = truths.length;
  const mu = new Float64Array(N);
  const contribution = new Float64Array(C);
  const roi = new Float64Array(C);
  for (let t = 0; t < N; t++) {
    let m = INTERCEPT + trend * md.t01[t];
    for (let j = 0; j < md.nF; j++) m += fourier[j] * md.F[t * md.nF + j];
    for (let k = 0; k < md.K; k++) m += gamma[k] * md.Z[t * md.K + k];
    mu[t] = m;
  }
  truths.forEach((ch, c) => {
    const spend = channels[c].spend;
    const meanSpend = spend.reduce((s, v) => s + v, 0) / N;
    const a = geometricAdstock(Float64Array.from(spend, (v) => v / meanSpend), ch.alpha, L);
    let total = 0;
    for (let t = 0; t < N; t++) {
      const v = ch.beta * hill(a[t], ch.K, ch.S);
      mu[t] += v;
      total += v * kpiScale;
    }
    contribution[c] = total;
    roi[c] = total / (meanSpend * N);
  });
  const y = Float64Array.from(mu, (m) => m + sigma * rng.normal());
  // the model divides y by its mean: linear coefficients are truth / mean(y), shapes unchanged
  const ybar = y.reduce((s, v) => s + v, 0) / N;
  dataset.target.values = Float64Array.from(y, (v) => v * kpiScale);
  const scale = (v: Float64Array) => Float64Array.from(v, (x) => x / ybar);
  const params: ModelParams = {
    intercept: INTERCEPT / ybar,
    trend: trend / ybar,
    fourier: scale(fourier),
    beta: Float64Array.from(truths, (ch) => ch.beta / ybar),
    alpha: Float64Array.from(truths, (ch) => ch.alpha),
    K: Float64Array.from(truths, (ch) => ch.K),
    S: Float64Array.from(truths, (ch) => ch.S),
    gamma: scale(gamma),
    sigma: sigma / ybar,
  };
  return { dataset, truth: { params, roi, contribution, channels: truths.map((c) => c.name), spec } };
}

/** N weekly ISO dates from `start` (UTC, 7 days apart). */
function weeklyDates(start: string, n: number): string[] {
  const t0 = Date.parse(`${start}T00:00:00Z`);
  if (Number.isNaN(t0)) throw new Error(`Start date "${start}" is not an ISO date.`);
  return Array.from({ length: n }, (_, t) => new Date(t0 + t * 7 * 86_400_000).toISOString().slice(0, 10));
}
