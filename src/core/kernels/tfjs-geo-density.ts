import * as tf from '@tensorflow/tfjs-core';
import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import type { GeoBlockName, GeoParamLayout } from '../model/geo-layout.ts';
import type { Transform } from '../model/layout.ts';
import { createBlockPriorTensors, priorOp, type PriorTensors } from './tfjs-density.ts';

// The geo model's log density (geo-posterior.ts, Jacobians included, Stan's constants dropped)
// in tfjs ops, batched over chains x geos: the chain axis is last (as in tfjs-density.ts), geos
// ride along as a batch axis of the media matmul ([C, G*N, L] x [C, L, n]) and of the controls
// ([G, N, K] x [G, K, n]), so one launch evaluates every chain and every geo.

/** Constant tensors of the geo density on one backend. */
export interface GeoDensityConstants {
  /** y [G, N, 1] */ y: tf.Tensor3D;
  /** (t-1)/(N-1) [1, N, 1] */ t01: tf.Tensor3D;
  /** Fourier features [N, nF] (absent when nF = 0) */ F?: tf.Tensor2D;
  /** controls [G, N, K] (absent when K = 0) */ Z?: tf.Tensor3D;
  /** lagged inputs Xlag[c, g * N + t, l] = u_g,c,t-l, [C, G * N, L] */ Xlag: tf.Tensor3D;
  /** 1 where the window holds spend [C, G * N, 1] */ pos: tf.Tensor3D;
  /** 1 - pos [C, G * N, 1] */ notPos: tf.Tensor3D;
  /** lag index [1, L, 1] */ lags: tf.Tensor3D;
  priors: PriorTensors;
}

/** Uploads the geo model's data as float32 tensors on the active backend (caller disposes). */
export function createGeoDensityConstants(data: GeoModelData, layout: GeoParamLayout): GeoDensityConstants {
  const { N, G, C, K, L, nF } = data;
  const GN = G * N;
  const xlag = new Float32Array(C * GN * L);
  const pos = new Float32Array(C * GN);
  for (let c = 0; c < C; c++) {
    for (let g = 0; g < G; g++) {
      for (let t = 0; t < N; t++) {
        let any = false;
        for (let l = 0; l < L && l <= t; l++) {
          const v = data.X[(g * N + t - l) * C + c];
          xlag[(c * GN + g * N + t) * L + l] = v;
          if (v > 0) any = true;
        }
        pos[c * GN + g * N + t] = any ? 1 : 0;
      }
    }
  }
  return {
    y: tf.tensor3d(Float32Array.from(data.y), [G, N, 1]),
    t01: tf.tensor3d(Float32Array.from(data.t01), [1, N, 1]),
    F: nF > 0 ? tf.tensor2d(Float32Array.from(data.F), [N, nF]) : undefined,
    Z: K > 0 ? tf.tensor3d(Float32Array.from(data.Z), [G, N, K]) : undefined,
    Xlag: tf.tensor3d(xlag, [C, GN, L]),
    pos: tf.tensor3d(pos, [C, GN, 1]),
    notPos: tf.tensor3d(pos.map((p) => 1 - p), [C, GN, 1]),
    lags: tf.tensor3d(Float32Array.from({ length: L }, (_, l) => l), [1, L, 1]),
    priors: createBlockPriorTensors(layout.dim, layout.blocks.flatMap((b) => (b.prior ? [{ offset: b.offset, size: b.size, prior: b.prior }] : []))),
  };
}

/** Frees the tensors of createGeoDensityConstants. */
export function disposeGeoConstants(k: GeoDensityConstants): void {
  const { priors, ...rest } = k;
  for (const t of [...Object.values(rest), ...Object.values(priors)]) (t as tf.Tensor | undefined)?.dispose();
}

const VALUE_OF = { identity: (u) => u, log: (u) => tf.exp(u), logit: (u) => tf.sigmoid(u) } satisfies Record<Transform, (u: tf.Tensor) => tf.Tensor>;
const LOG_OF = { identity: (u) => tf.log(u), log: (u) => u, logit: (u) => tf.neg(tf.softplus(tf.neg(u))) } satisfies Record<Transform, (u: tf.Tensor) => tf.Tensor>;

/**
 * The batched geo log density: theta [n, dim] (unconstrained, buildGeoLayout order) -> logp [n].
 * Geometric adstock, Hill saturation and a normal likelihood (what the spec schema allows today).
 */
