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
 */
export const geoHierarchySchema = z
  .object({
    noise: z.enum(['shared', 'perGeo']),
    parametrization: z.enum(['nonCentred', 'centred']),
    betaMu: priorSchema,
    betaTau: priorSchema,
  })
  .strict();

/**
 * The geo model spec: the national spec (adstock, saturation, trend, seasonality, likelihood and
 * its priors, which keep their meaning: intercept_g, gamma_g,k and sigma take the national
 * intercept, gamma and sigma priors; beta's prior is replaced by the hierarchy) plus `geo`.
 */
export const geoModelSpecSchema = modelSpecSchema.extend({ geo: geoHierarchySchema }).strict();

export type GeoHierarchySpec = z.infer<typeof geoHierarchySchema>;
export type GeoModelSpec = z.infer<typeof geoModelSpecSchema>;

/**
 * Default hierarchy: beta_mu ~ N(-1.5, 1) puts exp(beta_mu) (the typical per-geo effect, units of
 * per-capita y / its mean) at 0.22 with a 90% range 0.04-1.2, the bulk of the national
 * HalfNormal(0.5); beta_tau ~ HalfNormal(0.5) allows geo effects from equal (tau -> 0: the
 * national model, full pooling) to a factor ~2.7 apart (tau = 1); Meridian's shared sigma.
 */
export const DEFAULT_GEO_HIERARCHY: GeoHierarchySpec = {
  noise: 'shared',
  parametrization: 'nonCentred',
  betaMu: { kind: 'normal', mu: -1.5, sigma: 1 },
  betaTau: { kind: 'halfNormal', sigma: 0.5 },
};

/** The reference national model plus the default hierarchy. */
export const DEFAULT_GEO_MODEL_SPEC: GeoModelSpec = { ...DEFAULT_MODEL_SPEC, geo: DEFAULT_GEO_HIERARCHY };

/** Whether a spec is the geo model (it carries the `geo` hierarchy). */
export function isGeoSpec(spec: ModelSpec | GeoModelSpec): spec is GeoModelSpec {
  return (spec as Partial<GeoModelSpec>).geo !== undefined;
}
