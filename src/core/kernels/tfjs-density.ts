import * as tf from '@tensorflow/tfjs-core';
import type { ModelSpec, AdstockSpec, SaturationSpec, LikelihoodSpec } from '../spec/model-spec.ts';
import type { Prior, PriorKind } from '../spec/prior.ts';
import type { ModelData } from '../model/model-data.ts';
import type { ParamBlock, ParamLayout, Transform } from '../model/layout.ts';

// The reference model's log density (peer/stan/mmm.stan, Jacobians included, Stan's `~`
// constants dropped) written in tfjs ops and batched over chains. Functional ops only (no
// chained `x.mul(...)`): under node the gradient registrations come from a second copy of
// tfjs-core, whose Tensor prototype lacks the chained methods.
//
// Orientation: the batch (chain) axis is LAST everywhere, so theta^T [dim, n] sliced by rows
// gives each parameter block as [size, n] and the data matrices multiply it without transposes:
// mu = F [N, nF] x fourier [nF, n] etc., giving [N, n].

/** Constant data tensors of one model, created on (and tied to) one backend. */
export interface DensityConstants {
  /** y / yScale [N, 1] */ y: tf.Tensor2D;
  /** (t-1)/(N-1) [N, 1] */ t01: tf.Tensor2D;
  /** Fourier features [N, nF] (absent when nF = 0) */ F?: tf.Tensor2D;
  /** controls [N, K] (absent when K = 0) */ Z?: tf.Tensor2D;
  /** lagged spend / mean spend: Xlag[c, t, l] = u[c, t - l] (0 before week 1), [C, N, L] */ Xlag: tf.Tensor3D;
  /** 1 where the adstock window holds any spend, [C, N, 1] */ pos: tf.Tensor3D;
  /** 1 - pos, [C, N, 1]: keeps log() at log 1 where the window is empty */ notPos: tf.Tensor3D;
  /** lag index l = 0..L-1 as [1, L, 1] */ lags: tf.Tensor3D;
  /** prior coefficients per parameter, [dim, 1] each */ priors: PriorTensors;
}

/**
 * Uploads the model's data as float32 tensors on the active backend.
 * The caller owns them (dispose with disposeConstants).
 */
export function createDensityConstants(spec: ModelSpec, data: ModelData, layout: ParamLayout): DensityConstants {
  const { N, C, K, L, nF } = data;
  const xlag = new Float32Array(C * N * L);
  const pos = new Float32Array(C * N);
  for (let c = 0; c < C; c++) {
    for (let t = 0; t < N; t++) {
      let any = false;
      for (let l = 0; l < L && l <= t; l++) {
        const v = data.X[(t - l) * C + c];
        xlag[(c * N + t) * L + l] = v;
        if (v > 0) any = true;
      }
      pos[c * N + t] = any ? 1 : 0;
    }
  }
  return {
    y: tf.tensor2d(Float32Array.from(data.y), [N, 1]),
    t01: tf.tensor2d(Float32Array.from(data.t01), [N, 1]),
    F: nF > 0 ? tf.tensor2d(Float32Array.from(data.F), [N, nF]) : undefined,
    Z: K > 0 ? tf.tensor2d(Float32Array.from(data.Z), [N, K]) : undefined,
    Xlag: tf.tensor3d(xlag, [C, N, L]),
    pos: tf.tensor3d(pos, [C, N, 1]),
    notPos: tf.tensor3d(pos.map((p) => 1 - p), [C, N, 1]),
    lags: tf.tensor3d(Float32Array.from({ length: L }, (_, l) => l), [1, L, 1]),
    priors: createPriorTensors(spec, layout),
  };
}

/** Frees the tensors of createDensityConstants. */
export function disposeConstants(k: DensityConstants): void {
  const { priors, ...data } = k;
  for (const t of [...Object.values(data), ...Object.values(priors)]) (t as tf.Tensor | undefined)?.dispose();
}

/**
 * Coefficients of every prior family's log density + log-Jacobian written on the unconstrained
 * line u, for the bijector each family implies (normal: identity, halfNormal/logNormal: log,
 * beta: logit), Stan's `~` constants dropped. All families fit one elementwise form
 *   -c (u - m)^2 + e u - h exp(2u) - a softplus(-u) - b softplus(u)
 * (LogNormal with its Jacobian is a Gaussian in u; HalfNormal is -x^2/(2 s^2) + u with x = e^u;
 * Beta(a, b) with its Jacobian is a log x + b log(1 - x)), so the priors of all blocks cost one
 * handful of ops over theta^T [dim, n] instead of a handful per block.
 */
