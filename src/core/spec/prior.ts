import { z } from 'zod';

/** Prior families available for model parameters (closed set). */
export const priorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('normal'), mu: z.number(), sigma: z.number().positive() }).strict(),
  z.object({ kind: z.literal('halfNormal'), sigma: z.number().positive() }).strict(),
  z.object({ kind: z.literal('logNormal'), mu: z.number(), sigma: z.number().positive() }).strict(),
  z.object({ kind: z.literal('beta'), a: z.number().positive(), b: z.number().positive() }).strict(),
]);

/** A prior distribution in the constrained space. */
export type Prior = z.infer<typeof priorSchema>;
export type PriorKind = Prior['kind'];

/** Which support each prior family lives on: decides the bijector of its parameter. */
export const PRIOR_SUPPORT = {
  normal: 'real',
  halfNormal: 'positive',
  logNormal: 'positive',
  beta: 'unit',
} as const satisfies Record<PriorKind, 'real' | 'positive' | 'unit'>;

/**
 * Log density of a prior at x (constrained space), dropping constants as Stan's `~` does.
 * Returns -Infinity outside the support.
 */
export function priorLogDensity(p: Prior, x: number): number {
  return PRIOR_LOG_DENSITY[p.kind](p as never, x);
}

const PRIOR_LOG_DENSITY = {
  normal: (p: Extract<Prior, { kind: 'normal' }>, x: number) => -0.5 * ((x - p.mu) / p.sigma) ** 2,
  halfNormal: (p: Extract<Prior, { kind: 'halfNormal' }>, x: number) => (x < 0 ? -Infinity : -0.5 * (x / p.sigma) ** 2),
  logNormal: (p: Extract<Prior, { kind: 'logNormal' }>, x: number) =>
    x <= 0 ? -Infinity : -Math.log(x) - 0.5 * ((Math.log(x) - p.mu) / p.sigma) ** 2,
  beta: (p: Extract<Prior, { kind: 'beta' }>, x: number) =>
    x <= 0 || x >= 1 ? -Infinity : (p.a - 1) * Math.log(x) + (p.b - 1) * Math.log1p(-x),
} satisfies { [K in PriorKind]: (p: Extract<Prior, { kind: K }>, x: number) => number };
