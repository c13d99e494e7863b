import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';

/**
 * The data file of the geo Stan program (CmdStan JSON): GeoModelData's numbers unchanged, the
 * geo-major panels as arrays of rows (row (g - 1) N + t). Optional members are present exactly
 * when the program declares them (trend on: t01; seasonality on: nF, F; controls: K, Z).
 */
export interface GeoStanData {
  /** weeks */ N: number;
  /** geos */ G: number;
  /** channels */ C: number;
  /** adstock kernel length */ L: number;
  /** per-capita spend / mean per-capita spend, [G * N][C] >= 0 */ X: number[][];
  /** per-capita KPI / y_scale, [G * N] */ y: number[];
  /** mean per-capita KPI, KPI units per person */ y_scale: number;
  /** population per geo [G] */ population: number[];
  /** total spend per geo and channel, currency, [G][C] */ spend_total: number[][];
  /** (t-1)/(N-1), [N] */ t01?: number[];
  /** Fourier columns */ nF?: number;
  /** Fourier regressors, [N][nF] */ F?: number[][];
  /** control columns */ K?: number;
  /** standardised controls and dummies, [G * N][K] */ Z?: number[][];
}

/** Row-major [rows * cols] -> array of rows. */
function rows(a: Float64Array, nRows: number, nCols: number): number[][] {
  return Array.from({ length: nRows }, (_, t) => Array.from(a.subarray(t * nCols, (t + 1) * nCols)));
}

/**
 * The Stan data of the geo program, from the same GeoModelData the geo kernels see.
 * @param data prepared by prepareGeoModelData(dataset, spec)
 * @throws when the data were prepared for another adstock length than the spec's
 */
export function geoStanData(spec: GeoModelSpec, data: GeoModelData): GeoStanData {
  if (data.L !== spec.adstock.lags) throw new Error(`Geo model data were prepared with L = ${data.L}, the spec asks for ${spec.adstock.lags}: prepare them again for this spec.`);
  const GN = data.G * data.N;
  const out: GeoStanData = {
    N: data.N,
    G: data.G,
    C: data.C,
    L: data.L,
    X: rows(data.X, GN, data.C),
    y: Array.from(data.y),
    y_scale: data.yScale,
    population: Array.from(data.population),
    spend_total: rows(data.spendTotal, data.G, data.C),
  };
  if (spec.trend.kind !== 'none') out.t01 = Array.from(data.t01);
  if (data.nF > 0) {
    out.nF = data.nF;
    out.F = rows(data.F, data.N, data.nF);
  }
  if (data.K > 0) {
    out.K = data.K;
    out.Z = rows(data.Z, GN, data.K);
  }
  return out;
}