interface PriorCoefficients {
  c: number;
  m: number;
  e: number;
  h: number;
  a: number;
  b: number;
}
const ZERO: PriorCoefficients = { c: 0, m: 0, e: 0, h: 0, a: 0, b: 0 };
const PRIOR_COEFFICIENTS = {
  normal: (p) => ({ ...ZERO, c: 0.5 / (p.sigma * p.sigma), m: p.mu }),
  halfNormal: (p) => ({ ...ZERO, e: 1, h: 0.5 / (p.sigma * p.sigma) }),
  logNormal: (p) => ({ ...ZERO, c: 0.5 / (p.sigma * p.sigma), m: p.mu }),
  beta: (p) => ({ ...ZERO, a: p.a, b: p.b }),
} satisfies { [K in PriorKind]: (p: Extract<Prior, { kind: K }>) => PriorCoefficients };

/** Per-element prior coefficients as [dim, 1] tensors; a term whose coefficients are all 0 is left out. */
export interface PriorTensors {
  c?: tf.Tensor2D;
  m?: tf.Tensor2D;
  e?: tf.Tensor2D;
  h?: tf.Tensor2D;
  a?: tf.Tensor2D;
  b?: tf.Tensor2D;
  /** 2 where h != 0, else 0: exp(twoWhereH u) stays 1 (not overflowing) on rows without that term */
  twoWhereH?: tf.Tensor2D;
}

function createPriorTensors(spec: ModelSpec, layout: ParamLayout): PriorTensors {
  return createBlockPriorTensors(layout.dim, layout.blocks.map((b) => ({ offset: b.offset, size: b.size, prior: spec.priors[b.name] })));
}

/**
 * Prior coefficient tensors for any layout given as blocks with their priors (the geo model's
 * layout carries a prior per block).
 * @param dim length of the unconstrained vector
 */
export function createBlockPriorTensors(dim: number, blocks: readonly { offset: number; size: number; prior: Prior }[]): PriorTensors {
  const layout = { dim };
  const cols = Object.fromEntries(Object.keys(ZERO).map((k) => [k, new Float32Array(layout.dim)])) as Record<
    keyof PriorCoefficients,
    Float32Array
  >;
  for (const block of blocks) {
    const p = block.prior;
    const coef = (PRIOR_COEFFICIENTS[p.kind] as (p: Prior) => PriorCoefficients)(p);
    for (const key of Object.keys(ZERO) as (keyof PriorCoefficients)[]) cols[key].fill(coef[key], block.offset, block.offset + block.size);
  }
  const out: PriorTensors = {};
  for (const key of Object.keys(ZERO) as (keyof PriorCoefficients)[]) {
    if (cols[key].some((v) => v !== 0)) out[key] = tf.tensor2d(cols[key], [layout.dim, 1]);
  }
  if (out.h) out.twoWhereH = tf.tensor2d(cols.h.map((v) => (v !== 0 ? 2 : 0)), [layout.dim, 1]);
  return out;
}

/** Sum over parameters of prior + log-Jacobian: thetaT [dim, n] -> [1, n]. */
export function priorOp(p: PriorTensors, u: tf.Tensor): tf.Tensor {
  const terms: tf.Tensor[] = [];
  if (p.c) terms.push(tf.neg(tf.mul(p.c, tf.square(p.m ? tf.sub(u, p.m) : u))));
  if (p.e) terms.push(tf.mul(p.e, u));
  if (p.h && p.twoWhereH) terms.push(tf.neg(tf.mul(p.h, tf.exp(tf.mul(p.twoWhereH, u)))));
  if (p.a) terms.push(tf.neg(tf.mul(p.a, tf.softplus(tf.neg(u)))));
  if (p.b) terms.push(tf.neg(tf.mul(p.b, tf.softplus(u))));
  return tf.sum(terms.length === 1 ? terms[0] : tf.addN(terms), 0, true);
}

/** log of the constrained value, from u, for each bijector (identity assumes x > 0). */
const LOG_OF = {
  identity: (u) => tf.log(u),
  log: (u) => u,
  logit: (u) => tf.neg(tf.softplus(tf.neg(u))),
} satisfies Record<Transform, (u: tf.Tensor) => tf.Tensor>;

/** Constrained value from u for each bijector. */
const VALUE_OF = {
  identity: (u) => u,
  log: (u) => tf.exp(u),
  logit: (u) => tf.sigmoid(u),
} satisfies Record<Transform, (u: tf.Tensor) => tf.Tensor>;

/** A block's values in the batch: [size, n]. */
interface BlockValues {
  u: tf.Tensor2D;
  block: ParamBlock;
}
const value = (b: BlockValues) => VALUE_OF[b.block.transform](b.u);
const logOf = (b: BlockValues) => LOG_OF[b.block.transform](b.u);

