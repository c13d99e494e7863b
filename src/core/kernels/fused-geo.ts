import type { GeoModelSpec } from '../spec/geo-spec.ts';
import type { Prior } from '../spec/prior.ts';
import type { GeoModelData } from '../model/geo-model-data.ts';
import { buildGeoLayout, type GeoBlockName, type GeoParamLayout } from '../model/geo-layout.ts';
import type { Transform } from '../model/layout.ts';
import { UNCONSTRAINED_PRIORS, type UnconstrainedPrior } from '../model/bijectors.ts';
import { fusedKernel, type DensityKernel } from './kernel.ts';
import { fastExp, fastLog } from './fastmath.ts';

// Hand-written log posterior + analytic gradient of the geo model (geo-posterior.ts is the plain
// version), float64, no allocation per call. The media recursion is fused.ts's, run once per
// geo inside each channel: alpha, K, S (and so the window weights, lbar and log W + log K) are
// shared by the geos and computed once per channel per call.
//
// mu_g,t = intercept_g + delta t01_t + F_t f + Z_g,t gamma_g + sum_c beta_g,c h_g,c,t
// beta_g,c = exp(m_c + tau_c z_c,g), tau_c = exp(v_c): with s_g,c = sum_t e_g,t h_g,c,t
// (e = residual / sigma_g^2), d/dm_c = sum_g s_g,c beta_g,c, d/dz_c,g = s_g,c beta_g,c tau_c,
// d/dv_c = sum_g s_g,c beta_g,c tau_c z_c,g; alpha, K, S as fused.ts with beta_g,c inside the geo sum.
// Level intercepts (geo.intercept 'level'): intercept_g = level_g - mean_t m_g,t (m = mu - intercept),
// so d/dlevel_g = sum_t e_g,t + p_g (p_g = d prior / d intercept_g) and every other parameter sees
// e_g,t - (sum_t e_g,t + p_g) / N in place of e_g,t: one O(N) pass per geo.

/** Re-sum the window when A_t < RESUM * D_t (see fused.ts). */
const RESUM = 1e-4;
const FLAT: Prior = { kind: 'normal', mu: 0, sigma: 1 };
const flat: UnconstrainedPrior = () => 0;
const TRANSFORM_CODE = { identity: 0, log: 1, logit: 2 } as const satisfies Record<Transform, number>;
/** Bijectors the kernel differentiates through by hand; the linear groups may take any. */
const REQUIRED: Partial<Record<GeoBlockName, Transform>> = {
  beta_mu: 'identity', beta_tau: 'log', alpha: 'logit', K: 'log', S: 'log', sigma: 'log',
};

/** A DensityKernel for the geo density, with the parameter layout it expects. */
export type FusedGeoKernel = DensityKernel & { readonly layout: GeoParamLayout };

/**
 * The fused geo kernel: log posterior of the geo model (Jacobians included, Stan's `~` constants
 * dropped) and its gradient w.r.t. the unconstrained parameters in buildGeoLayout order.
 * Work per call ~ G * C * N channel-weeks plus G * N * (K + 1) for the baseline.
 * @throws when the spec asks for a transform or component this kernel does not implement
 */
