import { getContext, setContext } from 'svelte';
import { createOptimizerClient, type OptimizerClient } from '../clients/optimizer-client.ts';
import { responseModelFromFit, type ResponseModel } from '../core/optimizer/response-model.ts';
import { parseScenarioCsv, scenarioCsvTemplate, type Scenario, type ScenarioOutcome } from '../core/optimizer/scenarios.ts';
import type { PlanRequest, PlanResult } from '../core/optimizer/plan.ts';
import type { Identification } from '../core/optimizer/gates.ts';
import type { Metric } from '../core/optimizer/curves.ts';
import { defaultPlanSettings, modelOptionsOf, noBounds, objectiveLabel, planRequestOf, type PlanSettings } from '../core/optimizer/plan-settings.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import type { FitState } from './fit.svelte.ts';
import type { FitAnalysis } from '../core/analysis/analyse-fit.ts';
import { startAnalysis } from '../clients/analysis-client.ts';
import { plansForBundle, type StoredPlan } from '../core/governance/bundle-plans.ts';

/** Where the latest optimisation stands. */
export type PlanPhase = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** A finished optimisation with what it ran on. */
export interface PlanRun {
  /** e.g. "expected" or "CVaR 10%" */ label: string;
  request: PlanRequest;
  result: PlanResult;
  model: ResponseModel;
  /** the fit it was planned on (a plan of an earlier fit is not shown) */ fit: FitResult;
}

/** Posterior draws the response model keeps (a seeded subset of larger fits): the optimizer's measured size. */
export const PLAN_MODEL_DRAWS = 1000;

/**
 * The Plan stage: the response model of the finished fit, the constraints form, optimisations in
 * the optimizer worker (progress, cancel), the latest expected and risk-aware plans, and the
 * user's scenarios (kept for the session; CSV import/export) with their predicted outcomes.
 */
export class PlanState {
  settings = $state<PlanSettings>(defaultPlanSettings());
  /** the user's scenarios, spend per channel over the horizon in model channel order */
  scenarios = $state<Scenario[]>([]);
  #fit: FitState;
  #phase = $state<PlanPhase>('idle');
  #progress = $state<{ fraction: number; stage: string } | null>(null);
  #error = $state<string | null>(null);
  #expected = $state.raw<PlanRun | null>(null);
  #risk = $state.raw<PlanRun | null>(null);
  #latest = $state.raw<PlanRun | null>(null);
  #outcomes = $state.raw<{ model: ResponseModel; metric: Metric; list: ScenarioOutcome[]; fit: FitResult | null } | null>(null);
  #scenarioError = $state<string | null>(null);
  #client: OptimizerClient | null = null;
  #abort: AbortController | null = null;

  #analysisOf: (fit: FitResult) => Pick<FitAnalysis, 'channels'> | null;

  /**
   * @param fit the fit state whose finished fit is planned on
   * @param analysisOf the Results stage's finished analysis of a fit (its identifiability
   *   signals are reused), or null while it is not done
   */
  constructor(fit: FitState, analysisOf: (fit: FitResult) => Pick<FitAnalysis, 'channels'> | null = () => null) {
    this.#fit = fit;
    this.#analysisOf = analysisOf;
  }