/** Per-channel media parameters in the batch, each [C, 1, n]. */
interface MediaParams {
  logAlpha: tf.Tensor;
  logK: tf.Tensor;
  S: tf.Tensor;
}

/** Adstock [C, N, n] from the lagged inputs and per-channel parameters. */
const ADSTOCK_OPS = {
  // normalised geometric kernel: w_l = alpha^l / sum_j alpha^j, as one batched matmul
  // [C, N, L] x [C, L, n]; alpha^l = exp(l log alpha) stays finite for alpha -> 0.
  geometric: (_spec, k, m) => {
    const w = tf.exp(tf.mul(k.lags, m.logAlpha)); // [C, L, n]
    return tf.div(tf.matMul(k.Xlag, w), tf.sum(w, 1, true));
  },
} satisfies Record<AdstockSpec['kind'], (spec: AdstockSpec, k: DensityConstants, m: MediaParams) => tf.Tensor>;

/** Saturated response [C, N, n] from the adstock [C, N, n]; 0 where the window is empty. */
const SATURATION_OPS = {
  // inv_logit(S (log a - log K)), with a + (1 - pos) so log() sees 1, not 0, where masked
  hill: (_spec, k, m, a) => tf.mul(k.pos, tf.sigmoid(tf.mul(m.S, tf.sub(tf.log(tf.add(a, k.notPos)), m.logK)))),
} satisfies Record<
  SaturationSpec['kind'],
  (spec: SaturationSpec, k: DensityConstants, m: MediaParams, a: tf.Tensor) => tf.Tensor
>;

/** Log likelihood [n] of y [N, 1] given mu [N, n] and the scale block. */
const LIKELIHOOD_OPS = {
  // -N log sigma - sum_t r_t^2 / (2 sigma^2), constants dropped as Stan's `~` does
  normal: (_spec, k, mu, sigma) => {
    const logSigma = logOf(sigma); // [1, n]
    const ss = tf.sum(tf.square(tf.sub(k.y, mu)), 0, true); // [1, n]
    const N = k.y.shape[0];
    return tf.reshape(tf.sub(tf.mul(-N, logSigma), tf.mul(0.5, tf.mul(ss, tf.exp(tf.mul(-2, logSigma))))), [-1]);
  },
} satisfies Record<
  LikelihoodSpec['kind'],
  (spec: LikelihoodSpec, k: DensityConstants, mu: tf.Tensor, sigma: BlockValues) => tf.Tensor
>;

/**
 * Builds the batched log density: theta [n, dim] (unconstrained, layout order) -> logp [n].
 * Differentiable by tfjs autodiff; each output row depends only on its own theta row.
 */
export function logDensityOp(
  spec: ModelSpec,
  data: ModelData,
  layout: ParamLayout,
  k: DensityConstants,
): (theta: tf.Tensor2D) => tf.Tensor1D {
  const C = data.C;
  return (theta) => {
    const n = theta.shape[0];
    const thetaT = tf.transpose(theta); // [dim, n]
    const vals: Partial<Record<keyof ModelSpec['priors'], BlockValues>> = {};
    for (const block of layout.blocks) vals[block.name] = { u: tf.slice(thetaT, [block.offset, 0], [block.size, n]), block };
    const logPrior = priorOp(k.priors, thetaT); // [1, n]
    const get = (name: keyof ModelSpec['priors']) => vals[name];

    const intercept = get('intercept')!;
    let mu: tf.Tensor = value(intercept); // [1, n], broadcast to [N, n] by the terms below
    const trend = get('trend');
    if (trend) mu = tf.add(mu, tf.mul(k.t01, value(trend)));
    const fourier = get('fourier');
    if (fourier && k.F) mu = tf.add(mu, tf.matMul(k.F, value(fourier)));
    const gamma = get('gamma');
    if (gamma && k.Z) mu = tf.add(mu, tf.matMul(k.Z, value(gamma)));

    const as3 = (t: tf.Tensor) => tf.reshape(t, [C, 1, n]);
    const m: MediaParams = {
      logAlpha: as3(logOf(get('alpha')!)),
      logK: as3(logOf(get('K')!)),
      S: as3(value(get('S')!)),
    };
    const a = ADSTOCK_OPS[spec.adstock.kind](spec.adstock, k, m);
    const h = SATURATION_OPS[spec.saturation.kind](spec.saturation, k, m, a); // [C, N, n]
    mu = tf.add(mu, tf.sum(tf.mul(as3(value(get('beta')!)), h), 0)); // [N, n]

    const lik = LIKELIHOOD_OPS[spec.likelihood.kind](spec.likelihood, k, mu, get('sigma')!);
    return tf.add(tf.reshape(logPrior, [-1]), lik) as tf.Tensor1D;
  };
}
