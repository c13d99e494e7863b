import type { GeoDataset } from './geo-dataset.ts';
import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from './model-data.ts';
import { trendRegressor } from '../transforms/trend.ts';
import { seasonalFeatures } from '../transforms/seasonality.ts';

/**
 * Numeric inputs of the geo density (Meridian-style per-capita scaling). With P_g the population:
 *   y_g,t  = (kpi_g,t / P_g) / yScale,            yScale = mean over g, t of kpi_g,t / P_g
 *   u_g,c,t = (spend_g,c,t / P_g) / spendMean_c,  spendMean_c = mean over g, t of spend_g,c,t / P_g
 * so one K_c means the same per-capita spend level in every geo. Numeric controls are standardised
 * over all geo-weeks (sample sd), factors become 0/1 dummies of each non-baseline level (sorted).
 * With one geo of population 1 this is exactly prepareModelData's national data.
 * Matrices are geo-major, row-major: X[(g * N + t) * C + c], Z[(g * N + t) * K + k], y[g * N + t].
 */
export interface GeoModelData {
  /** weeks */ N: number;
  /** geos */ G: number;
  /** channels */ C: number;
  /** control columns (numeric + dummies) */ K: number;
  /** adstock kernel length */ L: number;
  /** Fourier columns */ nF: number;
  geos: string[];
  channels: string[];
  controls: string[];
  /** population per geo [G] */ population: Float64Array;
  /** per-capita spend / spendMean, [G * N * C], >= 0 */ X: Float64Array;
  /** controls [G * N * K] */ Z: Float64Array;
  /** per-capita KPI / yScale [G * N] */ y: Float64Array;
  /** mean per-capita KPI, KPI units per person */ yScale: number;
  /** total spend per geo and channel, currency, [G * C] */ spendTotal: Float64Array;
  /** mean per-capita spend per channel, currency per person, [C] */ spendMean: Float64Array;
  /** (t-1)/(N-1) [N]; zeros when the trend is off */ t01: Float64Array;
  /** Fourier features [N * nF] */ F: Float64Array;
}

/** Builds GeoModelData from a GeoDataset. Throws naming the column or geo on unusable input. */
export function prepareGeoModelData(ds: GeoDataset, spec: ModelSpec): GeoModelData {
  const N = ds.dates.length;
  const G = ds.geos.length;
  if (N < 2) throw new Error(`Need at least 2 weeks of data, got ${N}.`);
  if (G < 1) throw new Error('Need at least one geo.');
  if (ds.population.length !== G) throw new Error(`Population has ${ds.population.length} values for ${G} geos.`);
  const C = ds.channels.length;
  if (C < 1) throw new Error('Need at least one paid channel.');
  const GN = G * N;
  const perCap = (v: Float64Array) => Float64Array.from(v, (x, i) => x / ds.population[Math.floor(i / N)]);
  const yPc = perCap(ds.target.values);
  const yScale = mean(yPc);
  if (!(yScale > 0)) throw new Error(`Target "${ds.target.name}" must have a positive mean (got ${yScale}).`);
  const y = Float64Array.from(yPc, (v) => v / yScale);

  const X = new Float64Array(GN * C);
  const spendTotal = new Float64Array(G * C);
  const spendMean = new Float64Array(C);
  ds.channels.forEach((ch, c) => {
    const pc = perCap(ch.spend);
    const m = mean(pc);
    if (!(m > 0)) throw new Error(`Channel "${ch.name}" has no spend (mean ${m}); drop it from the mapping.`);
    spendMean[c] = m;
    for (let i = 0; i < GN; i++) {
      X[i * C + c] = pc[i] / m;
      spendTotal[Math.floor(i / N) * C + c] += ch.spend[i];
    }
  });

  const cols: { name: string; values: Float64Array }[] = [];
  for (const ctl of ds.controls) {
    const m = mean(ctl.values);
    const sd = Math.sqrt(ctl.values.reduce((s, v) => s + (v - m) ** 2, 0) / (GN - 1));
    if (!(sd > 0)) throw new Error(`Control "${ctl.name}" is constant; drop it from the mapping.`);
    cols.push({ name: ctl.name, values: Float64Array.from(ctl.values, (v) => (v - m) / sd) });
  }
  for (const f of ds.factors) {
    const levels = [...new Set(f.levels)].filter((l) => l !== f.baseline).sort();
    for (const lvl of levels) cols.push({ name: `${f.name}=${lvl}`, values: Float64Array.from(f.levels, (v) => (v === lvl ? 1 : 0)) });
  }
  const K = cols.length;
  const Z = new Float64Array(GN * K);
  cols.forEach((col, k) => col.values.forEach((v, i) => (Z[i * K + k] = v)));
  const t01 = trendRegressor(spec.trend, N);
  const { nF, F } = seasonalFeatures(spec.seasonality, N);
  return {
    N, G, C, K, L: spec.adstock.lags, nF,
    geos: [...ds.geos],
    channels: ds.channels.map((c) => c.name),
    controls: cols.map((c) => c.name),
    population: Float64Array.from(ds.population),
    X, Z, y, yScale, spendTotal, spendMean, t01, F,
  };
}

/**
 * One geo's data as national ModelData (its rows of X, Z, y; yScale and spend in that geo's
 * original units: yScale * P_g converts y back to KPI), so the national transforms, reference
 * density and derived quantities apply per geo unchanged.
 */
export function geoSlice(d: GeoModelData, g: number): ModelData {
  const { N, C, K } = d;
  const P = d.population[g];
  return {
    N, C, K, L: d.L, nF: d.nF,
    channels: d.channels,
    controls: d.controls,
    X: d.X.slice(g * N * C, (g + 1) * N * C),
    Z: d.Z.slice(g * N * K, (g + 1) * N * K),
    y: d.y.slice(g * N, (g + 1) * N),
    yScale: d.yScale * P,
    spendTotal: d.spendTotal.slice(g * C, (g + 1) * C),
    spendMean: Float64Array.from(d.spendMean, (m) => m * P),
    t01: d.t01,
    F: d.F,
  };
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}
