import type { ModelSpec, PriorsSpec } from '../spec/model-spec.ts';
import type { Prior } from '../spec/prior.ts';
import type { ModelData } from '../model/model-data.ts';
import { buildLayout, type ParamLayout, type Transform } from '../model/layout.ts';
import { UNCONSTRAINED_PRIORS, type UnconstrainedPrior } from '../model/bijectors.ts';
import { fusedKernel, type DensityKernel } from './kernel.ts';
import { fastExp, fastLog } from './fastmath.ts';

// Hand-written log posterior + analytic gradient of the reference model (see peer/stan/mmm.stan),
// float64, no allocation per call. Everything the hot loop touches is preallocated below.
//
// Per channel c (theta = logit alpha):
//   A_t = sum_{l<L} alpha^l u_{t-l}      (unnormalised adstock, a_t = A_t / W, W = sum_{l<L} alpha^l)
//   B_t = sum_{l<L} l alpha^l u_{t-l}    (gives d log a_t / d theta = (1 - alpha) (B_t / A_t - lbar))
// both as O(1) recursions, with lbar = sum_l l alpha^l / W from differentiating the normalisation:
//   A_t = alpha A_{t-1} + u_t - alpha^L u_{t-L}
//   B_t = alpha (B_{t-1} + A_{t-1}) - L alpha^L u_{t-L}
// Subtracting the term that leaves the window can cancel; D_t (the decayed mass removed so far)
// bounds the rounding error, and when A_t is small against D_t the window is re-summed directly.
//   h_t = logistic(z_t), z_t = S (log A_t - log W - log K)  (0 where the window holds no spend)

/** Re-sum the window when A_t < RESUM * D_t (relative rounding error then above ~1e-12). */
const RESUM = 1e-4;

const TRANSFORM_CODE = { identity: 0, log: 1, logit: 2 } as const satisfies Record<Transform, number>;

/** Transforms the fused kernel needs for the nonlinear parameters (it differentiates in those coordinates). */
const REQUIRED: Partial<Record<keyof PriorsSpec, Transform>> = { alpha: 'logit', K: 'log', S: 'log', sigma: 'log' };

/** A DensityKernel for the fused density, with the parameter layout it expects. */
export type FusedKernel = DensityKernel & { readonly layout: ParamLayout };

/**
 * The fused kernel for a spec and prepared data: log posterior (Jacobians included, Stan's `~`
 * constants dropped, so it equals rstan's log_prob) and its gradient w.r.t. the unconstrained
 * parameters in `layout` order. Supports geometric adstock, Hill, normal likelihood; alpha must
 * have a unit-interval prior and K, S, sigma positive ones.
 * @throws when the spec asks for a transform this kernel does not implement
 */
