import type { ModelSpec } from '../spec/model-spec.ts';
import type { ModelData } from '../model/model-data.ts';

/**
 * The data file of the national Stan program (CmdStan JSON): ModelData's numbers unchanged,
 * matrices as arrays of rows. Optional members are present exactly when the program declares
 * them (trend on: t01; seasonality on: nF, F; controls: K, Z).
 */
export interface NationalStanData {
  /** weeks */ N: number;
  /** channels */ C: number;
  /** adstock kernel length */ L: number;
  /** spend / mean spend, [N][C] >= 0 */ X: number[][];
  /** KPI / y_scale, [N] */ y: number[];
  /** mean KPI, original units */ y_scale: number;
  /** total spend per channel, original units, [C] */ spend_total: number[];
  /** (t-1)/(N-1), [N] */ t01?: number[];
  /** Fourier columns */ nF?: number;
  /** Fourier regressors, [N][nF] */ F?: number[][];
  /** control columns */ K?: number;
  /** standardised controls and dummies, [N][K] */ Z?: number[][];
}

/** Row-major [rows * cols] -> array of rows. */
function rows(a: Float64Array, nRows: number, nCols: number): number[][] {
  return Array.from({ length: nRows }, (_, t) => Array.from(a.subarray(t * nCols, (t + 1) * nCols)));
}

/**
 * The Stan data of the national program, from the same ModelData the kernels see.
 * @param data prepared by prepareModelData(dataset, spec)
 */
export function nationalStanData(spec: ModelSpec, data: ModelData): NationalStanData {
  if (data.L !== spec.adstock.lags) throw new Error(`Model data were prepared with L = ${data.L}, the spec asks for ${spec.adstock.lags}: prepare them again for this spec.`);
  const out: NationalStanData = {
    N: data.N,
    C: data.C,
    L: data.L,
    X: rows(data.X, data.N, data.C),
    y: Array.from(data.y),
    y_scale: data.yScale,
    spend_total: Array.from(data.spendTotal),
  };
  if (spec.trend.kind !== 'none') out.t01 = Array.from(data.t01);
  if (data.nF > 0) {
    out.nF = data.nF;
    out.F = rows(data.F, data.N, data.nF);
  }
  if (data.K > 0) {
    out.K = data.K;
    out.Z = rows(data.Z, data.N, data.K);
  }
  return out;
}

/** Path of the first non-finite number inside v (`[3][1]`), '' for a bare one, null when all are finite. */
function firstNonFinite(v: unknown): string | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : '';
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const inner = firstNonFinite(v[i]);
      if (inner !== null) return `[${i}]${inner}`;
    }
  }
  return null;
}

/**
 * CmdStan JSON text of Stan data. JSON.stringify writes the shortest decimal that reads back
 * as the same double, so Stan reads the kernels' numbers bit for bit.
 * @throws naming the variable and index of a non-finite number (JSON has none)
 */
export function stanDataJson(d: object): string {
  for (const [name, v] of Object.entries(d)) {
    const at = firstNonFinite(v);
    if (at !== null) throw new Error(`Stan data ${name}${at} is not a finite number; clean the data before exporting.`);
  }
  return JSON.stringify(d);
}
