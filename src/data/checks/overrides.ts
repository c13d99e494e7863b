import type { CheckResult, Severity } from '../../core/check/result.ts';

/** A user's decision to go ahead despite a check: who wrote what, when. */
export interface CheckOverride {
  /** Id of the check overridden, e.g. `data.duplicates`. */
  id: string;
  /** Why it is safe to go ahead; must not be empty. */
  reason: string;
  /** When the override was written, ISO timestamp (the caller's clock). */
  at: string;
}

const DOWNGRADE = { block: 'warn', warn: 'info', info: 'info' } as const satisfies Record<Severity, Severity>;

/**
 * Applies overrides: each matching result is downgraded one level (block -> warn, warn -> info)
 * and records `{reason, at, originalSeverity}` under `evidence.override`; the detail says so.
 * A block stays visible as a warn. Overrides naming no result are ignored. Returns new objects.
 * @throws Error when an override's reason is empty or blank (an override must say why)
 */
export function applyOverrides(results: readonly CheckResult[], overrides: readonly CheckOverride[]): CheckResult[] {
  for (const o of overrides) {
    if (!o.reason || o.reason.trim() === '') throw new Error(`Override of "${o.id}" needs a written reason.`);
  }
  const byId = new Map(overrides.map((o) => [o.id, o]));
  return results.map((r) => {
    const o = byId.get(r.id);
    if (!o || r.severity === 'info') return r;
    return {
      ...r,
      severity: DOWNGRADE[r.severity],
      detail: `${r.detail} Overridden (was ${r.severity}): ${o.reason.trim()}`,
      evidence: { ...r.evidence, override: { reason: o.reason.trim(), at: o.at, originalSeverity: r.severity } },
    };
  });
}
