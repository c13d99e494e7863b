import type { RunBundle } from './bundle-schema.ts';

/*
 * Plans and scenarios as a run bundle keeps them: the Plan stage's optimised plans (expected,
 * risk-aware) and the user's scenarios with their predicted outcomes, as plain JSON under stable
 * ids, so a decision can name the scenario it chose and an exported bundle carries them.
 */

/** A finished optimisation as the bundle reads it (a structural subset of the Plan stage's PlanRun). */
export interface PlanFacts {
  /** e.g. "expected", "CVaR 10%" */ label: string;
  result: {
    channels: readonly string[];
    current: readonly number[];
    recommended: readonly number[];
    status: string;
    message: string;
    metric: string;
    objective: unknown;
    comparison: unknown;
    draws: number;
  };
  /** the request (horizon, budget, bounds, objective) */ request: unknown;
}

/** A user's scenario with its predicted outcome vs the current plan, when evaluated. */
export interface ScenarioFacts {
  name: string;
  spend: readonly (number | null)[];
  vsCurrent?: unknown;
}

/** One stored plan as the bundle schema holds it. */
export type StoredPlan = RunBundle['plans'][number];

/**
 * JSON form of plan results: typed arrays as arrays, non-finite numbers as null, undefined
 * members dropped (the bundle is JSON; a NaN would otherwise turn into a different number).
 */
export function toPlainJson(v: unknown): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (v === null || typeof v !== 'object') return typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint' ? null : v;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
  if (Array.isArray(v)) return v.map(toPlainJson);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toPlainJson(x);
  return out;
}

/** A stable id from a name: `scenario-shift-10-to-search`. */
export function planId(kind: 'plan' | 'scenario', name: string): string {
  return `${kind}-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed'}`.slice(0, 200);
}

/**
 * The bundle's `plans` from the Plan stage: each optimised plan (kind `plan`, its request,
 * recommended and current spend per channel, objective and comparison) and each scenario (kind
 * `scenario`, spend per channel and predicted outcome vs current). Names are unique per kind.
 */
export function plansForBundle(plans: readonly PlanFacts[], scenarios: readonly ScenarioFacts[], channels: readonly string[]): StoredPlan[] {
  const out: StoredPlan[] = [];
  const seen = new Set<string>();
  const push = (p: StoredPlan) => {
    if (seen.has(p.id)) return;
    seen.add(p.id);
    out.push(p);
  };
  for (const p of plans) {
    const name = `recommended (${p.label})`;
    push({ id: planId('plan', p.label), name, kind: 'plan', body: toPlainJson({ label: p.label, request: p.request, ...p.result }) as Record<string, unknown> });
  }
  for (const s of scenarios) {
    push({ id: planId('scenario', s.name), name: s.name, kind: 'scenario', body: toPlainJson({ channels, spend: s.spend, ...(s.vsCurrent !== undefined ? { vsCurrent: s.vsCurrent } : {}) }) as Record<string, unknown> });
  }
  return out;
}

/** Spend per channel of a stored plan or scenario (recommended spend for a plan), or null when the body lacks it. */
export function planSpend(p: StoredPlan): { channels: string[]; spend: (number | null)[] } | null {
  const b = p.body as { channels?: unknown; recommended?: unknown; spend?: unknown };
  const spend = p.kind === 'plan' ? b.recommended : b.spend;
  if (!Array.isArray(b.channels) || !Array.isArray(spend) || b.channels.length !== spend.length) return null;
  return { channels: b.channels.map(String), spend: spend.map((x) => (typeof x === 'number' ? x : null)) };
}
