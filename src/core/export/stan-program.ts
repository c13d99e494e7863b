import type { ModelSpec, PriorsSpec, TrendSpec, SeasonalitySpec, LikelihoodSpec, AdstockSpec, SaturationSpec } from '../spec/model-spec.ts';
import type { Prior, PriorKind } from '../spec/prior.ts';
import type { ModelData } from '../model/model-data.ts';
import { buildLayout, type Transform } from '../model/layout.ts';

// Writes the Stan program of the national model from the spec: every option of the spec
// (adstock length, trend and seasonality on/off, priors and their supports, controls present)
// changes the text. The program reads the data exactly as prepared for our kernels (stan-data.ts):
// spend / mean spend, standardised controls, y / mean y, and the trend and Fourier regressors
// themselves, so Stan and the kernels see the same numbers. Written without array declarations
// so the same file compiles on rstan 2.21 (Debian 12) and on current CmdStan (>= 2.33).

/** What a parameter group is called in the Stan program, and its length (null: a scalar `real`). */
export interface StanParam {
  /** name in the program and in CmdStan's CSV header (`beta.1`, `sigma`) */ stan: string;
  /** data variable holding its length, or null for a scalar */ size: 'C' | 'K' | 'nF' | null;
}

/** Stan names of our parameter groups (the peer's names: `delta` for the trend, `Khalf` for K). */
export const STAN_PARAMS = {
  intercept: { stan: 'intercept', size: null },
  trend: { stan: 'delta', size: null },
  fourier: { stan: 'fourier', size: 'nF' },
  beta: { stan: 'beta', size: 'C' },
  alpha: { stan: 'alpha', size: 'C' },
  K: { stan: 'Khalf', size: 'C' },
  S: { stan: 'S', size: 'C' },
  gamma: { stan: 'gamma', size: 'K' },
  sigma: { stan: 'sigma', size: null },
} as const satisfies Record<keyof PriorsSpec, StanParam>;

/** Declared bounds by bijector: Stan applies the same transform (log for lower=0, logit for (0, 1)). */
export const STAN_BOUNDS = { identity: '', log: '<lower=0>', logit: '<lower=0, upper=1>' } as const satisfies Record<Transform, string>;

/** A number as a Stan literal that parses back to the same double. */
export function stanNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`Cannot write ${x} into a Stan program: priors must be finite numbers.`);
  return String(x);
}

/** The right-hand side of `x ~ ...` for each prior family; the support comes from the declared bounds. */
const STAN_PRIORS = {
  normal: (p) => `normal(${stanNumber(p.mu)}, ${stanNumber(p.sigma)})`,
  halfNormal: (p) => `normal(0, ${stanNumber(p.sigma)})`,
  logNormal: (p) => `lognormal(${stanNumber(p.mu)}, ${stanNumber(p.sigma)})`,
  beta: (p) => `beta(${stanNumber(p.a)}, ${stanNumber(p.b)})`,
} satisfies { [K in PriorKind]: (p: Extract<Prior, { kind: K }>) => string };

/** `x ~ <prior>` text of a prior (Stan's `~` drops the constants our kernels drop too). */
export function stanPrior(p: Prior): string {
  return (STAN_PRIORS[p.kind] as (p: Prior) => string)(p);
}

/** Lines each model piece adds to the program's blocks. */
export interface Piece {
  functions?: string[];
  data?: string[];
  transformedData?: string[];
  /** terms added to the linear predictor mu ([N] vectors) */ mu?: string[];
}

/** Trend pieces by kind: the regressor (t-1)/(N-1) comes as data `t01`. */
export const TREND_PIECES = {
  linear: (_s: TrendSpec) => ({ data: ['vector[N] t01;                  // (t - 1) / (N - 1), linear trend regressor'], mu: ['delta * t01'] }),
  none: (_s: TrendSpec) => ({}),
} satisfies Record<TrendSpec['kind'], (s: TrendSpec) => Piece>;

