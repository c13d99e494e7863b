import type { ChannelBound } from './constraints.ts';
import type { Metric } from './curves.ts';
import type { Objective } from './objective.ts';
import type { PlanMode, PlanRequest } from './plan.ts';
import type { Flighting, ResponseModelOptions } from './response-model.ts';

/**
 * One channel's limits as a user types them: spends in currency over the horizon, shares and the
 * largest change in percent; null (or an empty field) = no limit.
 */
export interface BoundInput {
  minSpend: number | null;
  maxSpend: number | null;
  /** % of the plan's total, 0-100 */ minShare: number | null;
  maxShare: number | null;
  /** largest move vs the current spend, % >= 0 */ maxChange: number | null;
  locked: boolean;
}

/** The Plan screen's form: everything a plan request and its response model need. */
export interface PlanSettings {
  /** weeks >= 1 */ horizon: number;
  flighting: Flighting;
  metric: Metric;
  /** revenue per KPI unit (1 when the KPI is revenue); needed for revenue and profit */ revenuePerKpi: number | null;
  /** gross margin on revenue, %, (0, 100]; needed for profit */ marginPct: number | null;
  mode: PlanMode['kind'];
  /** horizon budget of a fixed-budget plan, currency; null = the current plan's total */ budget: number | null;
  targetRoi: number | null;
  targetMroi: number | null;
  /** largest horizon budget the target modes search; null = 3x current */ maxTotal: number | null;
  objective: Objective['kind'];
  /** tail level of a risk-aware objective, %, (0, 50] */ levelPct: number;
  /** seeded subset of draws for the objective; null = all */ draws: number | null;
  /** by channel name */ bounds: Record<string, BoundInput>;
}

/** Defaults: 13 weeks, flat, KPI, fixed budget at the current total, expected value, 10% tail. */
export function defaultPlanSettings(): PlanSettings {
  return {
    horizon: 13, flighting: 'flat', metric: 'kpi', revenuePerKpi: null, marginPct: null,
    mode: 'fixedBudget', budget: null, targetRoi: null, targetMroi: null, maxTotal: null,
    objective: 'expected', levelPct: 10, draws: null, bounds: {},
  };
}

/** An empty bound row. */
export const noBounds = (): BoundInput => ({ minSpend: null, maxSpend: null, minShare: null, maxShare: null, maxChange: null, locked: false });

/** A number the user typed, or undefined for an empty field (inputs give null, undefined, '' or NaN). */
function given(v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  return typeof v === 'number' ? v : Number(v);
}

/** A number field that must be finite and satisfy `ok`; `what` names the field in the error. */
function need(v: unknown, what: string, ok: (x: number) => boolean, rule: string): number {
  const x = given(v);
  if (x === undefined || !Number.isFinite(x) || !ok(x)) throw new Error(`${what}: ${x === undefined ? 'empty' : `"${String(v)}"`} is not valid; ${rule}.`);
  return x;
}

/**
 * The response model options of the form (horizon, flighting, revenue per KPI, margin).
 * @throws naming the field on a value out of range
 */
export function modelOptionsOf(s: PlanSettings): ResponseModelOptions {
  const horizon = need(s.horizon, 'Horizon (weeks)', (x) => Number.isInteger(x) && x >= 1 && x <= 520, 'give a whole number of weeks from 1 to 520');
  const r = given(s.revenuePerKpi);
  const m = given(s.marginPct);
  if (r !== undefined) need(r, 'Revenue per KPI unit', (x) => x > 0, 'give a number > 0 (1 when the KPI is revenue)');
  if (m !== undefined) need(m, 'Margin (%)', (x) => x > 0 && x <= 100, 'give a percentage in (0, 100]');
  return { horizon, flighting: s.flighting, revenuePerKpi: r, margin: m === undefined ? undefined : m / 100 };
}

/**
 * The optimizer request of the form: mode, metric, objective, per-channel bounds (percent fields
 * turned into fractions), draws. Identification is added by the caller.
 * @throws naming the field (and channel) on a value out of range
 */
export function planRequestOf(s: PlanSettings, channels: readonly string[]): PlanRequest {
  const maxTotal = given(s.maxTotal) === undefined ? undefined : need(s.maxTotal, 'Largest budget to search', (x) => x > 0, 'give an amount > 0');
  let mode: PlanMode;
  if (s.mode === 'fixedBudget') {
    mode = { kind: 'fixedBudget', total: given(s.budget) === undefined ? undefined : need(s.budget, 'Budget', (x) => x >= 0, 'give an amount >= 0, or leave it empty for the current total') };
  } else if (s.mode === 'targetRoi') {
    mode = { kind: 'targetRoi', roi: need(s.targetRoi, 'Target ROI', (x) => x > 0, 'give a return per unit of spend > 0'), maxTotal };
  } else {
    mode = { kind: 'targetMroi', mroi: need(s.targetMroi, 'Target marginal ROI', (x) => x > 0, 'give a return per extra unit of spend > 0'), maxTotal };
  }
  if (s.metric === 'revenue' && given(s.revenuePerKpi) === undefined) throw new Error('Revenue per KPI unit: empty; planning revenue needs it (1 when the KPI is revenue).');
  if (s.metric === 'profit' && (given(s.revenuePerKpi) === undefined || given(s.marginPct) === undefined)) {
    throw new Error('Planning profit needs the revenue per KPI unit and a margin (%).');
  }
  const level = s.objective === 'expected' ? 0 : need(s.levelPct, 'Tail level (%)', (x) => x > 0 && x <= 50, 'give a percentage in (0, 50]') / 100;
  const objective: Objective = s.objective === 'expected' ? { kind: 'expected' } : { kind: s.objective, level };
  const draws = given(s.draws) === undefined ? undefined : need(s.draws, 'Draws', (x) => Number.isInteger(x) && x >= 10, 'give a whole number >= 10, or leave it empty for all');
  const bounds: Record<string, ChannelBound> = {};
  for (const ch of channels) {
    const b = s.bounds[ch];
    if (!b) continue;
    const out: ChannelBound = {};
    const spend = (k: 'minSpend' | 'maxSpend', label: string) => {
      if (given(b[k]) !== undefined) out[k] = need(b[k], `${ch}: ${label}`, (x) => x >= 0, 'give an amount >= 0 or leave it empty');
    };
    const pct = (k: 'minShare' | 'maxShare' | 'maxChange', label: string, max: number) => {
      if (given(b[k]) !== undefined) out[k] = need(b[k], `${ch}: ${label}`, (x) => x >= 0 && x <= max, `give a percentage from 0 to ${max} or leave it empty`) / 100;
    };
    spend('minSpend', 'min spend');
    spend('maxSpend', 'max spend');
    pct('minShare', 'min share (%)', 100);
    pct('maxShare', 'max share (%)', 100);
    pct('maxChange', 'max change (%)', 1000);
    if (b.locked) out.locked = true;
    if (Object.keys(out).length) bounds[ch] = out;
  }
  return { mode, metric: s.metric, objective, bounds, draws };
}

/** A short name of an objective, e.g. "expected", "CVaR 10%", "5% quantile". */
export function objectiveLabel(o: Objective): string {
  if (o.kind === 'expected') return 'expected';
  const pct = `${Math.round(o.level * 1000) / 10}%`;
  return o.kind === 'cvar' ? `CVaR ${pct}` : `${pct} quantile`;
}
