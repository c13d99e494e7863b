import type { Prior, PriorKind } from '../spec/prior.ts';
import type { Transform } from './layout.ts';

/** A map from the unconstrained line to a parameter's support, with its log-Jacobian. */
export interface Bijector {
  /** unconstrained u -> constrained x */ forward(u: number): number;
  /** constrained x -> unconstrained u */ inverse(x: number): number;
  /** log |dx/du| at u */ logJacobian(u: number): number;
  /** d/du of logJacobian at u */ dLogJacobian(u: number): number;
  /** dx/du at u */ dForward(u: number): number;
}

/** log(1 + e^v) without overflow or loss for large |v|. */
export function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

/** 1 / (1 + e^-u) in (0, 1). */
export function invLogit(u: number): number {
  return 1 / (1 + Math.exp(-u));
}

/** The three bijectors the layout uses: identity (real), log (positive), logit (unit interval). */
export const BIJECTORS = {
  identity: {
    forward: (u) => u,
    inverse: (x) => x,
    logJacobian: () => 0,
    dLogJacobian: () => 0,
    dForward: () => 1,
  },
  log: {
    forward: (u) => Math.exp(u),
    inverse: (x) => Math.log(x),
    logJacobian: (u) => u,
    dLogJacobian: () => 1,
    dForward: (u) => Math.exp(u),
  },
  logit: {
    forward: invLogit,
    inverse: (x) => Math.log(x) - Math.log1p(-x),
    // log x + log(1 - x), each as a softplus so that neither side rounds to log 0
    logJacobian: (u) => -softplus(-u) - softplus(u),
    // d/du [log x + log(1-x)] = (1 - x) - x; 1 - x taken as 1/(1+e^u), not by subtraction
    dLogJacobian: (u) => 1 / (1 + Math.exp(u)) - invLogit(u),
    dForward: (u) => invLogit(u) / (1 + Math.exp(u)),
  },
} as const satisfies Record<Transform, Bijector>;

/**
 * Prior log density plus log-Jacobian written directly on the unconstrained line, for the one
 * bijector each prior family implies (normal: identity, halfNormal/logNormal: log, beta: logit),
 * with Stan's `~` constants dropped. Adds d/du to d[i] and returns the value.
 * In these coordinates a LogNormal prior with its Jacobian is a Gaussian in u = log x and
 * Beta(a, b) with its Jacobian is a log x + b log(1 - x).
 */
export type UnconstrainedPrior<P extends Prior = Prior> = (p: P, u: number, d: Float64Array, i: number) => number;

/** Unconstrained prior + Jacobian by prior family (see UnconstrainedPrior). */
export const UNCONSTRAINED_PRIORS = {
  normal: (p, u, d, i) => {
    const z = (u - p.mu) / p.sigma;
    d[i] -= z / p.sigma;
    return -0.5 * z * z;
  },
  halfNormal: (p, u, d, i) => {
    const z = Math.exp(u) / p.sigma;
    d[i] += 1 - z * z;
    return u - 0.5 * z * z;
  },
  logNormal: (p, u, d, i) => {
    // -log x from the density cancels the +u of the Jacobian
    const z = (u - p.mu) / p.sigma;
    d[i] -= z / p.sigma;
    return -0.5 * z * z;
  },
  beta: (p, u, d, i) => {
    const x = invLogit(u);
    const omx = 1 / (1 + Math.exp(u));
    d[i] += p.a * omx - p.b * x;
    return -p.a * softplus(-u) - p.b * softplus(u);
  },
} satisfies { [K in PriorKind]: UnconstrainedPrior<Extract<Prior, { kind: K }>> };

/** Prior + Jacobian at unconstrained u (adds its derivative to d[i]); see UNCONSTRAINED_PRIORS. */
export function unconstrainedPrior(p: Prior, u: number, d: Float64Array, i: number): number {
  return (UNCONSTRAINED_PRIORS[p.kind] as UnconstrainedPrior)(p, u, d, i);
}
