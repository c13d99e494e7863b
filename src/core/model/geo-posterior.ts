import type { GeoModelSpec } from '../spec/geo-spec.ts';
import { priorLogDensity } from '../spec/prior.ts';
import type { ModelParams } from './constrain.ts';
import { BIJECTORS } from './bijectors.ts';
import type { GeoModelData } from './geo-model-data.ts';
import { geoSlice } from './geo-model-data.ts';
import type { GeoBlockName, GeoParamLayout } from './geo-layout.ts';
import { LIKELIHOODS, meanResponse } from './posterior.ts';

// The plain geo density, written through the national reference code one geo at a time: no
// speed tricks, so that the fused and tfjs geo kernels have an obvious implementation to match.

/** One constrained draw of the geo model, by group (shapes as in GeoParamLayout). */
export interface GeoParams {
  /** per geo [G], units of per-capita y / yScale (derived from the level in the level parametrization) */ intercept: Float64Array;
  /** trend coefficient (0 when off) */ trend: number;
  /** [nF] */ fourier: Float64Array;
  /** [C] location of log beta */ betaMu: Float64Array;
  /** [C] > 0, scale of log beta across geos */ betaTau: Float64Array;
  /** [C * G] channel-major: standard normal offsets (nonCentred) or log beta (centred) */ betaZ: Float64Array;
  /** true when betaZ holds log beta (centred parametrisation) */ centred: boolean;
  /** [C] in (0, 1) */ alpha: Float64Array;
  /** [C] > 0 */ K: Float64Array;
  /** [C] > 0 */ S: Float64Array;
  /** [G * K] geo-major */ gamma: Float64Array;
  /** [1] shared or [G] per geo */ sigma: Float64Array;
}

/** Unconstrained [dim] -> constrained [dim], element by element. */
export function constrainGeo(layout: GeoParamLayout, theta: ArrayLike<number>, out = new Float64Array(layout.dim)): Float64Array {
  for (const b of layout.blocks) {
    const f = BIJECTORS[b.transform].forward;
    for (let i = b.offset; i < b.offset + b.size; i++) out[i] = f(theta[i]);
  }
  return out;
}

/** Constrained [dim] -> unconstrained [dim]. */
export function unconstrainGeo(layout: GeoParamLayout, x: ArrayLike<number>, out = new Float64Array(layout.dim)): Float64Array {
  for (const b of layout.blocks) {
    const f = BIJECTORS[b.transform].inverse;
    for (let i = b.offset; i < b.offset + b.size; i++) out[i] = f(x[i]);
  }
  return out;
}

const FIELD = {
  intercept: 'intercept', level: 'intercept', trend: 'trend', fourier: 'fourier', beta_mu: 'betaMu', beta_tau: 'betaTau', beta_z: 'betaZ', beta_log: 'betaZ',
  alpha: 'alpha', K: 'K', S: 'S', gamma: 'gamma', sigma: 'sigma',
} as const satisfies Record<GeoBlockName, keyof GeoParams>;

/** The spec and data a level-parametrized layout needs to turn levels into intercepts and back. */
export interface GeoModelContext {
  spec: GeoModelSpec;
  data: GeoModelData;
}

/**
 * mean_t (mu_g,t - intercept_g) per geo [G]: what the level parametrization subtracts from
 * level_g to get intercept_g (p.intercept is not read).
 * @param geoContribution the draw's contributions (deriveGeoChannels, KPI units, [G * C]) when at
 *   hand: the media part is then sum_c contribution_g,c / (yScale P_g N), with no second pass over the media
 */
export function geoMeanOffsets(spec: GeoModelSpec, data: GeoModelData, p: GeoParams, geoContribution?: Float64Array): Float64Array {
  const { G, N, C, K, nF } = data;
  const out = new Float64Array(G);
  if (!geoContribution) {
    for (let g = 0; g < G; g++) {
      const mu = meanResponse(spec, geoSlice(data, g), { ...paramsOfGeo(p, g, G), intercept: 0 });
      out[g] = mu.reduce((a, b) => a + b, 0) / N;
    }
    return out;
  }
  let shared = 0;
  for (let t = 0; t < N; t++) {
    let v = p.trend * data.t01[t];
    for (let j = 0; j < nF; j++) v += data.F[t * nF + j] * p.fourier[j];
    shared += v;
  }
  for (let g = 0; g < G; g++) {
    let s = shared;
    for (let t = 0; t < N; t++) for (let k = 0; k < K; k++) s += data.Z[(g * N + t) * K + k] * p.gamma[g * K + k];
    let media = 0;
    for (let c = 0; c < C; c++) media += geoContribution[g * C + c];
    out[g] = s / N + media / (data.yScale * data.population[g] * N);
  }
  return out;
}

/**
 * Splits a constrained vector [dim] into groups; absent groups are 0 / empty. With a `level`
 * block (geo.intercept 'level') the intercepts are derived: intercept_g = level_g - geoMeanOffsets_g.
 * @throws when the layout has levels and `model` is not given
 */
export function toGeoParams(layout: GeoParamLayout, x: ArrayLike<number>, model?: GeoModelContext): GeoParams {
  const p = splitGeoParams(layout, x);
  if (!layout.byName.level) return p;
  if (!model) throw new Error('The level parametrization needs the spec and data to derive the intercepts.');
  const off = geoMeanOffsets(model.spec, model.data, p);
  for (let g = 0; g < off.length; g++) p.intercept[g] -= off[g];
  return p;
}

/**
 * Splits a constrained vector [dim] into groups as they are sampled: with a `level` block,
 * `intercept` holds the levels (toGeoParams derives the intercepts).
 */
