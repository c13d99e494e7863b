import type { ResponseModel } from './response-model.ts';

/** What a plan is worth: incremental KPI, revenue, or profit (revenue x margin - spend). */
export type Metric = 'kpi' | 'revenue' | 'profit';

/**
 * A ResponseModel unrolled for fast evaluation: because adstock is linear, the adstocked input of
 * channel c in week t under a horizon budget B is base_t + B * gain_t, where base carries the last
 * L-1 observed weeks' spend and gain spreads the budget by the flighting. Weeks 0..H-1 are the
 * horizon, H..W-1 the tail where the plan's own carryover still lands.
 */
export interface Curves {
  D: number;
  C: number;
  H: number;
  /** horizon + tail weeks, H + L - 1 */ W: number;
  /** adstocked history-only input, units of mean spend, [(d * C + c) * W + t] */ base: Float64Array;
  /** adstocked input per currency of horizon budget, [(d * C + c) * W + t] */ gain: Float64Array;
  /** log K, [D * C] */ logK: Float64Array;
  /** Hill slope, [D * C] */ S: Float64Array;
  /** value per unit of hill: beta * yScale * value per KPI unit, [D * C] */ scale: Float64Array;
  /** hill(base) per week: history's carryover, [(d * C + c) * W + t] */ baseHill: Float64Array;
  /** sum over W weeks of hill(base), [D * C] */ histHill: Float64Array;
  /** sum over the H horizon weeks of hill(base), [D * C] */ histHillIn: Float64Array;
  /** 1 for profit (spend is a cost), else 0 */ spendCost: number;
  /** value of one KPI unit in the metric's units */ valuePerKpi: number;
}

/**
 * Value of one KPI unit under a metric.
 * @throws when revenue or profit is asked for without revenuePerKpi (and margin)
 */
export function valuePerKpi(model: ResponseModel, metric: Metric): number {
  if (metric === 'kpi') return 1;
  const r = model.revenuePerKpi;
  if (!(r !== undefined && r > 0)) throw new Error(`Optimising ${metric} needs the revenue per KPI unit (1 when the KPI is revenue).`);
  if (metric === 'revenue') return r;
  const m = model.margin;
  if (!(m !== undefined && m > 0 && m <= 1)) throw new Error('Optimising profit needs a margin in (0, 1].');
  return r * m;
}

/** Unrolls a ResponseModel (see Curves). Cost O(D C W L). */
export function buildCurves(model: ResponseModel, metric: Metric): Curves {
  const { D, C, H, L } = model;
  const W = H + L - 1;
  const vpk = valuePerKpi(model, metric);
  const base = new Float64Array(D * C * W);
  const gain = new Float64Array(D * C * W);
  const logK = new Float64Array(D * C);
  const histHill = new Float64Array(D * C);
  const baseHill = new Float64Array(D * C * W);
  const histHillIn = new Float64Array(D * C);
  const scale = new Float64Array(D * C);
  const u = new Float64Array(L - 1 + W);
  const f = new Float64Array(L - 1 + W);
  const w = new Float64Array(L);
  for (let c = 0; c < C; c++) {
    for (let j = 0; j < L - 1; j++) u[j] = model.history[j * C + c] / model.spendScale[c];
    for (let h = 0; h < H; h++) f[L - 1 + h] = model.flight[h * C + c] / model.spendScale[c];
    for (let d = 0; d < D; d++) {
      const i = d * C + c;
      geometricWeightsInto(model.alpha[i], L, w);
      const S = model.S[i];
      logK[i] = Math.log(model.K[i]);
      scale[i] = model.beta[i] * model.yScale * vpk;
      let hh = 0;
      for (let t = 0; t < W; t++) {
        // only lags that reach history (s < L-1) or a horizon week (L-1 <= s < L-1+H) add anything,
        // and exact zeros elsewhere matter: hill of a rounding residue is not small when S < 1
        let a = 0;
        let g = 0;
        for (let l = t + 1; l < L; l++) a += w[l] * u[L - 1 + t - l];
        for (let l = Math.max(0, t - H + 1); l <= Math.min(t, L - 1); l++) g += w[l] * f[L - 1 + t - l];
        base[i * W + t] = a;
        gain[i * W + t] = g;
        baseHill[i * W + t] = hillAt(a, logK[i], S);
        hh += baseHill[i * W + t];
        if (t + 1 === H) histHillIn[i] = hh;
      }
      histHill[i] = hh;
    }
  }
  return { D, C, H, W, base, gain, logK, S: Float64Array.from(model.S), scale, baseHill, histHill, histHillIn, spendCost: metric === 'profit' ? 1 : 0, valuePerKpi: vpk };
}

