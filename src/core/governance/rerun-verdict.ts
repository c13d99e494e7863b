import type { CheckResult } from '../check/result.ts';
import { checkResultSchema, type RunBundle } from './bundle-schema.ts';

/*
 * A re-run's verdict kept with the run it checked (small and synchronous: the review reads it
 * on every pair; the re-run itself, rerun.ts, loads only when one is started).
 */
/**
 * The bundle with a re-run's verdict kept in its evaluation (`evaluation.reproducibility`, the
 * date in evidence.checkedAt), so the gate survives a reload and travels with an export. The
 * manifest is untouched: its hashes cover the inputs, not the evaluation.
 */
export function withRerunVerdict(bundle: RunBundle, check: CheckResult, checkedAt: Date): RunBundle {
  const stored = { ...check, evidence: JSON.parse(JSON.stringify({ ...check.evidence, checkedAt: checkedAt.toISOString() })) as Record<string, unknown> };
  return { ...bundle, evaluation: { ...(bundle.evaluation ?? {}), reproducibility: stored } };
}

/** The re-run verdict a bundle keeps (withRerunVerdict), or null when none or it no longer reads. */
export function rerunVerdictOfBundle(bundle: RunBundle): CheckResult | null {
  const v = (bundle.evaluation as { reproducibility?: unknown } | null)?.reproducibility;
  const parsed = checkResultSchema.safeParse(v);
  return parsed.success ? parsed.data : null;
}