export function createFusedGeoKernel(spec: GeoModelSpec, data: GeoModelData): FusedGeoKernel {
  if (spec.adstock.kind !== 'geometric' || spec.saturation.kind !== 'hill' || spec.likelihood.kind !== 'normal') {
    throw new Error('The fused geo kernel implements geometric adstock, Hill saturation and a normal likelihood only.');
  }
  const layout = buildGeoLayout(spec, data);
  for (const [name, want] of Object.entries(REQUIRED) as [GeoBlockName, Transform][]) {
    const got = layout.byName[name]?.transform;
    if (got !== want) throw new Error(`The fused geo kernel needs a ${want} bijector for ${name} (prior ${layout.byName[name]?.prior?.kind}).`);
  }
  const { N, G, C, K, L, nF, y, t01 } = data;
  const dim = layout.dim;
  const off = (n: GeoBlockName) => layout.byName[n]?.offset ?? -1;
  // level parametrization: the slot holds level_g and intercept_g = level_g - mean_t(m_g,t), with
  // m_g,t = mu_g,t - intercept_g; the intercept prior is applied to the derived intercept
  const level = layout.byName.level !== undefined;
  const iInt = level ? off('level') : off('intercept'), iTrend = off('trend'), iF = off('fourier'), iMu = off('beta_mu'), iTau = off('beta_tau');
  const centred = layout.byName.beta_log !== undefined;
  // beta_z (nonCentred) or beta_log (centred): the same slot, channel-major c * G + g
  const iZ = centred ? off('beta_log') : off('beta_z');
  const iAlpha = off('alpha'), iK = off('K'), iS = off('S'), iGamma = off('gamma'), iSigma = off('sigma');
  const perGeoSigma = layout.byName.sigma!.size === G && G > 1;
  const GN = G * N;

  // spend per (channel, geo) series, padded with L zeros in front (see fused.ts)
  const Np = N + L;
  const Xp = new Float64Array(C * G * Np);
  for (let g = 0; g < G; g++) for (let t = 0; t < N; t++) for (let c = 0; c < C; c++) Xp[(c * G + g) * Np + L + t] = data.X[(g * N + t) * C + c];
  const runs: number[] = [];
  const runOff = new Int32Array(C * G + 1);
  for (let s = 0; s < C * G; s++) {
    let start = -1;
    for (let t = 0; t <= N; t++) {
      let any = false;
      if (t < N) for (let l = 0; l < L; l++) if (Xp[s * Np + L + t - l] > 0) any = true;
      if (any && start < 0) start = t;
      if (!any && start >= 0) {
        runs.push(start, t);
        start = -1;
      }
    }
    runOff[s + 1] = runs.length;
  }
  const runT = Int32Array.from(runs);
  const Fc = new Float64Array(nF * N);
  for (let t = 0; t < N; t++) for (let j = 0; j < nF; j++) Fc[j * N + t] = data.F[t * nF + j];
  // controls per geo, column-major within the geo: Zc[(g * K + k) * N + t]
  const Zc = new Float64Array(G * K * N);
  for (let g = 0; g < G; g++) for (let t = 0; t < N; t++) for (let k = 0; k < K; k++) Zc[(g * K + k) * N + t] = data.Z[(g * N + t) * K + k];

  const priorFn: UnconstrainedPrior[] = new Array(dim);
  const priorOf: Prior[] = new Array(dim);
  const tcode = new Uint8Array(dim);
  for (const b of layout.blocks) {
    for (let i = b.offset; i < b.offset + b.size; i++) {
      // beta_log's prior is the hierarchy, added in point()
      priorOf[i] = b.prior ?? FLAT;
      priorFn[i] = b.prior ? (UNCONSTRAINED_PRIORS[b.prior.kind] as UnconstrainedPrior) : flat;
      tcode[i] = TRANSFORM_CODE[b.transform];
    }
  }

  const intPrior = spec.priors.intercept;
  const intPriorFn = UNCONSTRAINED_PRIORS[intPrior.kind] as UnconstrainedPrior;
  const pgScratch = new Float64Array(1);
  const xv = new Float64Array(dim);
  const dxdu = new Float64Array(dim);
  const base = new Float64Array(N); // shared baseline: trend + seasonality
  const mu = new Float64Array(N); // one geo at a time: the per-geo scratch stays in L1
  const e = new Float64Array(N);
  const eSum = new Float64Array(N); // sum over geos of e
  const Hh = new Float64Array(C * N);
  const Hq = new Float64Array(C * N);
  const Hz = new Float64Array(C * N);
  const Hr = new Float64Array(C * N);
  // per-channel constants shared by the geos, computed once per call
  const pw = new Float64Array(C * L);
  const cAl = new Float64Array(C), cAlL = new Float64Array(C), cLAlL = new Float64Array(C);
  const cLbar = new Float64Array(C), cC0 = new Float64Array(C), cAlpha = new Float64Array(C), cS = new Float64Array(C);
  const accMu = new Float64Array(C), accTau = new Float64Array(C), accAlpha = new Float64Array(C), accK = new Float64Array(C), accS = new Float64Array(C);

  function point(th: Float64Array, o: number, gr: Float64Array, go: number): number {
    for (let i = 0; i < dim; i++) gr[go + i] = 0;
    let lp = 0;
    for (let i = 0; i < dim; i++) lp += priorFn[i](priorOf[i] as never, th[o + i], gr, go + i);
    if (centred) {
      // log beta_c,g ~ N(m_c, tau_c), tau_c = exp(v_c): -v_c - r^2 / 2, r = (b - m_c) / tau_c
      for (let c = 0; c < C; c++) {
        const m = th[o + iMu + c];
        const v = th[o + iTau + c];
        const it = Math.exp(-v);
        let dm = 0, dv = 0;
        for (let g = 0; g < G; g++) {
          const r = (th[o + iZ + c * G + g] - m) * it;
          lp += -v - 0.5 * r * r;
          gr[go + iZ + c * G + g] -= r * it;
          dm += r * it;
          dv += r * r - 1;
        }
        gr[go + iMu + c] += dm;
        gr[go + iTau + c] += dv;
      }
    }
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

    const dl = iTrend >= 0 ? xv[iTrend] : 0;
    for (let t = 0; t < N; t++) {
      base[t] = dl * t01[t];
      eSum[t] = 0;
    }
    for (let j = 0; j < nF; j++) {
      const f = xv[iF + j];
      const b = j * N;
      for (let t = 0; t < N; t++) base[t] += f * Fc[b + t];
    }
    for (let c = 0; c < C; c++) {
      const ua = th[o + iAlpha + c];
      const alpha = 1 / (1 + Math.exp(-ua));
      cAl[c] = alpha;
      cAlpha[c] = 1 / (1 + Math.exp(ua));
      cS[c] = Math.exp(th[o + iS + c]);
      let p = 1, W = 0, Wl = 0;
      for (let l = 0; l < L; l++) {
        pw[c * L + l] = p;
        W += p;
        Wl += l * p;
        p *= alpha;
      }
      cAlL[c] = p;
      cLAlL[c] = L * p;
      cLbar[c] = Wl / W;
      cC0[c] = Math.log(W) + th[o + iK + c];
      accMu[c] = 0;
      accTau[c] = 0;
      accAlpha[c] = 0;
      accK[c] = 0;
      accS[c] = 0;
    }

    let ssqShared = 0;
    for (let g = 0; g < G; g++) {
      // mean of geo g: baseline, then media
      const b0 = level ? 0 : xv[iInt + g];
      for (let t = 0; t < N; t++) mu[t] = b0 + base[t];
      for (let k = 0; k < K; k++) {
        const gk = xv[iGamma + g * K + k];
        const zb = (g * K + k) * N;
        for (let t = 0; t < N; t++) mu[t] += gk * Zc[zb + t];
      }
      for (let c = 0; c < C; c++) {
        const s = c * G + g;
        const alpha = cAl[c], alphaL = cAlL[c], LalphaL = cLAlL[c], lbar = cLbar[c], c0 = cC0[c], S = cS[c];
        const pwb = c * L;
        const beta = Math.exp(centred ? th[o + iZ + s] : th[o + iMu + c] + xv[iTau + c] * th[o + iZ + s]);
        const hb = c * N;
        const pbase = s * Np + L;
        // weeks outside every run keep h = 0 (and the rest 0) for the gradient sums below
        for (let t = 0; t < N; t++) Hh[hb + t] = Hq[hb + t] = 0;
        for (let ri = runOff[s]; ri < runOff[s + 1]; ri += 2) {
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
                const v = pw[pwb + l] * Xp[i - l];
                A += v;
                B += l * v;
              }
              D = 0;
            }
            const z = S * (fastLog(A) - c0);
            const q = fastExp(z > -700 ? -z : 700);
            const h = 1 / (1 + q);
            const k = hb + t;
            Hh[k] = h;
            Hq[k] = q * h * h;
            Hz[k] = z;
            Hr[k] = B / A - lbar;
            mu[t] += beta * h;
          }
        }
      }

      // level: shift mu by the derived intercept and put its prior on
      let pInt = 0;
      if (level) {
        let m = 0;
        for (let t = 0; t < N; t++) m += mu[t];
        const b = th[o + iInt + g] - m / N;
        for (let t = 0; t < N; t++) mu[t] += b;
        pgScratch[0] = 0;
        lp += intPriorFn(intPrior as never, b, pgScratch, 0);
        pInt = pgScratch[0];
      }

      // likelihood of geo g; e = r / sigma_g^2
      const sigma = xv[iSigma + (perGeoSigma ? g : 0)];
      const inv2 = 1 / (sigma * sigma);
      const row = g * N;
      let ssq = 0, se = 0;
      for (let t = 0; t < N; t++) {
        const r = y[row + t] - mu[t];
        ssq += r * r;
        const et = r * inv2;
        e[t] = et;
        se += et;
      }
      gr[go + iInt + g] += se * dxdu[iInt + g] + pInt;
      // level: every other parameter moves mu_g,t - mean_t mu_g,t and the derived intercept, so
      // its gradient sums e_t - (sum_t e_t + d prior / d intercept_g) / N instead of e_t
      const shift = level ? (se + pInt) / N : 0;
      for (let t = 0; t < N; t++) {
        e[t] -= shift;
        eSum[t] += e[t];
      }
      for (let k = 0; k < K; k++) {
        const zb = (g * K + k) * N;
        let s = 0;
        for (let t = 0; t < N; t++) s += e[t] * Zc[zb + t];
        gr[go + iGamma + g * K + k] += s * dxdu[iGamma + g * K + k];
      }
      if (perGeoSigma) {
        lp += -N * th[o + iSigma + g] - 0.5 * ssq * inv2;
        gr[go + iSigma + g] += -N + ssq * inv2;
      } else ssqShared += ssq;

      // media gradient of geo g, accumulated per channel
      for (let c = 0; c < C; c++) {
        const s = c * G + g;
        const hb = c * N;
        let sh = 0, sG = 0, sGz = 0, sGr = 0;
        for (let t = 0; t < N; t++) {
          const et = e[t];
          const k = hb + t;
          sh += et * Hh[k];
          const Gq = et * Hq[k];
          if (Gq !== 0) {
            sG += Gq;
            sGz += Gq * Hz[k];
            sGr += Gq * Hr[k];
          }
        }
        const beta = Math.exp(centred ? th[o + iZ + s] : th[o + iMu + c] + xv[iTau + c] * th[o + iZ + s]);
        const sb = sh * beta;
        accAlpha[c] += beta * sGr;
        accK[c] += beta * sG;
        accS[c] += beta * sGz;
        if (centred) {
          gr[go + iZ + s] += sb;
          continue;
        }
        const tau = xv[iTau + c];
        accMu[c] += sb;
        gr[go + iZ + s] += sb * tau;
        accTau[c] += sb * tau * th[o + iZ + s];
      }
    }
    if (!perGeoSigma) {
      const inv2 = 1 / (xv[iSigma] * xv[iSigma]);
      lp += -GN * th[o + iSigma] - 0.5 * ssqShared * inv2;
      gr[go + iSigma] += -GN + ssqShared * inv2;
    }
    if (iTrend >= 0) {
      let s = 0;
      for (let t = 0; t < N; t++) s += eSum[t] * t01[t];
      gr[go + iTrend] += s * dxdu[iTrend];
    }
    for (let j = 0; j < nF; j++) {
      const b = j * N;
      let s = 0;
      for (let t = 0; t < N; t++) s += eSum[t] * Fc[b + t];
      gr[go + iF + j] += s * dxdu[iF + j];
    }
    for (let c = 0; c < C; c++) {
      const S = cS[c];
      gr[go + iMu + c] += accMu[c];
      gr[go + iTau + c] += accTau[c];
      gr[go + iAlpha + c] += S * cAlpha[c] * accAlpha[c];
      gr[go + iK + c] -= S * accK[c];
      gr[go + iS + c] += accS[c];
    }
    return lp;
  }

  return fusedKernel(dim, layout, point);
}
