import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { AdstockSpec, LikelihoodSpec, SeasonalitySpec } from '../spec/model-spec.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { buildGeoLayout, type GeoBlockName, type GeoParamBlock, type GeoParamLayout } from '../model/geo-layout.ts';
import { ADSTOCK_PIECES, SATURATION_PIECES, SEASONALITY_PIECES, STAN_BOUNDS, TREND_PIECES, stanNumber, stanPrior, type Piece } from './stan-program.ts';

// Writes the Stan program of the geo model (geo-spec.ts) from the spec: the hierarchy's
// parametrization (beta_z, or log_beta: our beta_log, renamed as Stan reserves `beta_log`) and noise (one sigma or one per geo), every prior family
// and its support, trend and seasonality on/off, adstock length and controls present change the
// text. Parameters are declared in buildGeoLayout's order with matrices shaped so that Stan's
// column-major unconstrained vector is our layout element for element: beta_z / log_beta as
// matrix[G, C] (index c G + g), gamma as matrix[K, G] (index g K + k). The data are the geo
// kernels' own arrays, geo-major rows (g - 1) N + t (stan-geo-data.ts). No array declarations,
// so the file compiles on rstan 2.21 and on current CmdStan, like the national program.

/** The shape of a parameter group in the program. */
export type StanShape = { kind: 'scalar' } | { kind: 'vector'; size: string } | { kind: 'matrix'; rows: string; cols: string };

/** Stan name and shape of each geo parameter group (sigma: a scalar when shared, vector[G] per geo). */
export function geoStanParams(spec: GeoModelSpec): Record<GeoBlockName, { stan: string; shape: StanShape }> {
  const vec = (size: string): StanShape => ({ kind: 'vector', size });
  return {
    intercept: { stan: 'intercept', shape: vec('G') },
    level: { stan: 'level', shape: vec('G') },
    trend: { stan: 'delta', shape: { kind: 'scalar' } },
    fourier: { stan: 'fourier', shape: vec('nF') },
    beta_mu: { stan: 'beta_mu', shape: vec('C') },
    beta_tau: { stan: 'beta_tau', shape: vec('C') },
    beta_z: { stan: 'beta_z', shape: { kind: 'matrix', rows: 'G', cols: 'C' } },
    beta_log: { stan: 'log_beta', shape: { kind: 'matrix', rows: 'G', cols: 'C' } },
    alpha: { stan: 'alpha', shape: vec('C') },
    K: { stan: 'Khalf', shape: vec('C') },
    S: { stan: 'S', shape: vec('C') },
    gamma: { stan: 'gamma', shape: { kind: 'matrix', rows: 'K', cols: 'G' } },
    sigma: { stan: 'sigma', shape: spec.geo.noise === 'perGeo' ? vec('G') : { kind: 'scalar' } },
  };
}

/** Every Stan name a geo parameter group can have (to spot a column of a group the model in use lacks). */
export const GEO_STAN_GROUPS: readonly string[] = ['intercept', 'level', 'delta', 'fourier', 'beta_mu', 'beta_tau', 'beta_z', 'log_beta', 'alpha', 'Khalf', 'S', 'gamma', 'sigma'];

/**
 * CmdStan CSV column of each element of the geo layout, in layout order [dim]: `sigma`,
 * `intercept.3`, `beta_z.3.2` (geo 3, channel 2), `gamma.1.3` (control 1, geo 3).
 */
export function geoParamColumns(layout: GeoParamLayout, spec: GeoModelSpec, d: Pick<GeoModelData, 'geos' | 'controls'>): string[] {
  const params = geoStanParams(spec);
  const rowsOf = { G: d.geos.length, K: d.controls.length } as Record<string, number>;
  return layout.blocks.flatMap((b) => {
    const { stan, shape } = params[b.name];
    if (shape.kind === 'scalar') return [stan];
    if (shape.kind === 'vector') return Array.from({ length: b.size }, (_, i) => `${stan}.${i + 1}`);
    const R = rowsOf[shape.rows];
    // column-major: the row index runs fastest, as in our layout
    return Array.from({ length: b.size }, (_, i) => `${stan}.${(i % R) + 1}.${Math.floor(i / R) + 1}`);
  });
}