  /** The finished fit's channels, or [] before one. */
  readonly channels = $derived.by(() => (this.#fit.phase === 'done' && this.#fit.data ? [...this.#fit.data.channels] : []));

  /** The response model of the finished fit under the form's horizon, flighting and revenue inputs (or why not). */
  readonly model = $derived.by((): { model: ResponseModel | null; error: string | null } => {
    const fit = this.#fit;
    if (fit.phase !== 'done' || !fit.result || !fit.data) return { model: null, error: null };
    try {
      return { model: responseModelFromFit(fit.result, fit.data, { ...modelOptionsOf(this.settings), draws: PLAN_MODEL_DRAWS, seed: 1 }), error: null };
    } catch (e) {
      return { model: null, error: e instanceof Error ? e.message : String(e) };
    }
  });

  #identified: { fit: FitResult; value: Promise<Record<string, Identification> | undefined> } | null = null;

  /**
   * Whether the fit pins down each channel's effect (the analysis stage's identifiability
   * signals), for the optimizer's gate on large moves into unidentified channels: read off the
   * Results stage's analysis when it is done, else computed once per fit over 200 draws in an
   * analysis worker (never on the main thread).
   */
  identified(): Promise<Record<string, Identification> | undefined> {
    const fit = this.#fit;
    const result = fit.result;
    if (fit.phase !== 'done' || !result || !fit.data || !fit.spec) return Promise.resolve(undefined);
    const of = (a: Pick<FitAnalysis, 'channels'>) => Object.fromEntries(a.channels.map((c) => [c.name, { identified: c.identifiability.reasons.length === 0, reasons: c.identifiability.reasons.map((r) => r.message) }]));
    const ready = this.#analysisOf(result);
    if (ready) return Promise.resolve(of(ready));
    if (this.#identified?.fit === result) return this.#identified.value;
    const value = startAnalysis(fit.spec, fit.data, result, { maxDraws: 200, priorDraws: 0, curvePoints: 2 })
      .result.then(of)
      .catch(() => undefined); // the gate is then skipped; the plan itself does not depend on it
    this.#identified = { fit: result, value };
    return value;
  }

  /**
   * The plans and scenarios of the current fit as a run bundle keeps them: the expected and
   * risk-aware plans (whichever ran) and the user's scenarios with their predicted outcomes.
   */
  bundlePlans(): StoredPlan[] {
    const runs = [this.expected, this.riskAware].filter((r): r is PlanRun => !!r);
    const outcomes = this.outcomes;
    const byName = new Map(outcomes?.list.map((o) => [o.name, o]) ?? []);
    const channels = this.latest?.model.channels ?? this.channels;
    const scenarios = $state.snapshot(this.scenarios).map((sc) => ({ name: sc.name, spend: sc.spend.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)), ...(byName.has(sc.name) ? { vsCurrent: byName.get(sc.name)!.vsCurrent } : {}) }));
    return plansForBundle(runs.map((r) => ({ label: r.label, request: r.request, result: r.result })), scenarios, channels);
  }

  get phase() { return this.#phase; }
  get progress() { return this.#progress; }
  get error() { return this.#error; }
  /** the latest plan of the expected objective, on the current fit */
  get expected() { return this.#ofFit(this.#expected); }
  /** the latest risk-aware plan (quantile or CVaR), on the current fit */
  get riskAware() { return this.#ofFit(this.#risk); }
  /** the latest plan run, of either objective, on the current fit */
  get latest() { return this.#ofFit(this.#latest); }
  /** predicted outcomes of current, recommended, risk-aware and the user's scenarios (same model, metric and draws) */
  get outcomes() { return this.#outcomes && this.#outcomes.fit === this.#fit.result ? this.#outcomes : null; }

  #ofFit(run: PlanRun | null): PlanRun | null {
    return run && run.fit === this.#fit.result ? run : null;
  }
  get scenarioError() { return this.#scenarioError; }

  /** Current horizon spend per channel of the model, or null. */
  get current(): number[] | null {
    const m = this.model.model;
    return m ? Array.from(m.current) : null;
  }

  /** Gives every channel of the fit an (empty) bound row for the form to bind to; call from an effect. */
  ensureBounds(): void {
    for (const ch of this.channels) if (!this.settings.bounds[ch]) this.settings.bounds[ch] = noBounds();
  }

  /** Runs the optimizer on the form's request; a running one is cancelled first. */
  async run(): Promise<void> {
    this.cancel();
    this.#error = null;
    const model = this.model.model;
    if (!model) {
      this.#error = this.model.error ?? 'No finished fit yet: fit the model on the Fit screen first.';
      this.#phase = 'failed';
      return;
    }
    let request: PlanRequest;
    try {
      request = planRequestOf($state.snapshot(this.settings) as PlanSettings, model.channels);
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
      this.#phase = 'failed';
      return;
    }
    const ac = new AbortController();
    this.#abort = ac;
    this.#phase = 'running';
    this.#progress = { fraction: 0, stage: 'identifiability' };
    this.#client ??= createOptimizerClient();
    try {
      request.identified = await this.identified();
      if (this.#abort !== ac) return;
      const result = await this.#client.optimize(model, request, {
        signal: ac.signal,
        onProgress: (fraction, stage) => {
          if (this.#abort === ac) this.#progress = { fraction, stage };
        },
      });
      if (this.#abort !== ac) return;
      const run: PlanRun = { label: objectiveLabel(request.objective ?? { kind: 'expected' }), request, result, model, fit: this.#fit.result! };
      if (request.objective?.kind === 'expected' || !request.objective) this.#expected = run;
      else this.#risk = run;
      // a plan on another model or metric makes the other one incomparable: drop it
      const other = run === this.#expected ? this.#risk : this.#expected;
      if (other && (other.model !== model || other.result.metric !== result.metric)) {
        if (other === this.#risk) this.#risk = null;
        else this.#expected = null;
      }
      this.#latest = run;
      this.#phase = 'done';
      await this.evaluate();
    } catch (e) {
      if (this.#abort !== ac) return;
      const cancelled = e instanceof Error && e.name === 'OptimizeCancelled';
      this.#phase = cancelled ? 'cancelled' : 'failed';
      this.#error = e instanceof Error ? e.message : String(e);
    } finally {
      if (this.#abort === ac) this.#abort = null;
    }
  }

  /** Cancels a running optimisation (the worker stops at its next checkpoint). */
  cancel(): void {
    if (!this.#abort) return;
    this.#abort.abort();
    this.#abort = null;
    this.#phase = 'cancelled';
    this.#error = 'The optimisation was cancelled.';
  }

  /** The plans compared side by side: current, recommended, risk-aware (when run), then the scenarios. */
  #comparedPlans(): Scenario[] {
    const run = this.latest;
    const cur = run ? run.result.current : this.current;
    const out: Scenario[] = [];
    const [exp, risk] = [this.expected, this.riskAware];
    if (cur) out.push({ name: 'current', spend: [...cur] });
    if (exp) out.push({ name: `recommended (${exp.label})`, spend: [...exp.result.recommended] });
    if (risk) out.push({ name: `risk-aware (${risk.label})`, spend: [...risk.result.recommended] });
    return out;
  }

  /**
   * Predicts the outcome of every compared plan and scenario on the latest plan's model and metric
   * (else the form's), all over the same draws.
   */
  async evaluate(): Promise<void> {
    this.#scenarioError = null;
    const latest = this.latest;
    const model = latest?.model ?? this.model.model;
    if (!model) return;
    const metric = latest?.result.metric ?? this.settings.metric;
    const list = [...this.#comparedPlans(), ...$state.snapshot(this.scenarios).map((s) => ({ name: s.name, spend: s.spend.map((v) => (v === null || v === undefined || (v as unknown) === '' ? NaN : Number(v))) }))];
    this.#client ??= createOptimizerClient();
    try {
      this.#outcomes = { model, metric, list: await this.#client.evaluateScenarios(model, list, { metric }), fit: this.#fit.result };
    } catch (e) {
      this.#scenarioError = e instanceof Error ? e.message : String(e);
    }
  }

  /** Adds a scenario (default: a copy of the recommendation, else the current plan) with a unique name. */
  addScenario(spend?: number[]): void {
    const base = spend ?? this.latest?.result.recommended ?? this.current;
    if (!base) return;
    const names = new Set(this.scenarios.map((s) => s.name));
    let i = this.scenarios.length + 1;
    while (names.has(`scenario ${i}`)) i++;
    this.scenarios.push({ name: `scenario ${i}`, spend: base.map((v) => Math.round(v)) });
  }

  removeScenario(i: number): void {
    this.scenarios.splice(i, 1);
    void this.evaluate();
  }

  /** The scenario CSV template: the current and recommended plans and the scenarios, horizon spend. */
  templateCsv(): string {
    const channels = this.latest?.model.channels ?? this.channels;
    return scenarioCsvTemplate(channels, [...this.#comparedPlans(), ...$state.snapshot(this.scenarios)]);
  }

  /**
   * Replaces the scenarios by those of a CSV in the template's layout and evaluates them.
   * @returns the error (naming row and column) when the file cannot be used; the scenarios are then unchanged
   */
  async importCsv(text: string): Promise<string | null> {
    const channels = this.latest?.model.channels ?? this.channels;
    if (!channels.length) return (this.#scenarioError = 'No finished fit yet: scenarios need the model\'s channels.');
    let parsed: Scenario[];
    try {
      parsed = parseScenarioCsv(text, channels);
    } catch (e) {
      return (this.#scenarioError = e instanceof Error ? e.message : String(e));
    }
    // the template's own reference rows come back as scenarios only under another name
    const reserved = new Set(this.#comparedPlans().map((s) => s.name));
    this.scenarios = parsed.filter((s) => !reserved.has(s.name));
    await this.evaluate();
    return null;
  }

  /** The plan CSV: the expected and risk-aware plans (whichever ran), channel rows and totals, full precision. */
  async planCsv(): Promise<string> {
    const { planCsv } = await import('../core/optimizer/plan-report.ts');
    return planCsv([this.expected, this.riskAware].filter((r): r is PlanRun => !!r).map((r) => ({ label: r.label, result: r.result })));
  }

  /** Terminates the optimizer worker. */
  dispose(): void {
    this.cancel();
    this.#client?.dispose();
    this.#client = null;
  }
}

const KEY = Symbol('PlanState');
/** Provides the plan state to the component tree (call once in App). */
export const setPlanState = (s: PlanState) => setContext(KEY, s);
/** The plan state provided by App. */
export const usePlanState = () => getContext<PlanState>(KEY);