export function splitGeoParams(layout: GeoParamLayout, x: ArrayLike<number>): GeoParams {
  const vec = (n: GeoBlockName) => {
    const b = layout.byName[n];
    return b ? Float64Array.from({ length: b.size }, (_, i) => x[b.offset + i]) : new Float64Array(0);
  };
  const tb = layout.byName.trend;
  return {
    intercept: layout.byName.level ? vec('level') : vec('intercept'), trend: tb ? x[tb.offset] : 0, fourier: vec('fourier'), betaMu: vec('beta_mu'),
    betaTau: vec('beta_tau'), betaZ: layout.byName.beta_log ? vec('beta_log') : vec('beta_z'), centred: !!layout.byName.beta_log, alpha: vec('alpha'), K: vec('K'), S: vec('S'),
    gamma: vec('gamma'), sigma: vec('sigma'),
  };
}

/**
 * Flattens groups into a constrained vector [dim] in layout order (levels from the intercepts
 * when the layout has them: level_g = intercept_g + geoMeanOffsets_g).
 * @throws when the layout has levels and `model` is not given
 */
export function fromGeoParams(layout: GeoParamLayout, p: GeoParams, model?: GeoModelContext): Float64Array {
  const out = new Float64Array(layout.dim);
  const lb = layout.byName.level;
  if (lb) {
    if (!model) throw new Error('The level parametrization needs the spec and data to derive the levels.');
    const off = geoMeanOffsets(model.spec, model.data, p);
    p = { ...p, intercept: Float64Array.from(p.intercept, (v, g) => v + off[g]) };
  }
  for (const b of layout.blocks) {
    const v = p[FIELD[b.name]] as number | Float64Array;
    const arr = typeof v === 'number' ? [v] : v;
    if (arr.length !== b.size) throw new Error(`Parameter ${b.name} has ${arr.length} values; the layout expects ${b.size}.`);
    for (let i = 0; i < b.size; i++) out[b.offset + i] = arr[i];
  }
  return out;
}

/** beta_g,c = exp(beta_mu_c + beta_tau_c * beta_z_c,g) (centred: exp(beta_log_c,g)), geo-major [G * C]. */
export function geoBeta(p: GeoParams, G: number): Float64Array {
  const C = p.betaMu.length;
  const out = new Float64Array(G * C);
  for (let g = 0; g < G; g++) for (let c = 0; c < C; c++) out[g * C + c] = Math.exp(p.centred ? p.betaZ[c * G + g] : p.betaMu[c] + p.betaTau[c] * p.betaZ[c * G + g]);
  return out;
}

/** Geo g's parameters in the national parametrisation (its beta, intercept, gamma and sigma). */
export function paramsOfGeo(p: GeoParams, g: number, G: number): ModelParams {
  const C = p.betaMu.length;
  const K = p.gamma.length / G;
  return {
    intercept: p.intercept[g],
    trend: p.trend,
    fourier: p.fourier,
    beta: Float64Array.from({ length: C }, (_, c) => Math.exp(p.centred ? p.betaZ[c * G + g] : p.betaMu[c] + p.betaTau[c] * p.betaZ[c * G + g])),
    alpha: p.alpha,
    K: p.K,
    S: p.S,
    gamma: p.gamma.slice(g * K, (g + 1) * K),
    sigma: p.sigma.length === 1 ? p.sigma[0] : p.sigma[g],
  };
}

/**
 * The geo model's log posterior at unconstrained theta [dim], Jacobians included, Stan's `~`
 * constants dropped:
 *   sum over elements of prior(x_i) + log|dx_i/du_i|   (level_g: no prior of its own)
 *   [level] + sum_g prior_intercept(level_g - mean_t(mu_g,t - intercept_g))
 *   [centred] + sum_c,g [-log tau_c - (beta_log_c,g - beta_mu_c)^2 / (2 tau_c^2)]
 *   + sum_g sum_t [-log sigma_g - (y_g,t - mu_g,t)^2 / (2 sigma_g^2)]
 * with mu_g,t = meanResponse of geo g's slice under paramsOfGeo (intercept_g + delta t01_t
 * + F_t f + sum_c beta_g,c hill(adstock(u_g,c))_t + Z_g,t gamma_g).
 */
export function geoLogPosterior(spec: GeoModelSpec, data: GeoModelData, layout: GeoParamLayout, theta: ArrayLike<number>): number {
  const x = constrainGeo(layout, theta);
  let lp = 0;
  for (const b of layout.blocks) {
    const jac = BIJECTORS[b.transform].logJacobian;
    for (let i = b.offset; i < b.offset + b.size; i++) lp += (b.prior ? priorLogDensity(b.prior, x[i]) : 0) + jac(theta[i]);
  }
  const p = toGeoParams(layout, x, { spec, data });
  // level parametrization: the intercept prior applies to the derived intercepts
  if (layout.byName.level) for (const b of p.intercept) lp += priorLogDensity(spec.priors.intercept, b);
  if (p.centred) {
    const C = p.betaMu.length;
    for (let c = 0; c < C; c++) {
      for (let g = 0; g < data.G; g++) lp += -Math.log(p.betaTau[c]) - 0.5 * ((p.betaZ[c * data.G + g] - p.betaMu[c]) / p.betaTau[c]) ** 2;
    }
  }
  for (let g = 0; g < data.G; g++) {
    const slice = geoSlice(data, g);
    const pg = paramsOfGeo(p, g, data.G);
    lp += LIKELIHOODS[spec.likelihood.kind](slice.y, meanResponse(spec, slice, pg), pg.sigma);
  }
  return lp;
}