/** Transformed data of the adstock, per geo: the lag windows must not reach into the previous geo's rows. */
const GEO_ADSTOCK_DATA = {
  geometric: (_s: AdstockSpec) => [
    '// Xlag[(g - 1) N + t, (c - 1) L + l] = X[(g - 1) N + t - l + 1, c], zero before week 1 of each geo;',
    '// pos = 1 where a window holds spend',
    'matrix[G * N, C * L] Xlag = rep_matrix(0, G * N, C * L);',
    'matrix[G * N, C] pos = rep_matrix(0, G * N, C);',
    'for (g in 1:G) {',
    '  for (c in 1:C) {',
    '    for (l in 1:L) for (t in l:N) Xlag[(g - 1) * N + t, (c - 1) * L + l] = X[(g - 1) * N + t - l + 1, c];',
    '    for (t in 1:N) if (sum(block(Xlag, (g - 1) * N + t, (c - 1) * L + 1, 1, L)) > 0) pos[(g - 1) * N + t, c] = 1;',
    '  }',
    '}',
  ],
} satisfies Record<AdstockSpec['kind'], (s: AdstockSpec) => string[]>;

/** The observation model by likelihood and noise choice. */
const GEO_LIKELIHOOD = {
  normal: {
    shared: ['y ~ normal(mu, sigma);'],
    perGeo: ['for (g in 1:G) segment(y, (g - 1) * N + 1, N) ~ normal(segment(mu, (g - 1) * N + 1, N), sigma[g]);'],
  },
} satisfies Record<LikelihoodSpec['kind'], Record<GeoModelSpec['geo']['noise'], string[]>>;

/** beta_g,c [G, C] from the hierarchy's parameters, by parametrization. */
const GEO_BETA = {
  nonCentred: 'exp(rep_matrix(beta_mu\', G) + rep_matrix(beta_tau\', G) .* beta_z)',
  centred: 'exp(log_beta)',
} satisfies Record<GeoModelSpec['geo']['parametrization'], string>;

/** Declaration of a parameter group with its bounds. */
function declaration(b: GeoParamBlock, stan: string, shape: StanShape): string {
  const bounds = STAN_BOUNDS[b.transform];
  if (shape.kind === 'scalar') return `real${bounds} ${stan};`;
  if (shape.kind === 'vector') return `vector${bounds}[${shape.size}] ${stan};`;
  return `matrix${bounds}[${shape.rows}, ${shape.cols}] ${stan};`;
}

/** The prior statement of a group: its own prior element-wise, the hierarchy for beta_log, the intercept prior on the derived intercept for level. */
function priorStatement(b: GeoParamBlock, stan: string, shape: StanShape, spec: GeoModelSpec): string {
  // level_g enters mu only through intercept_g = level_g - mean_t m_g,t (a unit shift given the
  // other parameters), so the prior sits on the derived intercept with Jacobian 1, as in fused-geo.ts
  if (b.name === 'level') return `intercept ~ ${stanPrior(spec.priors.intercept)};`;
  if (b.prior === undefined) {
    // centred: log beta_g,c ~ N(beta_mu_c, beta_tau_c), the -log beta_tau_c terms kept as the kernels do
    return `for (c in 1:C) col(${stan}, c) ~ normal(beta_mu[c], beta_tau[c]);`;
  }
  return `${shape.kind === 'matrix' ? `to_vector(${stan})` : stan} ~ ${stanPrior(b.prior)};`;
}

/** What the writer needs of the prepared geo data: names and counts, never the numbers. */
export type GeoProgramDims = Pick<GeoModelData, 'geos' | 'channels' | 'controls' | 'nF'>;

/**
 * The Stan program of the geo model for a spec (geo-spec.ts's model, the density fused-geo.ts
 * computes). Parameters in buildGeoLayout order; generated quantities: the derived intercepts
 * (geo.intercept 'level', as the draw table's `intercept[geo]`), national contribution
 * and ROI per channel (original KPI units, summed over geos).
 * @param dims geo, channel and control names (only their counts shape the program) and nF
 * @returns the program text (UTF-8, `\n` line ends)
 */
