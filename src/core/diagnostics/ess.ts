import { autocovariance } from './autocovariance.ts';
import { allFinite, isConstant, mapChains, mean, poolChains, sampleVariance, splitChains, type ChainDraws } from './chains.ts';
import { quantiles } from './quantile.ts';
import { rankNormalize } from './rank.ts';

/**
 * Effective sample size of chains taken as given (no splitting, no ranks), rstan 2.21's
 * `ess_rfun`: combined autocorrelations rho_t = 1 - (W - mean_c acov_c[t]) / var_plus,
 * Geyer's initial positive sequence (pairs rho_2k + rho_2k+1 summed while positive),
 * then made monotone, tau = -1 + 2 sum(rho_0..rho_{T-1}) + rho_T (the last even lag, if positive,
 * softens the antithetic case), tau floored at 1 / log10(m n) so ESS <= m n log10(m n).
 * @param chains [chain][iteration], equal lengths n
 * @returns ESS in (0, m n log10(m n)]; m n for constant draws; NaN if non-finite or n < 3
 */
export function basicEss(chains: ChainDraws): number {
  const m = chains.length;
  const n = chains[0]!.length;
  if (!allFinite(chains) || n < 3) return NaN;
  if (isConstant(chains)) return m * n;
  const acov = chains.map(autocovariance);
  const meanAcov = (t: number) => {
    let s = 0;
    for (let c = 0; c < m; c++) s += acov[c]![t]!;
    return s / m;
  };
  const meanVar = (meanAcov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += sampleVariance(chains.map(mean));
  const rhoAt = (t: number) => 1 - (meanVar - meanAcov(t)) / varPlus;

  const rho = new Float64Array(n);
  let t = 0;
  let rhoEven = 1;
  let rhoOdd = rhoAt(1);
  rho[0] = rhoEven;
  rho[1] = rhoOdd;
  // the `n - 5` bound and the assignment only when the pair is >= 0 are rstan's, kept for agreement
  while (t < n - 5 && !Number.isNaN(rhoEven + rhoOdd) && rhoEven + rhoOdd > 0) {
    t += 2;
    rhoEven = rhoAt(t);
    rhoOdd = rhoAt(t + 1);
    if (rhoEven + rhoOdd >= 0) {
      rho[t] = rhoEven;
      rho[t + 1] = rhoOdd;
    }
  }
  const maxT = t;
  if (rhoEven > 0) rho[maxT] = rhoEven;

  // initial monotone sequence: no pair sum may exceed the one before it
  for (t = 2; t <= maxT - 2; t += 2) {
    const prev = rho[t - 2]! + rho[t - 1]!;
    if (rho[t]! + rho[t + 1]! > prev) {
      rho[t] = prev / 2;
      rho[t + 1] = prev / 2;
    }
  }

  // R's sum(rho[1:max_t]) with max_t = 0 reads rho[1] (1:0 is c(1, 0)), hence the max(.., 1)
  let sum = 0;
  for (let k = 0; k < Math.max(maxT, 1); k++) sum += rho[k]!;
  const total = m * n;
  const tau = Math.max(-1 + 2 * sum + rho[maxT]!, 1 / Math.log10(total));
  return total / tau;
}

/**
 * Bulk ESS: `basicEss` of split, rank-normalised chains (rstan 2.21 `ess_bulk`).
 * Efficiency for the centre of the distribution (means, medians).
 * @param chains [chain][iteration]
 * @returns draws-equivalent count, up to ~S log10(S) with S the (split) draw count
 */
export function essBulk(chains: ChainDraws): number {
  if (!allFinite(chains)) return NaN;
  return basicEss(rankNormalize(splitChains(chains)));
}

/**
 * ESS of the quantile at probability p: `basicEss` of the split indicator x <= q_p, with q_p
 * the type-7 sample quantile over all draws (rstan 2.21 `ess_quantile`).
 * @param chains [chain][iteration]
 * @param prob in (0, 1)
 */
export function essQuantile(chains: ChainDraws, prob: number): number {
  if (!allFinite(chains)) return NaN;
  const q = quantiles(poolChains(chains), [prob])[0]!;
  return basicEss(splitChains(mapChains(chains, (v) => (v <= q ? 1 : 0))));
}

/**
 * Tail ESS: min of the 5% and 95% quantile ESS (rstan 2.21 `ess_tail`). Efficiency for
 * interval ends; low when chains visit the tails rarely or differ in scale.
 * @param chains [chain][iteration]
 */
export function essTail(chains: ChainDraws): number {
  return Math.min(essQuantile(chains, 0.05), essQuantile(chains, 0.95));
}

/**
 * ESS of the mean: `basicEss` of split chains without ranks (rstan's `ess_mean` in
 * the Vehtari et al. sense). For Monte Carlo standard errors of posterior means.
 * @param chains [chain][iteration]
 */
export function essMean(chains: ChainDraws): number {
  if (!allFinite(chains)) return NaN;
  return basicEss(splitChains(chains));
}
