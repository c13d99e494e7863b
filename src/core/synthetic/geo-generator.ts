import type { GeoDataset } from '../model/geo-dataset.ts';
import { prepareGeoModelData } from '../model/geo-model-data.ts';
import { buildGeoLayout } from '../model/geo-layout.ts';
import { geoBeta, type GeoParams } from '../model/geo-posterior.ts';
import { deriveGeoChannels } from '../model/geo-derived.ts';
import { DEFAULT_GEO_MODEL_SPEC, type GeoModelSpec } from '../spec/geo-spec.ts';
import { geometricAdstock } from '../transforms/adstock.ts';
import { hill } from '../transforms/saturation.ts';
import type { Rng } from '../inference/rng.ts';
import { SPEND_PATTERNS, type SpendPattern } from './spend.ts';

/** Options of the geo panel generator; every field has a default. */
export interface SyntheticGeoOptions {
  /** geos G (default 8) */ geos?: number;
  /** weeks N (default 104) */ weeks?: number;
  /** first week, ISO date (default 2021-01-04) */ start?: string;
  /** residual sd of per-capita KPI before scaling (default 0.05) */ sigma?: number;
  /** sd across geos of log beta per channel (default 0.3) */ tau?: number;
  /** model the data come from (default DEFAULT_GEO_MODEL_SPEC; its noise choice decides shared or per-geo sd) */ spec?: GeoModelSpec;
}

/** Truth of a synthetic geo panel, in the geo model's parametrisation of the generated data. */
export interface SyntheticGeoTruth {
  params: GeoParams;
  /** beta per geo and channel, geo-major [G * C] */ beta: Float64Array;
  /** per geo ROI [G * C] and contribution (KPI units) [G * C], geo-major */ geoRoi: Float64Array;
  geoContribution: Float64Array;
  /** national ROI [C] and contribution [C] (sums over geos) */ roi: Float64Array;
  contribution: Float64Array;
  geos: string[];
  channels: string[];
  spec: GeoModelSpec;
}

interface GeoChannel {
  name: string;
  pattern: SpendPattern;
  /** per-capita weekly spend while on, currency per person */ level: number;
  beta: number;
  alpha: number;
  K: number;
  S: number;
}
// Four of the national generator's channels (the patterns that stay identifiable per geo).
const CHANNELS: readonly GeoChannel[] = [
  { name: 'tv', pattern: 'alwaysOn', level: 0.1, beta: 0.22, alpha: 0.6, K: 1.0, S: 1.6 },
  { name: 'display', pattern: 'flighted', level: 0.06, beta: 0.12, alpha: 0.45, K: 0.8, S: 1.4 },
  { name: 'social', pattern: 'trending', level: 0.05, beta: 0.14, alpha: 0.35, K: 1.1, S: 2.0 },
  { name: 'search', pattern: 'seasonal', level: 0.04, beta: 0.16, alpha: 0.2, K: 0.9, S: 1.3 },
];
const INTERCEPT = 0.55;
const TREND = 0.1;
const FOURIER = [0.06, 0.04, -0.025, 0.015];
const GAMMA_PRICE = -0.04;

/**
 * A geo panel with known truth, drawn from the geo model itself: populations U(1e5, 1e6), per-capita
 * spend per geo (a channel's pattern times a geo level ~ LogNormal(0, 0.3)), geo intercepts
 * 0.55 (1 + 0.15 N(0,1)), log beta_g,c = log beta_c + tau z_g,c, shared adstock / Hill / trend /
 * seasonality, a per-geo price control with per-geo gamma, normal noise (per geo sd 0.05 x
 * U(0.7, 1.3) when the spec says perGeo). KPI = per-capita KPI x population x 1000.
 * Same rng seed and options => identical panel. Independent of generateSynthetic's outputs.
 */
