import { quantileSorted } from '../diagnostics/quantile.ts';
import type { PredictiveDraws } from './predictive.ts';

/** Test statistics of the posterior predictive checks (closed set). */
export type PpcStatistic = 'mean' | 'sd' | 'min' | 'max' | 'lag1_autocorrelation';

/** A statistic of one series [n]. */
type StatFn = (y: ArrayLike<number>) => number;

function seriesMean(y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s += y[i];
  return s / y.length;
}

/** Statistics by name: sd with n - 1; lag-1 autocorrelation sum (y_t - m)(y_t+1 - m) / sum (y_t - m)^2. */
export const PPC_STATISTICS = {
  mean: seriesMean,
  sd: (y) => {
    const m = seriesMean(y);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += (y[i] - m) ** 2;
    return Math.sqrt(s / (y.length - 1));
  },
  min: (y) => {
    let v = Infinity;
    for (let i = 0; i < y.length; i++) v = Math.min(v, y[i]);
    return v;
  },
  max: (y) => {
    let v = -Infinity;
    for (let i = 0; i < y.length; i++) v = Math.max(v, y[i]);
    return v;
  },
  lag1_autocorrelation: (y) => {
    const m = seriesMean(y);
    let num = 0;
    let den = 0;
    for (let i = 0; i < y.length; i++) {
      den += (y[i] - m) ** 2;
      if (i + 1 < y.length) num += (y[i] - m) * (y[i + 1] - m);
    }
    return den > 0 ? num / den : NaN;
  },
} satisfies Record<PpcStatistic, StatFn>;

/** One posterior predictive check: the statistic of the data against its replicated draws. */
export interface PpcRow {
  statistic: PpcStatistic;
  /** T(y), KPI units (autocorrelation unitless) */ observed: number;
  /** mean, 5% and 95% quantiles of T(y_rep) over draws */ replicatedMean: number;
  q05: number;
  q95: number;
  /**
   * Posterior predictive p-value P(T(y_rep) >= T(y)), ties counted half; near 0 or 1 means the
   * model rarely reproduces the data's value of this statistic.
   */
  pValue: number;
}

/**
 * Posterior predictive checks for every statistic in PPC_STATISTICS.
 * @param actual [N] observed KPI, original units; @param pd replicated draws of the same weeks
 */
export function posteriorPredictiveChecks(actual: ArrayLike<number>, pd: PredictiveDraws): PpcRow[] {
  const { nDraws: S, nWeeks: N } = pd;
  if (actual.length !== N) throw new Error(`posteriorPredictiveChecks: ${actual.length} values for ${N} weeks.`);
  return (Object.keys(PPC_STATISTICS) as PpcStatistic[]).map((statistic) => {
    const f: StatFn = PPC_STATISTICS[statistic];
    const observed = f(actual);
    const rep = new Float64Array(S);
    let above = 0;
    for (let s = 0; s < S; s++) {
      const v = f(pd.yrep.subarray(s * N, (s + 1) * N));
      rep[s] = v;
      above += v > observed ? 1 : v === observed ? 0.5 : 0;
    }
    const sorted = rep.slice().sort();
    return {
      statistic,
      observed,
      replicatedMean: seriesMean(rep),
      q05: quantileSorted(sorted, 0.05),
      q95: quantileSorted(sorted, 0.95),
      pValue: above / S,
    };
  });
}