export function writeGeoStanProgram(spec: GeoModelSpec, dims: GeoProgramDims): string {
  const layout = buildGeoLayout(spec, dims);
  const params = geoStanParams(spec);
  const hasControls = dims.controls.length > 0;
  const adstock = ADSTOCK_PIECES[spec.adstock.kind](spec.adstock);
  const pieces: Piece[] = [
    { functions: adstock.functions, data: adstock.data },
    SATURATION_PIECES[spec.saturation.kind](spec.saturation),
    TREND_PIECES[spec.trend.kind](spec.trend),
    (SEASONALITY_PIECES[spec.seasonality.kind] as (s: SeasonalitySpec) => Piece)(spec.seasonality),
  ];
  const all = (k: keyof Piece) => pieces.flatMap((p) => p[k] ?? []);
  const baseTerms = all('mu');
  const base = baseTerms.length > 0 ? baseTerms.join(' + ') : 'rep_vector(0, N)';
  const geoTerms = ['intercept[g]', 'base', 'block(H, r, 1, N, C) * beta[g]\'', ...(hasControls ? ['block(Z, r, 1, N, K) * col(gamma, g)'] : [])];
  const decls = layout.blocks.map((b) => {
    const { stan, shape } = params[b.name];
    const what = b.labels.length > 1 ? `${b.labels[0]} .. ${b.labels[b.labels.length - 1]}` : b.labels.filter(Boolean).join('');
    return { text: declaration(b, stan, shape), what, prior: priorStatement(b, stan, shape, spec) };
  });
  const indent = (lines: string[], n = 2) => lines.map((l) => (l === '' ? l : ' '.repeat(n) + l));
  const g = spec.geo;
  const level = layout.byName.level !== undefined;
  // level: mu first without the intercept, whose value is then derived from the geo's mean
  const muRows = level
    ? [
        `  mu[r:(r + N - 1)] = ${geoTerms.slice(1).join(' + ')};`,
        '  intercept[g] = level[g] - mean(mu[r:(r + N - 1)]);',
        '  mu[r:(r + N - 1)] = mu[r:(r + N - 1)] + intercept[g];',
      ]
    : [`  mu[r:(r + N - 1)] = ${geoTerms.join(' + ')};`];
  const media = 'saturate(adstock(Xlag, c, alpha[c], G * N, L), col(pos, c), Khalf[c], S[c])';

  return [
    '// Carryover geo MMM, written from the geo model spec by Carryover\'s Stan exporter.',
    '//',
    `//   y[g, t] = ${geoTerms.join(' + ').replace('block(H, r, 1, N, C) * beta[g]\'', 'H[g, t] . beta[g]').replace('block(Z, r, 1, N, K) * col(gamma, g)', 'Z[g, t] . gamma[, g]')} + noise`,
    `//   base = ${base}`,
    '//   H[g, t, c] = saturate(adstock(u_g,c, alpha_c)_t, Khalf_c, S_c): adstock and saturation shared by geos',
    `//   log beta[g, c] ~ normal(beta_mu[c], beta_tau[c]), ${g.parametrization === 'nonCentred' ? 'non-centred: log beta = beta_mu + beta_tau beta_z, beta_z ~ normal(0, 1)' : 'centred: parameters log_beta = log beta'}`,
    ...(level
      ? [
          '//   intercept[g] = level[g] - mean over t of (y[g, t] - noise - intercept[g]): the parameter is each geo\'s level',
          '//   (its mean fitted value); intercept ~ the intercept prior on the derived value, Jacobian 1',
        ]
      : []),
    `//   noise ${spec.likelihood.kind}, ${g.noise === 'perGeo' ? 'one sd per geo (sigma[g])' : 'one sd shared by every geo (sigma)'}`,
    '//',
    `// adstock ${spec.adstock.kind} (L = ${spec.adstock.lags}), saturation ${spec.saturation.kind}, trend ${spec.trend.kind},`,
    spec.seasonality.kind === 'fourier' ? `// seasonality fourier (order ${spec.seasonality.order}, period ${stanNumber(spec.seasonality.period)}),` : '// seasonality none,',
    `// ${dims.geos.length} geos, ${dims.channels.length} channels (${dims.channels.join(', ')}), ${dims.controls.length} controls per geo${hasControls ? ` (${dims.controls.join(', ')})` : ''}.`,
    '// The data file holds the inputs exactly as Carryover\'s geo kernels see them, rows (g - 1) N + t:',
    '// u = (spend / population) / mean per-capita spend, y = (KPI / population) / mean per-capita KPI,',
    '// standardised controls and 0/1 dummies, the trend and Fourier regressors.',
    'functions {',
    ...all('functions'),
    '}',
    'data {',
    ...indent([
      'int<lower=1> N;                 // weeks',
      'int<lower=1> G;                 // geos',
      'int<lower=1> C;                 // paid channels',
      'matrix<lower=0>[G * N, C] X;    // per-capita spend / mean per-capita spend, row (g - 1) N + t',
      'vector[G * N] y;                // per-capita KPI / y_scale, row (g - 1) N + t',
      'real<lower=0> y_scale;          // mean per-capita KPI, KPI units per person',
      'vector<lower=0>[G] population;  // population per geo (1 when unmapped)',
      'matrix<lower=0>[G, C] spend_total; // total spend per geo and channel, currency',
      ...all('data'),
      ...(hasControls ? ['int<lower=1> K;                 // control columns', 'matrix[G * N, K] Z;             // standardised controls and 0/1 dummies, row (g - 1) N + t'] : []),
    ]),
    '}',
    'transformed data {',
    ...indent(GEO_ADSTOCK_DATA[spec.adstock.kind](spec.adstock)),
    '}',
    'parameters {',
    ...indent(decls.map((p) => (p.what ? `${p.text.padEnd(36)}// ${p.what}` : p.text))),
    '}',
    'model {',
    ...indent([
      'matrix[G * N, C] H;',
      `vector[N] base = ${base};`,
      `matrix[G, C] beta = ${GEO_BETA[g.parametrization]};`,
      'vector[G * N] mu;',
      ...(level ? ['vector[G] intercept;            // derived from level, see the header'] : []),
      `for (c in 1:C) H[, c] = ${media};`,
      'for (g in 1:G) {',
      '  int r = (g - 1) * N + 1;',
      ...muRows,
      '}',
      ...decls.map((p) => p.prior),
      ...GEO_LIKELIHOOD[spec.likelihood.kind][g.noise],
    ]),
    '}',
    'generated quantities {',
    ...indent([
      ...(level ? ['vector[G] intercept;            // derived: level - mean over weeks of (mu - intercept) per geo'] : []),
      'vector[C] contribution;         // national total over the sample per channel, KPI units (sum over geos)',
      'vector[C] roi;                  // national contribution / total spend',
      '{',
      `  matrix[G, C] beta = ${GEO_BETA[g.parametrization]};`,
      ...(level
        ? [
            `  vector[N] base = ${base};`,
            '  vector[G] msum;                // sum over weeks of mu - intercept per geo',
            `  for (g in 1:G) msum[g] = sum(base)${hasControls ? ' + sum(block(Z, (g - 1) * N + 1, 1, N, K) * col(gamma, g))' : ''};`,
          ]
        : []),
      '  for (c in 1:C) {',
      `    vector[G * N] h = ${media};`,
      '    contribution[c] = 0;',
      '    for (g in 1:G) contribution[c] += beta[g, c] * sum(segment(h, (g - 1) * N + 1, N)) * y_scale * population[g];',
      ...(level ? ['    for (g in 1:G) msum[g] += beta[g, c] * sum(segment(h, (g - 1) * N + 1, N));'] : []),
      '    roi[c] = sum(col(spend_total, c)) > 0 ? contribution[c] / sum(col(spend_total, c)) : 0.0;',
      '  }',
      ...(level ? ['  intercept = level - msum / N;'] : []),
      '}',
    ]),
    '}',
    '',
  ].join('\n');
}
