import { z } from 'zod';
import { priorSchema } from './prior.ts';
import { DEFAULT_MODEL_SPEC, modelSpecSchema, type ModelSpec } from './model-spec.ts';

/**
 * The geo hierarchy on top of the national spec. Channel effects are partially pooled:
 * log beta_g,c ~ N(beta_mu_c, beta_tau_c), written `nonCentred` as log beta_g,c = beta_mu_c +
 * beta_tau_c * beta_z_c,g with beta_z ~ N(0, 1) (parameters beta_z), or `centred` with
 * parameters beta_log_c,g = log beta_g,c directly (better when each geo's data pin its effects).
 * The same model either way; only the sampler's geometry differs.
 * `betaMu` is the prior of beta_mu_c (real line), `betaTau` of beta_tau_c (positive);
 * `noise`: one residual sd for every geo (`shared`) or one per geo (`perGeo`), each with
 * the base spec's sigma prior.
 * `intercept`: what is sampled for each geo's baseline, again the same model either way:
 * `level` (DEFAULT_GEO_HIERARCHY; absent means `direct`, what specs written before the option meant) samples level_g = mean_t mu_g,t, the geo's mean fitted
 * value, and derives intercept_g = level_g - mean_t(mu_g,t - intercept_g), on which the intercept
 * prior sits (a shift by a function of the other parameters: Jacobian 1); `direct` samples
 * intercept_g. Spend is on in almost every week, so each geo's intercept trades against its
 * mean media contribution (and the trend's mean): with `direct` the 20 intercepts of the
 * Meridian geo demo move as one ridge (one correlation eigenvalue of 18) with the media level,
 * and NUTS needs ~3x the leapfrogs (bench/README.md, 2026-11-30). `level` needs a normal
 * intercept prior.
 */
export const geoHierarchySchema = z
  .object({
    noise: z.enum(['shared', 'perGeo']),
    parametrization: z.enum(['nonCentred', 'centred']),
    intercept: z.enum(['level', 'direct']).optional(),
    betaMu: priorSchema,
    betaTau: priorSchema,
  })
  .strict();

/**
 * The geo model spec: the national spec plus `geo`. The model, exactly as the kernels
 * (fused-geo.ts, tfjs-geo-density.ts) and the plain density (geo-posterior.ts) compute it,
 * for g = 1..G geos, t = 1..N weeks, c = 1..C channels, k = 1..K control columns:
 *
 * Data (geo-model-data.ts), P_g = population (1 when unmapped):
 *   y_g,t   = (kpi_g,t / P_g) / ybar,          ybar = mean_{g,t}(kpi_g,t / P_g)
 *   u_g,c,t = (spend_g,c,t / P_g) / m_c,       m_c  = mean_{g,t}(spend_g,c,t / P_g)
 *   z_g,t,k = numeric controls standardised over all geo-weeks (sample sd), 0/1 factor dummies
 *   t01_t = (t-1)/(N-1) (0 with trend none), F_t = Fourier features as the national model
 * Mean:
 *   mu_g,t = intercept_g + delta t01_t + F_t . f + z_g,t . gamma_g
 *          + sum_c beta_g,c hill(adstock_c(u_g,c)_t)
 *   adstock / hill exactly as peer/stan/mmm.stan (normalised geometric weights, L lags, zeros
 *   before week 1; hill(a) = a^S_c / (a^S_c + K_c^S_c), 0 where a = 0), alpha_c, K_c, S_c shared by geos
 *   log beta_g,c ~ Normal(beta_mu_c, beta_tau_c)
 *     nonCentred: parameters beta_z[c,g] ~ Normal(0, 1), log beta_g,c = beta_mu_c + beta_tau_c beta_z[c,g]
 *     centred:    parameters beta_log[c,g] = log beta_g,c with beta_log[c,g] ~ Normal(beta_mu_c, beta_tau_c)
 * Likelihood: y_g,t ~ Normal(mu_g,t, sigma) (noise shared) or Normal(mu_g,t, sigma_g) (perGeo)
 * Priors (each element independent): intercept_g ~ priors.intercept; delta ~ priors.trend;
 *   f ~ priors.fourier; beta_mu_c ~ geo.betaMu; beta_tau_c ~ geo.betaTau; alpha_c ~ priors.alpha;
 *   K_c ~ priors.K; S_c ~ priors.S; gamma_g,k ~ priors.gamma; sigma(_g) ~ priors.sigma
 *   (priors.beta is unused: the hierarchy replaces it).
 * Level parametrization (geo.intercept 'level'): the first block is level[G] (identity, no prior
 *   of its own) and intercept_g = level_g - (1/N) sum_t (mu_g,t - intercept_g), with
 *   intercept_g ~ priors.intercept (normal) evaluated at that derived value.
 * Unconstrained order (geo-layout.ts): intercept[G] (or level[G]), delta, f[nF], beta_mu[C], beta_tau[C] (log),
 *   beta_z or beta_log [C x G] channel-major (index c G + g), alpha[C] (logit), K[C] (log),
 *   S[C] (log), gamma[G x K] geo-major (index g K + k), sigma[1 or G] (log); log density with
 *   Jacobians, Stan's `~` constants dropped (-log sigma and -log tau terms kept).
 * Derived (geo-derived.ts): contribution_g,c = ybar P_g sum_t beta_g,c h_g,c,t (KPI units);
 *   ROI_g,c = contribution_g,c / sum_t spend_g,c,t; national contribution_c = sum_g contribution_g,c,
 *   ROI_c = contribution_c / sum_g,t spend_g,c,t.
 * National limit: G = 1, P = 1, beta_tau -> 0 gives the reference national model with a
 *   LogNormal(betaMu) prior on beta (test/core/geo-fused.test.ts checks the likelihoods agree).
 */
