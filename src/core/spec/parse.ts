import type { z } from 'zod';
import { modelSpecSchema, DEFAULT_MODEL_SPEC, type ModelSpec } from './model-spec.ts';

/** One problem found while parsing a spec or config: the key path and what was expected. */
export interface SpecIssue {
  /** Dotted key path, e.g. `priors.beta.sigma`. */
  path: string;
  message: string;
}

/** Either a parsed value or the list of problems, each naming the offending key. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: SpecIssue[] };

/** Turns zod issues into key-path messages. */
export function toSpecIssues(error: z.ZodError): SpecIssue[] {
  return error.issues.map((i) => ({
    path: i.path.length ? i.path.map(String).join('.') : '(root)',
    message: i.message,
  }));
}

/** Parses an untrusted object (from YAML or JSON) into a ModelSpec; missing sections take the reference defaults. */
export function parseModelSpec(input: unknown): ParseResult<ModelSpec> {
  const merged =
    input && typeof input === 'object' && !Array.isArray(input)
      ? {
          ...DEFAULT_MODEL_SPEC,
          ...(input as Record<string, unknown>),
          priors: { ...DEFAULT_MODEL_SPEC.priors, ...((input as { priors?: object }).priors ?? {}) },
        }
      : input;
  const r = modelSpecSchema.safeParse(merged);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: toSpecIssues(r.error) };
}

/** Formats issues as one line each: `path: message`. */
export function formatSpecIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('\n');
}
