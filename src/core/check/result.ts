/** How much a finding matters: `block` stops the pipeline until fixed or overridden with a reason. */
export type Severity = 'block' | 'warn' | 'info';

/**
 * The one result type of every check in Carryover: data checks, convergence diagnostics,
 * evaluation, drift, optimizer sanity. Formatting happens in ui/, never here.
 */
export interface CheckResult {
  /** Stable identifier, e.g. `data.coverage`, `fit.rhat`. */
  id: string;
  severity: Severity;
  /** One line a marketer can read. */
  title: string;
  /** What was measured and against which threshold. */
  detail: string;
  /** The numbers behind the verdict (plain JSON data). */
  evidence: Record<string, unknown>;
  /** How to fix it, when there is something to do. */
  fix?: string;
}

/** Severity order for sorting and for the worst-of rule: block > warn > info. */
export const SEVERITY_RANK = { block: 2, warn: 1, info: 0 } as const satisfies Record<Severity, number>;

/** The worst severity among results (`info` for an empty list). */
export function worstSeverity(results: readonly CheckResult[]): Severity {
  let worst: Severity = 'info';
  for (const r of results) if (SEVERITY_RANK[r.severity] > SEVERITY_RANK[worst]) worst = r.severity;
  return worst;
}
