import { toCsv, type CsvCell } from '../format/csv.ts';
import { buildCurves, channelValue, type Metric } from './curves.ts';
import { selectDraws, type ResponseModel } from './response-model.ts';
import { interval, type Interval, type PlanComparison } from './summary.ts';
import type { PlanResult } from './plan.ts';

/** One channel's horizon response curve over the posterior: value of a horizon budget, with bands. */
export interface ResponseBand {
  channel: string;
  /** horizon budgets, currency >= 0, ascending, [G] */ spend: number[];
  /** incremental value at each budget (metric units; profit is net of spend), [G] */ value: Interval[];
  /** the value at marked budgets (e.g. current and recommended), in the order of `marks` */ marks: { label: string; spend: number; value: Interval }[];
}

/**
 * Each channel's horizon response curve (the optimizer's own: history's carryover taken out, the
 * plan's carryover after the horizon included) on a grid from 0 to `upTo[c]` (default 2x the
 * current plan's spend), summarised over a seeded subset of draws.
 * @param upTo [C] largest budget per channel, currency > 0
 * @param marks budgets to mark per channel, each [C] currency >= 0
 * @param opts points per curve >= 2 (default 25), draws (default 200), seed (default 1)
 */
export function responseBands(
  model: ResponseModel, metric: Metric, upTo?: ArrayLike<number>,
  marks: readonly { label: string; spend: ArrayLike<number> }[] = [],
  opts: { points?: number; draws?: number; seed?: number } = {},
): ResponseBand[] {
  const cv = buildCurves(model, metric);
  const draws = selectDraws(model.D, opts.draws ?? 200, opts.seed ?? 1);
  const G = Math.max(2, Math.floor(opts.points ?? 25));
  const vals = new Float64Array(draws.length);
  return model.channels.map((channel, c) => {
    const top = upTo?.[c] ?? 2 * model.current[c];
    const hi = top > 0 ? top : Math.max(1, model.spendScale[c] * model.H);
    const spend = Array.from({ length: G }, (_, g) => (hi * g) / (G - 1));
    const at = (b: number) => {
      draws.forEach((d, k) => (vals[k] = channelValue(cv, d, c, b)));
      return interval(vals);
    };
    return { channel, spend, value: spend.map(at), marks: marks.map((m) => ({ label: m.label, spend: m.spend[c], value: at(m.spend[c]) })) };
  });
}

/** Columns of the plan CSV (see planCsv). */
export const PLAN_CSV_COLUMNS = [
  'row', 'objective', 'metric', 'current_spend', 'recommended_spend', 'change_pct',
  'delta_mean', 'delta_q05', 'delta_q25', 'delta_q50', 'delta_q75', 'delta_q95',
  'mroi_mean', 'mroi_q05', 'mroi_q25', 'mroi_q75', 'mroi_q95',
  'roi_mean', 'roi_q05', 'roi_q95', 'peak_weekly_spend',
  'value_mean', 'value_q05', 'value_q25', 'value_q75', 'value_q95', 'prob_beats_current',
] as const;

const iv = (i: Interval, keys: readonly (keyof Interval)[]) => keys.map((k) => i[k]);
const FULL: (keyof Interval)[] = ['mean', 'q05', 'q25', 'q50', 'q75', 'q95'];

/**
 * Rows of the plan CSV in PLAN_CSV_COLUMNS order: one per channel, then `total` (the plan's value
 * and its delta to the current plan, P(beats current)), `history_carryover` (what past spend
 * still delivers into the horizon, KPI units) and `after_horizon` (the plan's carryover after the
 * horizon, KPI units), reported apart as value_* intervals.
 * @param label the plan's name in the `objective` column, e.g. "expected" or "cvar 10%"
 */
export function planCsvRows(r: PlanResult, label: string): CsvCell[][] {
  const cmp: PlanComparison = r.comparison;
  const rows: CsvCell[][] = cmp.channels.map((ch) => [
    ch.channel, label, r.metric, ch.base, ch.plan, ch.base > 0 ? (100 * (ch.plan - ch.base)) / ch.base : null,
    ...iv(ch.delta, FULL), ...iv(ch.mroi, ['mean', 'q05', 'q25', 'q75', 'q95']), ...iv(ch.roi, ['mean', 'q05', 'q95']), ch.peakWeekly,
    null, null, null, null, null, null,
  ]);
  const sum = (f: (c: (typeof cmp.channels)[number]) => number) => cmp.channels.reduce((s, c) => s + f(c), 0);
  const cur = sum((c) => c.base);
  const rec = sum((c) => c.plan);
  rows.push([
    'total', label, r.metric, cur, rec, cur > 0 ? (100 * (rec - cur)) / cur : null, ...iv(cmp.delta, FULL),
    null, null, null, null, null, null, null, null, null,
    ...iv(cmp.plan, ['mean', 'q05', 'q25', 'q75', 'q95']), cmp.probBeatsBase,
  ]);
  const part = (name: string, i: Interval): CsvCell[] => [name, label, 'kpi', ...Array(18).fill(null), ...iv(i, ['mean', 'q05', 'q25', 'q75', 'q95']), null];
  rows.push(part('history_carryover', cmp.historyCarryover), part('after_horizon', cmp.afterHorizon));
  return rows;
}

/** The plan CSV of one or more plans (e.g. the expected and the risk-aware one), full precision. */
export function planCsv(plans: readonly { label: string; result: PlanResult }[]): string {
  return toCsv(PLAN_CSV_COLUMNS, plans.flatMap((p) => planCsvRows(p.result, p.label)));
}