export const geoModelSpecSchema = modelSpecSchema.extend({ geo: geoHierarchySchema }).strict();

export type GeoHierarchySpec = z.infer<typeof geoHierarchySchema>;
export type GeoModelSpec = z.infer<typeof geoModelSpecSchema>;

/**
 * Default hierarchy. Both y and spend are per capita and divided by their panel means
 * (geo-model-data.ts), so a beta means the same in a geo of 150k people as in one of 1M and one
 * prior serves every geo and every channel: beta_mu ~ N(-1.5, 1) puts exp(beta_mu) (the typical per-geo effect, units of
 * per-capita y / its mean) at 0.22 with a 90% range 0.04-1.2, the bulk of the national
 * HalfNormal(0.5); beta_tau ~ HalfNormal(0.5) allows geo effects from equal (tau -> 0: the
 * national model, full pooling) to a factor ~2.7 apart (tau = 1); on Meridian's geo demo the
 * posterior tau is 0.05-0.11 (geos close: the regime where nonCentred mixes and centred funnels);
 * Meridian's shared sigma; level intercepts (see geoHierarchySchema: they remove the ridge the
 * intercepts form with the media level).
 * Measured on the demo (bench/README.md, 2026-11-30): converged in 400 draws/chain, 0 divergences.
 */
export const DEFAULT_GEO_HIERARCHY: GeoHierarchySpec = {
  noise: 'shared',
  parametrization: 'nonCentred',
  intercept: 'level',
  betaMu: { kind: 'normal', mu: -1.5, sigma: 1 },
  betaTau: { kind: 'halfNormal', sigma: 0.5 },
};

/** The reference national model plus the default hierarchy. */
export const DEFAULT_GEO_MODEL_SPEC: GeoModelSpec = { ...DEFAULT_MODEL_SPEC, geo: DEFAULT_GEO_HIERARCHY };

/** Whether a spec is the geo model (it carries the `geo` hierarchy). */
export function isGeoSpec(spec: ModelSpec | GeoModelSpec): spec is GeoModelSpec {
  return (spec as Partial<GeoModelSpec>).geo !== undefined;
}