export function geoLogDensityOp(spec: GeoModelSpec, data: GeoModelData, layout: GeoParamLayout, k: GeoDensityConstants): (theta: tf.Tensor2D) => tf.Tensor1D {
  if (spec.adstock.kind !== 'geometric' || spec.saturation.kind !== 'hill' || spec.likelihood.kind !== 'normal') {
    throw new Error('The tfjs geo density implements geometric adstock, Hill saturation and a normal likelihood only.');
  }
  const { N, G, C, K } = data;
  return (theta) => {
    const n = theta.shape[0];
    const thetaT = tf.transpose(theta); // [dim, n]
    const u = (name: GeoBlockName) => {
      const b = layout.byName[name];
      return b ? tf.slice(thetaT, [b.offset, 0], [b.size, n]) : undefined;
    };
    const val = (name: GeoBlockName) => VALUE_OF[layout.byName[name]!.transform](u(name)!);
    const logOf = (name: GeoBlockName) => LOG_OF[layout.byName[name]!.transform](u(name)!);
    const logPrior = priorOp(k.priors, thetaT); // [1, n]

    const level = layout.byName.level !== undefined;
    // level parametrization: mu is built without the intercept, which is then level - mean_t mu
    let mu: tf.Tensor = level ? tf.zeros([G, 1, n]) : tf.reshape(val('intercept'), [G, 1, n]);
    if (layout.byName.trend) mu = tf.add(mu, tf.mul(k.t01, tf.reshape(val('trend'), [1, 1, n])));
    if (layout.byName.fourier && k.F) mu = tf.add(mu, tf.reshape(tf.matMul(k.F, val('fourier')), [1, N, n]));
    if (layout.byName.gamma && k.Z && K > 0) mu = tf.add(mu, tf.matMul(k.Z, tf.reshape(val('gamma'), [G, K, n])));

    const as3 = (t: tf.Tensor) => tf.reshape(t, [C, 1, n]);
    const w = tf.exp(tf.mul(k.lags, as3(logOf('alpha')))); // [C, L, n]
    const a = tf.div(tf.matMul(k.Xlag, w), tf.sum(w, 1, true)); // [C, G*N, n]
    const h = tf.mul(k.pos, tf.sigmoid(tf.mul(as3(val('S')), tf.sub(tf.log(tf.add(a, k.notPos)), as3(logOf('K'))))));
    let hier: tf.Tensor | undefined;
    let logBeta: tf.Tensor;
    if (layout.byName.beta_log) {
      // centred: N(beta_log | beta_mu, beta_tau) with -log tau kept (tau is a parameter)
      logBeta = tf.reshape(u('beta_log')!, [C, G, n]);
      const logTau = as3(logOf('beta_tau'));
      const zc = tf.div(tf.sub(logBeta, as3(u('beta_mu')!)), tf.exp(logTau));
      hier = tf.reshape(tf.sub(tf.mul(-0.5, tf.sum(tf.square(zc), [0, 1])), tf.mul(G, tf.sum(logTau, [0, 1]))), [-1]);
    } else {
      logBeta = tf.add(as3(u('beta_mu')!), tf.mul(as3(val('beta_tau')), tf.reshape(u('beta_z')!, [C, G, n])));
    }
    const media = tf.sum(tf.mul(tf.reshape(tf.exp(logBeta), [C, G, 1, n]), tf.reshape(h, [C, G, N, n])), 0); // [G, N, n]
    mu = tf.add(mu, media);
    let intPrior: tf.Tensor | undefined;
    if (level) {
      const b = tf.sub(tf.reshape(u('level')!, [G, 1, n]), tf.mean(mu, 1, true)); // derived intercept [G, 1, n]
      mu = tf.add(mu, b);
      // the intercept prior is normal (interceptIsLevel checks): Stan's constants dropped
      const ip = spec.priors.intercept as { mu: number; sigma: number };
      intPrior = tf.reshape(tf.mul(-0.5 / (ip.sigma * ip.sigma), tf.sum(tf.square(tf.sub(b, ip.mu)), [0, 1])), [-1]);
    }

    const nSigma = layout.byName.sigma!.size;
    const logSigma = tf.reshape(logOf('sigma'), [nSigma, 1, n]);
    const ss = tf.sum(tf.square(tf.sub(k.y, mu)), 1, true); // [G, 1, n]
    // a shared sigma [1, 1, n] broadcasts against ss [G, 1, n], so the sum carries -G N log sigma
    const lik = tf.sum(tf.sub(tf.mul(-N, logSigma), tf.mul(0.5, tf.mul(ss, tf.exp(tf.mul(-2, logSigma))))), [0, 1]); // [n]
    let total = tf.add(tf.reshape(logPrior, [-1]), lik);
    if (intPrior) total = tf.add(total, intPrior);
    return (hier ? tf.add(total, hier) : total) as tf.Tensor1D;
  };
}
