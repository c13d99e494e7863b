import type { Prior, PriorKind } from '../spec/prior.ts';
import type { ModelSpec } from '../spec/model-spec.ts';
import type { ParamLayout } from '../model/layout.ts';
import { pooledColumn, type PosteriorTables } from './draws.ts';

/** Mean and variance of a prior distribution (constrained space). */
export interface PriorMoments {
  mean: number;
  variance: number;
}

/** Prior moments by family (closed forms). */
export const PRIOR_MOMENTS = {
  normal: (p) => ({ mean: p.mu, variance: p.sigma ** 2 }),
  halfNormal: (p) => ({ mean: p.sigma * Math.sqrt(2 / Math.PI), variance: p.sigma ** 2 * (1 - 2 / Math.PI) }),
  logNormal: (p) => ({
    mean: Math.exp(p.mu + p.sigma ** 2 / 2),
    variance: Math.expm1(p.sigma ** 2) * Math.exp(2 * p.mu + p.sigma ** 2),
  }),
  beta: (p) => {
    const n = p.a + p.b;
    return { mean: p.a / n, variance: (p.a * p.b) / (n * n * (n + 1)) };
  },
} satisfies { [K in PriorKind]: (p: Extract<Prior, { kind: K }>) => PriorMoments };

/** Mean and variance of a prior. */
export function priorMoments(p: Prior): PriorMoments {
  return (PRIOR_MOMENTS[p.kind] as (p: Prior) => PriorMoments)(p);
}

/** How much the data taught about one parameter. */
export interface ContractionRow {
  /** layout name, e.g. `beta[tv]` */ name: string;
  priorMean: number;
  priorSd: number;
  posteriorMean: number;
  posteriorSd: number;
  /**
   * 1 - posterior variance / prior variance (Betancourt 2018): near 1 the data determine the
   * parameter, near 0 the posterior is the prior (weakly identified); negative when wider.
   */
  contraction: number;
  /**
   * (posterior mean - reference) / posterior sd: with `truth` given, the reference is the true
   * value (Betancourt's posterior z-score); otherwise the prior mean (how far the data moved it).
   */
  z: number;
}

/**
 * Prior vs posterior contraction and z-score of every parameter of the layout.
 * @param truth optional true constrained values by layout name (synthetic data)
 */
export function priorPosteriorContraction(
  spec: ModelSpec,
  layout: ParamLayout,
  fit: PosteriorTables,
  truth?: Record<string, number>,
): ContractionRow[] {
  const rows: ContractionRow[] = [];
  for (const b of layout.blocks) {
    const pm = priorMoments(spec.priors[b.name]);
    for (let i = 0; i < b.size; i++) {
      const name = layout.names[b.offset + i];
      const d = pooledColumn(fit, name);
      let m = 0;
      for (const v of d) m += v;
      m /= d.length;
      let v2 = 0;
      for (const v of d) v2 += (v - m) ** 2;
      const sd = Math.sqrt(v2 / Math.max(1, d.length - 1));
      const ref = truth?.[name] ?? pm.mean;
      rows.push({
        name,
        priorMean: pm.mean,
        priorSd: Math.sqrt(pm.variance),
        posteriorMean: m,
        posteriorSd: sd,
        contraction: 1 - (sd * sd) / pm.variance,
        z: sd > 0 ? (m - ref) / sd : NaN,
      });
    }
  }
  return rows;
}
