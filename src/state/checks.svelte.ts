import type { CheckResult } from '../core/check/result.ts';
import type { ValidationConfig } from '../core/spec/config-validation.ts';
import type { CheckOverride } from '../data/checks/index.ts';
import { summarizeChecks, type ChecksSummary } from '../data/pipeline-stages.ts';

/** Where the checks stand for the current mapping. */
export type ChecksPhase = 'idle' | 'running' | 'done' | 'failed';

/** The checks as shown: results after overrides, their score and whether the fit is blocked. */
export type ChecksView = ChecksSummary;

/** Stage 2 as the Checks screen shows it: phase, progress words, raw results and the user's overrides. */
export class ChecksState {
  #phase = $state<ChecksPhase>('idle');
  #status = $state('');
  #error = $state<string | null>(null);
  #raw = $state.raw<CheckResult[] | null>(null);
  #overrides = $state.raw<CheckOverride[]>([]);
  #validation: () => ValidationConfig;

  /** @param validation the config's validation section (thresholds and the minimum score), read when the report is built */
  constructor(validation: () => ValidationConfig) {
    this.#validation = validation;
  }

  get phase() { return this.#phase; }
  /** What is running now, in words. */
  get status() { return this.#status; }
  get error() { return this.#error; }
  /** Results before overrides (ingest findings first); null before the first run. */
  get raw() { return this.#raw; }
  /** Overrides written so far (kept across runs: a finding with the same id stays overridden). */
  get overrides() { return this.#overrides; }
  /** Checks after overrides, with the score; null before the first run. */
  get report(): ChecksView | null {
    return this.#raw ? summarizeChecks(this.#raw, this.#overrides, this.#validation()) : null;
  }
  /** True while a block is left after overrides. */
  get blocked() { return this.report?.blocked ?? false; }

  /** A run starts. */
  begin(): void {
    this.#phase = 'running';
    this.#error = null;
  }

  setStatus(status: string): void { this.#status = status; }

  /** Results of a run (before overrides). */
  setRaw(raw: CheckResult[]): void { this.#raw = raw; }

  /** Adds or replaces one result (e.g. the model-input block found by cleaning). */
  upsert(result: CheckResult): void {
    this.#raw = [...(this.#raw ?? []).filter((r) => r.id !== result.id), result];
  }

  done(): void { this.#phase = 'done'; }

  fail(message: string): void {
    this.#phase = 'failed';
    this.#error = message;
  }

  /** Back to no results (the mapping or settings changed); overrides are kept. */
  reset(): void {
    this.#phase = 'idle';
    this.#raw = null;
    this.#error = null;
  }

  /**
   * Records an override of a finding with a written reason (block -> warn, warn -> info).
   * @param at ISO timestamp of the decision
   * @returns an error message for the form, or null when recorded
   */
  override(id: string, reason: string, at = new Date().toISOString()): string | null {
    if (!reason.trim()) return 'Write why it is safe to go ahead: an override needs a reason.';
    this.#overrides = [...this.#overrides.filter((x) => x.id !== id), { id, reason: reason.trim(), at }];
    return null;
  }

  /** Withdraws an override; the finding's severity comes back. */
  removeOverride(id: string): void {
    this.#overrides = this.#overrides.filter((x) => x.id !== id);
  }
}
