import type { ModelSpec, PriorsSpec } from '../spec/model-spec.ts';
import { PRIOR_SUPPORT } from '../spec/prior.ts';
import type { ModelData } from './model-data.ts';

/** Bijector from the unconstrained line to a parameter's support. */
export type Transform = 'identity' | 'log' | 'logit';

/** One named parameter group in the flat unconstrained vector. */
export interface ParamBlock {
  /** e.g. `beta`; element names are `beta[tv_S]`. */
  name: keyof PriorsSpec;
  /** first index in the flat vector */ offset: number;
  size: number;
  transform: Transform;
  /** Label of each element (channel, control or Fourier term). */
  labels: string[];
}

/**
 * Layout of the unconstrained parameter vector, in Stan's order for the reference model:
 * intercept, trend (delta), fourier[nF], beta[C], alpha[C], K[C], S[C], gamma[K], sigma.
 */
export interface ParamLayout {
  dim: number;
  blocks: ParamBlock[];
  /** Block by name (absent when the spec switches it off, e.g. trend none). */
  byName: Partial<Record<keyof PriorsSpec, ParamBlock>>;
  /** Flat element names, e.g. `alpha[tv_S]`. [dim] */
  names: string[];
}

const SUPPORT_TRANSFORM = { real: 'identity', positive: 'log', unit: 'logit' } as const satisfies Record<
  'real' | 'positive' | 'unit',
  Transform
>;

/** Builds the parameter layout for a spec and prepared data. */
export function buildLayout(spec: ModelSpec, data: Pick<ModelData, 'channels' | 'controls' | 'nF'>): ParamLayout {
  const fourierLabels = Array.from({ length: data.nF }, (_, i) => `${i % 2 === 0 ? 'sin' : 'cos'}${(i >> 1) + 1}`);
  const groups: [keyof PriorsSpec, string[]][] = [
    ['intercept', ['']],
    ['trend', spec.trend.kind === 'none' ? [] : ['']],
    ['fourier', fourierLabels],
    ['beta', data.channels],
    ['alpha', data.channels],
    ['K', data.channels],
    ['S', data.channels],
    ['gamma', data.controls],
    ['sigma', ['']],
  ];
  const blocks: ParamBlock[] = [];
  const byName: ParamLayout['byName'] = {};
  const names: string[] = [];
  let offset = 0;
  for (const [name, labels] of groups) {
    if (labels.length === 0) continue;
    const transform = SUPPORT_TRANSFORM[PRIOR_SUPPORT[spec.priors[name].kind]];
    const block: ParamBlock = { name, offset, size: labels.length, transform, labels };
    blocks.push(block);
    byName[name] = block;
    for (const l of labels) names.push(l === '' ? name : `${name}[${l}]`);
    offset += labels.length;
  }
  return { dim: offset, blocks, byName, names };
}
