import type { Prior } from '../spec/prior.ts';
import { PRIOR_SUPPORT } from '../spec/prior.ts';
import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { Transform } from './layout.ts';
import type { GeoModelData } from './geo-model-data.ts';

/** Parameter groups of the geo model, in layout order. */
export const GEO_BLOCKS = ['intercept', 'level', 'trend', 'fourier', 'beta_mu', 'beta_tau', 'beta_z', 'beta_log', 'alpha', 'K', 'S', 'gamma', 'sigma'] as const;
export type GeoBlockName = (typeof GEO_BLOCKS)[number];

/** One group of the geo model's flat unconstrained vector. */
export interface GeoParamBlock {
  name: GeoBlockName;
  /** first index */ offset: number;
  size: number;
  transform: Transform;
  /** prior of every element (constrained space); undefined for beta_log, whose prior N(beta_mu, beta_tau) is the hierarchy, and for level, whose derived intercept carries priors.intercept */
  prior: Prior | undefined;
  /** label of each element, e.g. `Geo0` or `Channel0,Geo3` */ labels: string[];
}

/**
 * Layout of the geo model's unconstrained vector (the Stan program's parameter order):
 *   intercept[G] (geo.intercept 'direct') or level[G] ('level': mean_t mu_g,t, no prior of its own), trend (absent with trend none), fourier[nF], beta_mu[C], beta_tau[C],
 *   beta_z[C * G] (nonCentred) or beta_log[C * G] (centred), channel-major: index c * G + g,
 *   alpha[C], K[C], S[C],
 *   gamma[G * K] (geo-major: index g * K + k), sigma[1 or G].
 */
export interface GeoParamLayout {
  dim: number;
  blocks: GeoParamBlock[];
  byName: Partial<Record<GeoBlockName, GeoParamBlock>>;
  /** element names, e.g. `beta_z[Channel0,Geo3]`, `sigma` or `sigma[Geo3]` [dim] */ names: string[];
}

const SUPPORT_TRANSFORM = { real: 'identity', positive: 'log', unit: 'logit' } as const;
const STD_NORMAL: Prior = { kind: 'normal', mu: 0, sigma: 1 };

/**
 * Whether the spec samples each geo's level (mean over weeks of mu_g,t) instead of its intercept:
 * `geo.intercept` 'level' (DEFAULT_GEO_HIERARCHY's choice; absent means 'direct', so specs written
 * before the option keep their parameters). The level parametrization needs a real-line
 * (normal) intercept prior, since intercept_g = level_g - mean_t(mu_g,t - intercept_g) can take any sign.
 * @throws when the level parametrization meets an intercept prior on a bounded support
 */
export function interceptIsLevel(spec: GeoModelSpec): boolean {
  if (spec.geo.intercept !== 'level') return false;
  if (PRIOR_SUPPORT[spec.priors.intercept.kind] !== 'real') {
    throw new Error(`geo.intercept 'level' needs a normal intercept prior (got ${spec.priors.intercept.kind}); use geo.intercept 'direct'.`);
  }
  return true;
}

/** Builds the geo layout for a spec and prepared geo data. */
export function buildGeoLayout(spec: GeoModelSpec, d: Pick<GeoModelData, 'geos' | 'channels' | 'controls' | 'nF'>): GeoParamLayout {
  const p = spec.priors;
  const cross = (a: string[], b: string[]) => a.flatMap((x) => b.map((y) => `${x},${y}`));
  const fourier = Array.from({ length: d.nF }, (_, i) => `${i % 2 === 0 ? 'sin' : 'cos'}${(i >> 1) + 1}`);
  const centred = spec.geo.parametrization === 'centred';
  const groups: [GeoBlockName, string[], Prior | undefined][] = [
    interceptIsLevel(spec) ? ['level', d.geos, undefined] : ['intercept', d.geos, p.intercept],
    ['trend', spec.trend.kind === 'none' ? [] : [''], p.trend],
    ['fourier', fourier, p.fourier],
    ['beta_mu', d.channels, spec.geo.betaMu],
    ['beta_tau', d.channels, spec.geo.betaTau],
    centred ? ['beta_log', cross(d.channels, d.geos), undefined] : ['beta_z', cross(d.channels, d.geos), STD_NORMAL],
    ['alpha', d.channels, p.alpha],
    ['K', d.channels, p.K],
    ['S', d.channels, p.S],
    ['gamma', cross(d.geos, d.controls), p.gamma],
    ['sigma', spec.geo.noise === 'perGeo' ? d.geos : [''], p.sigma],
  ];
  const blocks: GeoParamBlock[] = [];
  const byName: GeoParamLayout['byName'] = {};
  const names: string[] = [];
  let offset = 0;
  for (const [name, labels, prior] of groups) {
    if (labels.length === 0) continue;
    const block: GeoParamBlock = { name, offset, size: labels.length, transform: prior ? SUPPORT_TRANSFORM[PRIOR_SUPPORT[prior.kind]] : 'identity', prior, labels };
    blocks.push(block);
    byName[name] = block;
    for (const l of labels) names.push(l === '' ? name : `${name}[${l}]`);
    offset += labels.length;
  }
  return { dim: offset, blocks, byName, names };
}