/** Seasonality pieces by kind: the Fourier columns come as data `F`. */
export const SEASONALITY_PIECES = {
  fourier: (s) => ({
    data: [
      'int<lower=1> nF;                // Fourier columns (2 per order)',
      `matrix[N, nF] F;                // sin(2 pi j t / ${stanNumber(s.period)}), cos(...), j = 1..${s.order}, t = 1..N`,
    ],
    mu: ['F * fourier'],
  }),
  none: () => ({}),
} satisfies { [K in SeasonalitySpec['kind']]: (s: Extract<SeasonalitySpec, { kind: K }>) => Piece };

/** Adstock pieces: what `adstock(c, alpha_c)` means, as a Stan function of the lagged spend. */
export const ADSTOCK_PIECES = {
  geometric: (s) => ({
    functions: [
      '  // normalised geometric adstock of channel c: sum_{l<L} w_l u_{c,t-l}, w_l = alpha^l / sum_j alpha^j,',
      '  // zeros before week 1 (the direct L-lag sum, not a recursion)',
      '  vector adstock(matrix Xlag, int c, real alpha, int N, int L) {',
      '    vector[L] w;',
      '    for (l in 1:L) w[l] = pow(alpha, l - 1);',
      '    return block(Xlag, 1, (c - 1) * L + 1, N, L) * (w / sum(w));',
      '  }',
    ],
    data: [`int<lower=1> L;                 // adstock kernel length (max lag + 1), ${s.lags} in the spec`],
    transformedData: [
      '// Xlag[t, (c - 1) * L + l] = X[t - l + 1, c], zero before week 1; pos = 1 where a window holds spend',
      'matrix[N, C * L] Xlag = rep_matrix(0, N, C * L);',
      'matrix[N, C] pos = rep_matrix(0, N, C);',
      'for (c in 1:C) {',
      '  for (l in 1:L) for (t in l:N) Xlag[t, (c - 1) * L + l] = X[t - l + 1, c];',
      '  for (t in 1:N) if (sum(block(Xlag, t, (c - 1) * L + 1, 1, L)) > 0) pos[t, c] = 1;',
      '}',
    ],
  }),
} satisfies { [K in AdstockSpec['kind']]: (s: Extract<AdstockSpec, { kind: K }>) => Piece };

/** Saturation pieces: `saturate(a, pos, K, S)`, 0 where the window holds no spend. */
export const SATURATION_PIECES = {
  hill: (_s: SaturationSpec) => ({
    functions: [
      '  // Hill a^S / (a^S + K^S) as inv_logit(S (log a - log K)); 0 where pos = 0 (log(a + 1 - pos) keeps it finite)',
      '  vector saturate(vector a, vector pos, real K, real S) {',
      '    return pos .* inv_logit(S * (log(a + 1 - pos) - log(K)));',
      '  }',
    ],
  }),
} satisfies Record<SaturationSpec['kind'], (s: SaturationSpec) => Piece>;

/** Observation models: the `y ~` statement. */
const LIKELIHOOD_STATEMENTS = {
  normal: 'y ~ normal(mu, sigma);',
} satisfies Record<LikelihoodSpec['kind'], string>;

/** What the writer needs from the prepared data: names and counts, never the numbers. */
export type ProgramDims = Pick<ModelData, 'channels' | 'controls' | 'nF'>;

/**
 * The Stan program of the national model for a spec. Parameters are declared in our layout's
 * order (buildLayout), so Stan's unconstrained vector is ours element for element.
 * @param dims channel and control names (only their counts shape the program) and nF
 * @returns the program text (UTF-8, `\n` line ends)
 */