/** geometricWeights (transforms/adstock.ts) without allocating: this runs D x C times. */
function geometricWeightsInto(alpha: number, L: number, w: Float64Array): void {
  let p = 1;
  let total = 0;
  for (let l = 0; l < L; l++) {
    w[l] = p;
    total += p;
    p *= alpha;
  }
  for (let l = 0; l < L; l++) w[l] /= total;
}

function hillAt(a: number, logK: number, S: number): number {
  return a > 0 ? 1 / (1 + Math.exp(S * (logK - Math.log(a)))) : 0;
}

/**
 * Incremental value of channel c under draw d for a horizon budget B (currency >= 0): the plan's
 * effect in the horizon and after it, history's own carryover taken out; minus B for profit.
 * With `deriv` (length >= 2) also writes d value / d B into deriv[0] and d2 value / d B2 into
 * deriv[1]; with length >= 3, the plan's incremental KPI inside the horizon into deriv[2].
 * The hot loop of the optimizer.
 */
export function channelValue(cv: Curves, d: number, c: number, B: number, deriv?: Float64Array): number {
  const i = d * cv.C + c;
  const W = cv.W;
  const o = i * W;
  const logK = cv.logK[i];
  const S = cv.S[i];
  let v = 0;
  let d1 = 0;
  let d2 = 0;
  let vIn = 0;
  const H = cv.H;
  for (let t = 0; t < W; t++) {
    if (t === H) vIn = v;
    const a = cv.base[o + t] + B * cv.gain[o + t];
    if (a > 0) {
      const h = 1 / (1 + Math.exp(S * (logK - Math.log(a))));
      v += h;
      if (deriv) {
        // hill'(a) = S h (1 - h) / a; hill''(a) = hill'(a) (S (1 - 2h) - 1) / a
        const g = cv.gain[o + t];
        const h1 = (S * h * (1 - h)) / a;
        d1 += h1 * g;
        d2 += ((h1 * (S * (1 - 2 * h) - 1)) / a) * g * g;
      }
    }
  }
  if (deriv) {
    deriv[0] = cv.scale[i] * d1 - cv.spendCost;
    deriv[1] = cv.scale[i] * d2;
    if (deriv.length > 2) deriv[2] = (cv.scale[i] / cv.valuePerKpi) * ((H < W ? vIn : v) - cv.histHillIn[i]);
  }
  return cv.scale[i] * (v - cv.histHill[i]) - cv.spendCost * B;
}

/** The parts of a channel's incremental KPI (not value) under a draw, KPI units. */
export interface ChannelParts {
  /** the plan's effect inside the horizon */ inHorizon: number;
  /** the carryover the plan's spend leaves after the horizon */ afterHorizon: number;
  /** what the last observed weeks' spend still delivers into the horizon (the same for every plan) */ historyCarryover: number;
}

/** Splits channel c's incremental KPI under draw d for budget B (see ChannelParts). */
export function channelParts(cv: Curves, d: number, c: number, B: number): ChannelParts {
  const i = d * cv.C + c;
  const o = i * cv.W;
  const kpi = cv.scale[i] / cv.valuePerKpi;
  let inH = 0;
  let after = 0;
  let hist = 0;
  for (let t = 0; t < cv.W; t++) {
    const hb = cv.baseHill[o + t];
    const hp = hillAt(cv.base[o + t] + B * cv.gain[o + t], cv.logK[i], cv.S[i]) - hb;
    if (t < cv.H) {
      inH += hp;
      hist += hb;
    } else after += hp;
  }
  return { inHorizon: kpi * inH, afterHorizon: kpi * after, historyCarryover: kpi * hist };
}

/**
 * Mean over the given draws of channel c's value at each budget.
 * @param budgets currency >= 0, [G]
 * @param draws indices into 0..D-1
 * @returns [G]
 */
export function meanCurve(cv: Curves, c: number, budgets: ArrayLike<number>, draws: readonly number[]): Float64Array {
  const out = new Float64Array(budgets.length);
  for (let g = 0; g < budgets.length; g++) {
    let s = 0;
    for (const d of draws) s += channelValue(cv, d, c, budgets[g]);
    out[g] = s / draws.length;
  }
  return out;
}