export function generateSyntheticGeo(rng: Rng, options: SyntheticGeoOptions = {}): { dataset: GeoDataset; truth: SyntheticGeoTruth } {
  const G = options.geos ?? 8;
  const N = options.weeks ?? 104;
  const spec = options.spec ?? DEFAULT_GEO_MODEL_SPEC;
  const sigma0 = options.sigma ?? 0.05;
  const tau = options.tau ?? 0.3;
  if (N < 20) throw new Error(`Synthetic data need at least 20 weeks, got ${N}.`);
  if (G < 1) throw new Error(`Synthetic geo panels need at least 1 geo, got ${G}.`);
  const C = CHANNELS.length;
  const geos = Array.from({ length: G }, (_, g) => `geo${String(g).padStart(2, '0')}`);
  const population = Float64Array.from({ length: G }, () => Math.round(rng.uniformIn(1e5, 1e6)));
  const t0 = Date.parse(`${options.start ?? '2021-01-04'}T00:00:00Z`);
  const dates = Array.from({ length: N }, (_, t) => new Date(t0 + t * 7 * 86_400_000).toISOString().slice(0, 10));

  const spend = CHANNELS.map(() => new Float64Array(G * N));
  const price = new Float64Array(G * N);
  for (let g = 0; g < G; g++) {
    CHANNELS.forEach((ch, c) => {
      const s = SPEND_PATTERNS[ch.pattern](rng, N, ch.level * Math.exp(0.3 * rng.normal()));
      for (let t = 0; t < N; t++) spend[c][g * N + t] = s[t] * population[g];
    });
    let level = 100;
    for (let t = 0; t < N; t++) {
      level = 100 + 0.8 * (level - 100) + 1.5 * rng.normal();
      price[g * N + t] = level;
    }
  }
  const intercept = Float64Array.from({ length: G }, () => INTERCEPT * (1 + 0.15 * rng.normal()));
  const betaZ = Float64Array.from({ length: C * G }, () => rng.normal());
  const gammaG = Float64Array.from({ length: G }, () => GAMMA_PRICE * (1 + 0.5 * rng.normal()));
  const perGeo = spec.geo.noise === 'perGeo';
  const sigmaG = Float64Array.from({ length: G }, () => (perGeo ? sigma0 * rng.uniformIn(0.7, 1.3) : sigma0));

  const dataset: GeoDataset = {
    dates, geos, population,
    target: { name: 'sales', values: new Float64Array(G * N).fill(1) },
    channels: CHANNELS.map((ch, c) => ({ name: ch.name, spend: spend[c] })),
    controls: [{ name: 'price_index', values: price }],
    factors: [],
  };
  const md = prepareGeoModelData(dataset, spec);
  const trend = spec.trend.kind === 'none' ? 0 : TREND;
  const fourier = Float64Array.from({ length: md.nF }, (_, j) => FOURIER[j] ?? 0);
  const yPc = new Float64Array(G * N);
  for (let g = 0; g < G; g++) {
    const xs = new Float64Array(N);
    const m = new Float64Array(N);
    for (let t = 0; t < N; t++) {
      let v = intercept[g] + trend * md.t01[t] + gammaG[g] * md.Z[g * N + t];
      for (let j = 0; j < md.nF; j++) v += fourier[j] * md.F[t * md.nF + j];
      m[t] = v;
    }
    CHANNELS.forEach((ch, c) => {
      for (let t = 0; t < N; t++) xs[t] = md.X[(g * N + t) * C + c];
      const a = geometricAdstock(xs, ch.alpha, spec.adstock.lags);
      const b = ch.beta * Math.exp(tau * betaZ[c * G + g]);
      for (let t = 0; t < N; t++) m[t] += b * hill(a[t], ch.K, ch.S);
    });
    for (let t = 0; t < N; t++) yPc[g * N + t] = m[t] + sigmaG[g] * rng.normal();
  }
  // the model divides per-capita y by its mean: linear coefficients are truth / ybar, log beta shifts by -log ybar
  const ybar = yPc.reduce((s, v) => s + v, 0) / (G * N);
  dataset.target.values = Float64Array.from(yPc, (v, i) => v * population[Math.floor(i / N)] * 1000);
  const scale = (v: Float64Array) => Float64Array.from(v, (x) => x / ybar);
  const params: GeoParams = {
    intercept: scale(intercept),
    trend: trend / ybar,
    fourier: scale(fourier),
    betaMu: Float64Array.from(CHANNELS, (ch) => Math.log(ch.beta / ybar)),
    betaTau: new Float64Array(C).fill(tau),
    betaZ: spec.geo.parametrization === 'centred'
      ? Float64Array.from(betaZ, (z, i) => Math.log(CHANNELS[Math.floor(i / G)].beta / ybar) + tau * z)
      : betaZ,
    centred: spec.geo.parametrization === 'centred',
    alpha: Float64Array.from(CHANNELS, (ch) => ch.alpha),
    K: Float64Array.from(CHANNELS, (ch) => ch.K),
    S: Float64Array.from(CHANNELS, (ch) => ch.S),
    gamma: scale(gammaG),
    sigma: scale(perGeo ? sigmaG : sigmaG.slice(0, 1)),
  };
  const data = prepareGeoModelData(dataset, spec);
  buildGeoLayout(spec, data); // the truth has the layout's shapes by construction; this validates the spec
  const d = deriveGeoChannels(spec, data, params);
  return {
    dataset,
    truth: {
      params, beta: geoBeta(params, G), geoRoi: d.geoRoi, geoContribution: d.geoContribution, roi: d.roi,
      contribution: d.contribution, geos, channels: CHANNELS.map((c) => c.name), spec,
    },
  };
}
