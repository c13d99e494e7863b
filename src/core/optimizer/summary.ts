import { quantileSorted } from '../diagnostics/quantile.ts';
import { channelValue, type Curves } from './curves.ts';
import { planDraws, type PlanDraws } from './objective.ts';

/** A posterior summary: mean and the 50% and 90% central intervals. */
export interface Interval {
  mean: number;
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
}

/** Mean and type-7 quantiles of values [n >= 1]. */
export function interval(values: ArrayLike<number>): Interval {
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  let m = 0;
  for (let i = 0; i < s.length; i++) m += s[i];
  return { mean: m / s.length, q05: quantileSorted(s, 0.05), q25: quantileSorted(s, 0.25), q50: quantileSorted(s, 0.5), q75: quantileSorted(s, 0.75), q95: quantileSorted(s, 0.95) };
}

/** One channel of a plan compared with another (usually the current plan). */
export interface ChannelComparison {
  channel: string;
  /** horizon spend, currency */ base: number;
  /** horizon spend, currency */ plan: number;
  /** value of the plan's spend minus the base's, metric units */ delta: Interval;
  /** value per currency of the plan's spend in this channel (profit: net of spend) */ roi: Interval;
  /** d value / d spend at the plan, metric units per currency (profit: net of spend) */ mroi: Interval;
  /** largest weekly spend of the plan under the flighting, currency */ peakWeekly: number;
}

/** A plan's outcome against a base plan over the same draws. */
export interface PlanComparison {
  channels: ChannelComparison[];
  /** the base plan's value (incremental over no spend in the horizon), metric units */ base: Interval;
  plan: Interval;
  delta: Interval;
  /** share of draws in which the plan's value exceeds the base's */ probBeatsBase: number;
  /** the plan's incremental KPI inside the horizon, KPI units */ inHorizon: Interval;
  /** the carryover the plan's spend leaves after the horizon, KPI units */ afterHorizon: Interval;
  /** what the last observed weeks' spend still delivers into the horizon, KPI units (the same for every plan) */ historyCarryover: Interval;
}

/**
 * Compares plan x with base plan x0 under the given draws.
 * @param x, x0 horizon budget per channel, currency, [C]
 * @param flight weekly shares [H * C] (for the peak weekly spend)
 * @param base0 planDraws of x0 over the same draws, when the caller has it already
 */
export function comparePlans(
  cv: Curves, channels: readonly string[], flight: Float64Array, x: ArrayLike<number>, x0: ArrayLike<number>, draws: readonly number[], base0?: PlanDraws,
): PlanComparison {
  const C = cv.C;
  const n = draws.length;
  const p = planDraws(cv, x, draws, true);
  const b = base0 ?? planDraws(cv, x0, draws);
  const g = new Float64Array(2);
  const col = (f: (k: number) => number) => interval(Float64Array.from({ length: n }, (_, k) => f(k)));
  const out: ChannelComparison[] = channels.map((channel, c) => {
    let peak = 0;
    for (let h = 0; h < cv.H; h++) peak = Math.max(peak, flight[h * C + c] * x[c]);
    return {
      channel, base: x0[c], plan: x[c],
      delta: col((k) => p.perChannel[k * C + c] - b.perChannel[k * C + c]),
      roi: col((k) => (x[c] > 0 ? p.perChannel[k * C + c] / x[c] : (channelValue(cv, draws[k], c, 0, g), g[0]))),
      mroi: col((k) => p.grad![k * C + c]),
      peakWeekly: peak,
    };
  });
  let wins = 0;
  for (let k = 0; k < n; k++) if (p.total[k] > b.total[k]) wins++;
  // parts in KPI units: total KPI = value / valuePerKpi (+ spend back for profit)
  const kpi = (k: number) => {
    let s = 0;
    for (let c = 0; c < C; c++) s += (p.perChannel[k * C + c] + cv.spendCost * x[c]) / cv.valuePerKpi;
    return s;
  };
  const hist = Float64Array.from(draws, (d) => {
    let s = 0;
    for (let c = 0; c < C; c++) s += (cv.scale[d * C + c] / cv.valuePerKpi) * cv.histHillIn[d * C + c];
    return s;
  });
  return {
    channels: out,
    base: interval(b.total),
    plan: interval(p.total),
    delta: col((k) => p.total[k] - b.total[k]),
    probBeatsBase: wins / n,
    inHorizon: interval(p.inHorizon!),
    afterHorizon: col((k) => kpi(k) - p.inHorizon![k]),
    historyCarryover: interval(hist),
  };
}