export function writeNationalStanProgram(spec: ModelSpec, dims: ProgramDims): string {
  const layout = buildLayout(spec, dims);
  const hasControls = dims.controls.length > 0;
  const pieces: Piece[] = [
    ADSTOCK_PIECES[spec.adstock.kind](spec.adstock),
    SATURATION_PIECES[spec.saturation.kind](spec.saturation),
    TREND_PIECES[spec.trend.kind](spec.trend),
    (SEASONALITY_PIECES[spec.seasonality.kind] as (s: SeasonalitySpec) => Piece)(spec.seasonality),
  ];
  const all = (k: keyof Piece) => pieces.flatMap((p) => p[k] ?? []);
  const muTerms = ['intercept', ...all('mu'), 'H * beta', ...(hasControls ? ['Z * gamma'] : [])];

  const params = layout.blocks.map((b) => {
    const sp = STAN_PARAMS[b.name];
    const type = sp.size === null ? `real${STAN_BOUNDS[b.transform]}` : `vector${STAN_BOUNDS[b.transform]}[${sp.size}]`;
    return { decl: `${type} ${sp.stan};`, prior: `${sp.stan} ~ ${stanPrior(spec.priors[b.name])};`, what: b.labels.filter(Boolean).join(', ') };
  });
  const indent = (lines: string[], n = 2) => lines.map((l) => (l === '' ? l : ' '.repeat(n) + l));
  const describe = [
    `adstock ${spec.adstock.kind} (L = ${spec.adstock.lags}), saturation ${spec.saturation.kind}, trend ${spec.trend.kind},`,
    spec.seasonality.kind === 'fourier'
      ? `seasonality fourier (order ${spec.seasonality.order}, period ${spec.seasonality.period}), likelihood ${spec.likelihood.kind},`
      : `seasonality none, likelihood ${spec.likelihood.kind},`,
    `${dims.channels.length} channels (${dims.channels.join(', ')}), ${dims.controls.length} controls${hasControls ? ` (${dims.controls.join(', ')})` : ''}.`,
  ];

  return [
    '// Carryover national MMM, written from the model spec by Carryover\'s Stan exporter.',
    '//',
    `//   y / y_scale = ${muTerms.join(' + ')} + noise (${spec.likelihood.kind}, sd sigma)`,
    '//   H[t, c] = saturate(adstock(spend_c / mean spend_c, alpha_c)_t, Khalf_c, S_c)',
    '//',
    ...describe.map((l) => `// ${l}`),
    '// The data file holds the inputs exactly as Carryover\'s own kernels see them (u = spend / mean spend,',
    '// standardised controls and 0/1 dummies, y / mean y, the trend and Fourier regressors).',
    'functions {',
    ...all('functions'),
    '}',
    'data {',
    ...indent([
      'int<lower=1> N;                 // weeks',
      'int<lower=1> C;                 // paid channels',
      'matrix<lower=0>[N, C] X;        // spend / mean spend per channel',
      'vector[N] y;                    // KPI / y_scale',
      'real<lower=0> y_scale;          // mean KPI, original units',
      'vector<lower=0>[C] spend_total; // total spend per channel, original units',
      ...all('data'),
      ...(hasControls ? ['int<lower=1> K;                 // controls', 'matrix[N, K] Z;                 // standardised controls and 0/1 dummies'] : []),
    ]),
    '}',
    'transformed data {',
    ...indent(all('transformedData')),
    '}',
    'parameters {',
    ...indent(params.map((p) => (p.what ? `${p.decl.padEnd(36)}// ${p.what}` : p.decl))),
    '}',
    'model {',
    ...indent([
      'matrix[N, C] H;',
      'vector[N] mu;',
      'for (c in 1:C) H[, c] = saturate(adstock(Xlag, c, alpha[c], N, L), col(pos, c), Khalf[c], S[c]);',
      `mu = ${muTerms.join(' + ')};`,
      ...params.map((p) => p.prior),
      LIKELIHOOD_STATEMENTS[spec.likelihood.kind],
    ]),
    '}',
    'generated quantities {',
    ...indent([
      'vector[C] contribution;         // total over the sample per channel, original units',
      'vector[C] roi;                  // contribution / total spend',
      'for (c in 1:C) {',
      '  contribution[c] = beta[c] * sum(saturate(adstock(Xlag, c, alpha[c], N, L), col(pos, c), Khalf[c], S[c])) * y_scale;',
      '  roi[c] = spend_total[c] > 0 ? contribution[c] / spend_total[c] : 0.0;',
      '}',
    ]),
    '}',
    '',
  ].join('\n');
}