export function createFusedKernel(spec: ModelSpec, data: ModelData): FusedKernel {
  if (spec.adstock.kind !== 'geometric' || spec.saturation.kind !== 'hill' || spec.likelihood.kind !== 'normal') {
    throw new Error('The fused kernel implements geometric adstock, Hill saturation and a normal likelihood only.');
  }
  const layout = buildLayout(spec, data);
  for (const [name, want] of Object.entries(REQUIRED) as [keyof PriorsSpec, Transform][]) {
    const got = layout.byName[name]?.transform;
    if (got !== want) throw new Error(`The fused kernel needs a ${want} bijector for ${name} (prior ${spec.priors[name].kind}).`);
  }
  const { N, C, K, L, nF, y, t01 } = data;
  const dim = layout.dim;
  const off = (name: keyof PriorsSpec) => layout.byName[name]?.offset ?? -1;
  const iInt = off('intercept'), iTrend = off('trend'), iF = off('fourier'), iBeta = off('beta');
  const iAlpha = off('alpha'), iK = off('K'), iS = off('S'), iGamma = off('gamma'), iSigma = off('sigma');

  // column-major copies so that every inner loop runs over weeks with unit stride; spend is
  // padded with L zeros in front of each channel so that the week leaving the window needs no test
  const Np = N + L;
  const Xp = new Float64Array(C * Np);
  for (let t = 0; t < N; t++) for (let c = 0; c < C; c++) Xp[c * Np + L + t] = data.X[t * C + c];
  // runs of weeks whose window holds spend (Stan's `pos`); elsewhere h = 0 and the scratch stays 0
  const runs: number[][] = [];
  for (let c = 0; c < C; c++) {
    const list: number[] = [];
    let start = -1;
    for (let t = 0; t <= N; t++) {
      let any = false;
      if (t < N) for (let l = 0; l < L; l++) if (Xp[c * Np + L + t - l] > 0) any = true;
      if (any && start < 0) start = t;
      if (!any && start >= 0) {
        list.push(start, t);
        start = -1;
      }
    }
    runs.push(list);
  }
  const runOff = new Int32Array(C + 1);
  for (let c = 0; c < C; c++) runOff[c + 1] = runOff[c] + runs[c].length;
  const runT = Int32Array.from(runs.flat());
  const Fc = new Float64Array(nF * N);
  for (let t = 0; t < N; t++) for (let j = 0; j < nF; j++) Fc[j * N + t] = data.F[t * nF + j];
  const Zc = new Float64Array(K * N);
  for (let t = 0; t < N; t++) for (let k = 0; k < K; k++) Zc[k * N + t] = data.Z[t * K + k];

  // per-element prior (+ Jacobian) on the unconstrained line, and the bijector of each element
  const priorFn: UnconstrainedPrior[] = new Array(dim);
  const priorOf: Prior[] = new Array(dim);
  const tcode = new Uint8Array(dim);
  for (const b of layout.blocks) {
    for (let i = b.offset; i < b.offset + b.size; i++) {
      priorOf[i] = spec.priors[b.name];
      priorFn[i] = UNCONSTRAINED_PRIORS[priorOf[i].kind] as UnconstrainedPrior;
      tcode[i] = TRANSFORM_CODE[b.transform];
    }
  }

  // scratch, reused by every call
  const xv = new Float64Array(dim); // constrained values of the linear coefficients
  const dxdu = new Float64Array(dim);
  const mu = new Float64Array(N);
  const e = new Float64Array(N); // residual / sigma^2
  const Hh = new Float64Array(C * N); // h
  const Hq = new Float64Array(C * N); // h (1 - h)
  const Hz = new Float64Array(C * N); // z = S (log a - log K)
  const Hr = new Float64Array(C * N); // B / A - lbar
  const pw = new Float64Array(L); // alpha^l
  const cAlpha = new Float64Array(C); // 1 - alpha
  const cS = new Float64Array(C);

  function point(th: Float64Array, o: number, g: Float64Array, go: number): number {
    for (let i = 0; i < dim; i++) g[go + i] = 0;
    // priors and Jacobians of every element
    let lp = 0;
    for (let i = 0; i < dim; i++) lp += priorFn[i](priorOf[i] as never, th[o + i], g, go + i);
    // constrained values of the coefficients that enter mu linearly
    for (let i = 0; i < dim; i++) {
      const u = th[o + i];
      const code = tcode[i];
      if (code === 0) {
        xv[i] = u;
        dxdu[i] = 1;
      } else if (code === 1) {
        const x = Math.exp(u);
        xv[i] = x;
        dxdu[i] = x;
      } else {
        const x = 1 / (1 + Math.exp(-u));
        xv[i] = x;
        dxdu[i] = x / (1 + Math.exp(u));
      }
    }

    // baseline mean: intercept + trend + seasonality + controls
    const b0 = xv[iInt];
    const dl = iTrend >= 0 ? xv[iTrend] : 0;
    for (let t = 0; t < N; t++) mu[t] = b0 + dl * t01[t];
    for (let j = 0; j < nF; j++) {
      const f = xv[iF + j];
      const base = j * N;
      for (let t = 0; t < N; t++) mu[t] += f * Fc[base + t];
    }
    for (let k = 0; k < K; k++) {
      const gk = xv[iGamma + k];
      const base = k * N;
      for (let t = 0; t < N; t++) mu[t] += gk * Zc[base + t];
    }

    // media: pass 1 computes h per channel-week and adds beta h to mu
    for (let c = 0; c < C; c++) {
      const ua = th[o + iAlpha + c];
      const alpha = 1 / (1 + Math.exp(-ua));
      cAlpha[c] = 1 / (1 + Math.exp(ua));
      const S = Math.exp(th[o + iS + c]);
      cS[c] = S;
      let p = 1, W = 0, Wl = 0;
      for (let l = 0; l < L; l++) {
        pw[l] = p;
        W += p;
        Wl += l * p;
        p *= alpha;
      }
      const alphaL = p;
      const LalphaL = L * p;
      const lbar = Wl / W;
      const c0 = Math.log(W) + th[o + iK + c];
      const beta = xv[iBeta + c];
      const base = c * N;
      const pbase = c * Np + L;
      for (let ri = runOff[c]; ri < runOff[c + 1]; ri += 2) {
        // the window is empty just before a run, so the recursion restarts from exact zeros
        let A = 0, B = 0, D = 0;
        const tEnd = runT[ri + 1];
        for (let t = runT[ri]; t < tEnd; t++) {
          const i = pbase + t;
          const xin = Xp[i];
          const xout = Xp[i - L];
          const Aold = A;
          A = alpha * A + xin - alphaL * xout;
          B = alpha * (B + Aold) - LalphaL * xout;
          D = alpha * D + alphaL * xout;
          if (A < RESUM * D) {
            A = 0;
            B = 0;
            for (let l = 0; l < L; l++) {
              const v = pw[l] * Xp[i - l];
              A += v;
              B += l * v;
            }
            D = 0;
          }
          const z = S * (fastLog(A) - c0);
          // beyond -700 h is 0 to double precision; the clamp keeps q finite so h (1 - h) is not 0 * inf
          const q = fastExp(z > -700 ? -z : 700);
          const h = 1 / (1 + q);
          const k = base + t;
          Hh[k] = h;
          Hq[k] = q * h * h;
          Hz[k] = z;
          Hr[k] = B / A - lbar;
          mu[t] += beta * h;
        }
      }
    }

    // likelihood: y ~ normal(mu, sigma), Stan's constants
    const logSigma = th[o + iSigma];
    const sigma = xv[iSigma];
    const inv2 = 1 / (sigma * sigma);
    let ssq = 0, se = 0, set = 0;
    for (let t = 0; t < N; t++) {
      const r = y[t] - mu[t];
      ssq += r * r;
      const et = r * inv2;
      e[t] = et;
      se += et;
      set += et * t01[t];
    }
    lp += -N * logSigma - 0.5 * ssq * inv2;
    g[go + iSigma] += -N + ssq * inv2;

    // gradient w.r.t. constrained linear coefficients, chained through their bijectors
    g[go + iInt] += se * dxdu[iInt];
    if (iTrend >= 0) g[go + iTrend] += set * dxdu[iTrend];
    for (let j = 0; j < nF; j++) {
      const base = j * N;
      let s = 0;
      for (let t = 0; t < N; t++) s += e[t] * Fc[base + t];
      g[go + iF + j] += s * dxdu[iF + j];
    }
    for (let k = 0; k < K; k++) {
      const base = k * N;
      let s = 0;
      for (let t = 0; t < N; t++) s += e[t] * Zc[base + t];
      g[go + iGamma + k] += s * dxdu[iGamma + k];
    }
    // media: pass 2 (needs every channel's h in mu first)
    for (let c = 0; c < C; c++) {
      const base = c * N;
      let sh = 0, sG = 0, sGz = 0, sGr = 0;
      for (let t = 0; t < N; t++) {
        const et = e[t];
        const k = base + t;
        sh += et * Hh[k];
        const G = et * Hq[k];
        sG += G;
        sGz += G * Hz[k];
        sGr += G * Hr[k];
      }
      const beta = xv[iBeta + c];
      const S = cS[c];
      g[go + iBeta + c] += sh * dxdu[iBeta + c];
      g[go + iAlpha + c] += beta * S * cAlpha[c] * sGr;
      g[go + iK + c] -= beta * S * sG;
      g[go + iS + c] += beta * sGz;
    }
    return lp;
  }

  return fusedKernel(dim, layout, point);
}
