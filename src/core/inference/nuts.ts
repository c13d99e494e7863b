import type { LogDensity } from '../kernels/kernel.ts';
import type { Rng } from './rng.ts';

/** Options of the NUTS transition. */
export interface NutsOptions {
  /** Maximum tree depth (>= 1); a transition takes at most 2^depth - 1 leapfrog steps. Default 10. */
  maxTreeDepth?: number;
  /** Energy error (in nats) above which a trajectory is called divergent. Default 1000 (Stan). */
  maxDeltaH?: number;
}

/** Euclidean metric kinds: a diagonal or a dense (full covariance) inverse metric. */
export type MetricKind = 'diag' | 'dense';

/** What the last transition did; overwritten by every call (no allocation per iteration). */
export interface TransitionStats {
  /** Step size used (unconstrained units, > 0). */
  stepSize: number;
  /** Number of trajectory doublings, 0..maxTreeDepth. */
  treeDepth: number;
  /** Leapfrog steps (= gradient evaluations) in the transition, >= 1. */
  nLeapfrog: number;
  /** True when the trajectory hit an energy error > maxDeltaH. */
  divergent: boolean;
  /** Hamiltonian at the selected point (-lp + kinetic energy). */
  energy: number;
  /** Mean Metropolis acceptance over the whole trajectory, in [0, 1]. */
  acceptStat: number;
  /** Log density at the selected point. */
  lp: number;
}

/** A point of phase space with the density and gradient cached at q. */
interface PhasePoint {
  q: Float64Array;
  p: Float64Array;
  g: Float64Array;
  lp: number;
}

/** Buffers owned by one level of the tree recursion (preallocated: the hot loop never allocates). */
interface Level {
  zProposeFinal: PhasePoint;
  pInitEnd: Float64Array;
  pSharpInitEnd: Float64Array;
  pFinalBeg: Float64Array;
  pSharpFinalBeg: Float64Array;
  rhoInit: Float64Array;
  rhoFinal: Float64Array;
}

function phasePoint(dim: number): PhasePoint {
  return { q: new Float64Array(dim), p: new Float64Array(dim), g: new Float64Array(dim), lp: -Infinity };
}

function copyPoint(to: PhasePoint, from: PhasePoint): void {
  // One fused loop: for tens of coordinates this beats three TypedArray.set calls.
  const tq = to.q, tp = to.p, tg = to.g, fq = from.q, fp = from.p, fg = from.g;
  for (let i = 0; i < tq.length; i++) {
    tq[i] = fq[i];
    tp[i] = fp[i];
    tg[i] = fg[i];
  }
  to.lp = from.lp;
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** No-U-turn criterion: both ends keep moving along the summed momentum (a + b). */
function noUTurn(sharpA: Float64Array, sharpB: Float64Array, a: Float64Array, b: Float64Array): boolean {
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    const r = a[i] + b[i];
    da += sharpA[i] * r;
    db += sharpB[i] * r;
  }
  return da > 0 && db > 0;
}

/**
 * The No-U-Turn sampler with multinomial trajectory sampling and a diagonal or dense Euclidean metric,
 * following Stan's base_nuts (including the extra U-turn checks across merged subtrees).
 * The sampler holds the chain's current position; `transition()` moves it one draw.
 */
export class Nuts {
  /** Number of unconstrained parameters. */
  readonly dim: number;
  /** Diagonal inverse metric ([dim], > 0): the posterior variances once adapted (the dense metric's diagonal in dense mode). */
  readonly invMetric: Float64Array;
  /** Dense inverse metric ([dim * dim] row-major, symmetric positive definite); used when metric is 'dense'. */
  readonly invMetricDense: Float64Array;
  /** Which metric the integrator uses; set by setInvMetric ('diag') or setDenseInvMetric ('dense'). */
  metric: MetricKind = 'diag';
  /** Step size of the leapfrog integrator (unconstrained units, > 0). */
  stepSize = 1;
  /** Maximum tree depth. */
  maxTreeDepth: number;
  /** Divergence threshold on the energy error. */
  readonly maxDeltaH: number;
  /** Statistics of the last transition. */
  readonly stats: TransitionStats = {
    stepSize: 1, treeDepth: 0, nLeapfrog: 0, divergent: false, energy: NaN, acceptStat: NaN, lp: NaN,
  };

  private readonly target: LogDensity;
  private readonly rng: Rng;
  private readonly sqrtMass: Float64Array; // 1 / sqrt(invMetric): scales momentum draws
  private readonly cholL: Float64Array; // lower Cholesky factor of invMetricDense, row-major
  private readonly vel: Float64Array; // scratch: invMetricDense * p
  private readonly z: PhasePoint; // integration point
  private readonly cur: PhasePoint; // current state of the chain
  private readonly zFwd: PhasePoint;
  private readonly zBck: PhasePoint;
  private readonly zSample: PhasePoint;
  private readonly zPropose: PhasePoint;
  private readonly pSharpFwdBck: Float64Array;
  private readonly pSharpFwdFwd: Float64Array;
  private readonly pSharpBckFwd: Float64Array;
  private readonly pSharpBckBck: Float64Array;
  private readonly pFwdBck: Float64Array;
  private readonly pFwdFwd: Float64Array;
  private readonly pBckFwd: Float64Array;
  private readonly pBckBck: Float64Array;
  private readonly rhoFwd: Float64Array;
  private readonly rhoBck: Float64Array;
  private readonly levels: Level[] = [];
  // Scalars shared by the recursion (JS has no by-reference numbers).
  private h0 = 0;
  private nLeapfrog = 0;
  private sumMetroProb = 0;
  private divergent = false;
  private treeLogWeight = -Infinity;

  /**
   * @param target log density over R^dim with its gradient
   * @param rng the chain's seeded generator (momenta and multinomial choices)
   */
  constructor(target: LogDensity, rng: Rng, options: NutsOptions = {}) {
    const dim = target.dim;
    this.dim = dim;
    this.target = target;
    this.rng = rng;
    this.maxTreeDepth = options.maxTreeDepth ?? 10;
    if (!(this.maxTreeDepth >= 1) || !Number.isInteger(this.maxTreeDepth)) throw new Error('maxTreeDepth must be an integer >= 1');
    this.maxDeltaH = options.maxDeltaH ?? 1000;
    this.invMetric = new Float64Array(dim).fill(1);
    this.sqrtMass = new Float64Array(dim).fill(1);
    this.invMetricDense = new Float64Array(dim * dim);
    this.cholL = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) this.invMetricDense[i * dim + i] = this.cholL[i * dim + i] = 1;
    this.vel = new Float64Array(dim);
    this.z = phasePoint(dim);
    this.cur = phasePoint(dim);
    this.zFwd = phasePoint(dim);
    this.zBck = phasePoint(dim);
    this.zSample = phasePoint(dim);
    this.zPropose = phasePoint(dim);
    const v = () => new Float64Array(dim);
    this.pSharpFwdBck = v();
    this.pSharpFwdFwd = v();
    this.pSharpBckFwd = v();
    this.pSharpBckBck = v();
    this.pFwdBck = v();
    this.pFwdFwd = v();
    this.pBckFwd = v();
    this.pBckBck = v();
    this.rhoFwd = v();
    this.rhoBck = v();
    this.ensureLevels(this.maxTreeDepth);
  }

  /** Current position ([dim], unconstrained); read-only view, valid until the next transition. */
  get position(): Float64Array {
    return this.cur.q;
  }

  /** Gradient of the log density at the current position ([dim]); read-only view. */
  get gradient(): Float64Array {
    return this.cur.g;
  }

  /** Log density at the current position. */
  get lp(): number {
    return this.cur.lp;
  }

  /** Moves the chain to q ([dim]); returns false (position still set) when lp or gradient is not finite. */
  setPosition(q: ArrayLike<number>): boolean {
    if (q.length !== this.dim) throw new Error(`position has length ${q.length}, expected ${this.dim}`);
    this.cur.q.set(q);
    this.cur.lp = this.target.logDensityGrad(this.cur.q, this.cur.g);
    if (!Number.isFinite(this.cur.lp)) return false;
    for (let i = 0; i < this.dim; i++) if (!Number.isFinite(this.cur.g[i])) return false;
    return true;
  }

  /** Replaces the diagonal inverse metric ([dim], every entry finite and > 0). */
  setInvMetric(invMetric: ArrayLike<number>): void {
    if (invMetric.length !== this.dim) throw new Error(`invMetric has length ${invMetric.length}, expected ${this.dim}`);
    for (let i = 0; i < this.dim; i++) {
      const m = invMetric[i];
      if (!(m > 0) || !Number.isFinite(m)) throw new Error(`invMetric[${i}] = ${m} is not finite and positive`);
      this.invMetric[i] = m;
      this.sqrtMass[i] = 1 / Math.sqrt(m);
    }
    this.metric = 'diag';
  }

  /**
   * Switches to a dense inverse metric ([dim * dim] row-major, symmetric positive definite:
   * the posterior covariance once adapted). Throws when its Cholesky factorisation fails.
   */
  setDenseInvMetric(cov: ArrayLike<number>): void {
    const n = this.dim;
    if (cov.length !== n * n) throw new Error(`dense invMetric has length ${cov.length}, expected ${n * n}`);
    const L = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      let d = cov[j * n + j];
      for (let k = 0; k < j; k++) d -= L[j * n + k] * L[j * n + k];
      if (!(d > 0) || !Number.isFinite(d)) throw new Error(`dense invMetric is not positive definite (pivot ${j} = ${d})`);
      const ljj = Math.sqrt(d);
      L[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = 0.5 * (cov[i * n + j] + cov[j * n + i]);
        for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
        L[i * n + j] = s / ljj;
      }
    }
    this.cholL.set(L);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) this.invMetricDense[i * n + j] = 0.5 * (cov[i * n + j] + cov[j * n + i]);
      this.invMetric[i] = this.invMetricDense[i * n + i];
      this.sqrtMass[i] = 1 / Math.sqrt(this.invMetric[i]);
    }
    this.metric = 'dense';
  }

  /** out = invMetricDense * p ([dim]); returns p . out (twice the kinetic energy). */
  private denseVelocity(p: Float64Array, out: Float64Array): number {
    const n = this.dim;
    const S = this.invMetricDense;
    let k = 0;
    for (let i = 0, row = 0; i < n; i++, row += n) {
      let s = 0;
      for (let j = 0; j < n; j++) s += S[row + j] * p[j];
      out[i] = s;
      k += s * p[i];
    }
    return k;
  }

  /**
   * Stan's init_stepsize heuristic: doubles or halves the step size from its current value
   * until the acceptance of one leapfrog step crosses 0.8. Leaves the position unchanged.
   */
  findReasonableStepSize(): void {
    let eps = this.stepSize;
    if (eps === 0 || eps > 1e7 || Number.isNaN(eps)) return;
    const log08 = Math.log(0.8);
    let direction = 0;
    for (;;) {
      const deltaH = this.oneStepEnergyChange(eps);
      if (direction === 0) direction = deltaH > log08 ? 1 : -1;
      else if (direction === 1 && !(deltaH > log08)) break;
      else if (direction === -1 && !(deltaH < log08)) break;
      else eps = direction === 1 ? 2 * eps : 0.5 * eps;
      if (eps > 1e7) throw new Error('Step size search diverged (> 1e7): the posterior looks improper.');
      if (eps === 0) throw new Error('Step size search collapsed to 0: the density has no usable gradient here.');
    }
    this.stepSize = eps;
  }

  /** H0 - H after one leapfrog step from the current position with fresh momentum. */
  private oneStepEnergyChange(eps: number): number {
    const z = this.z;
    copyPoint(z, this.cur);
    this.sampleMomentum(z.p);
    const h0 = this.hamiltonian(z);
    this.leapfrog(z, eps);
    let h = this.hamiltonian(z);
    if (Number.isNaN(h)) h = Infinity;
    return h0 - h;
  }

  /** One NUTS transition from the current position; fills `stats` and moves the position. */
  transition(): TransitionStats {
    const maxDepth = this.maxTreeDepth;
    this.ensureLevels(maxDepth);
    const dim = this.dim;
    const rng = this.rng;
    const invM = this.invMetric;
    const { zFwd, zBck, zSample, zPropose, rhoFwd, rhoBck } = this;
    const { pSharpFwdBck, pSharpFwdFwd, pSharpBckFwd, pSharpBckBck, pFwdBck, pFwdFwd, pBckFwd, pBckBck } = this;

    const z = this.z;
    copyPoint(z, this.cur);
    this.sampleMomentum(z.p);
    const h0 = this.hamiltonian(z);
    this.h0 = h0;
    copyPoint(zFwd, z);
    copyPoint(zBck, z);
    copyPoint(zSample, z);
    const dense = this.metric === 'dense';
    const vel = this.vel;
    if (dense) this.denseVelocity(z.p, vel);
    for (let i = 0; i < dim; i++) {
      const p = z.p[i];
      const s = dense ? vel[i] : invM[i] * p;
      pSharpFwdBck[i] = s;
      pSharpFwdFwd[i] = s;
      pSharpBckFwd[i] = s;
      pSharpBckBck[i] = s;
      pFwdBck[i] = p;
      pFwdFwd[i] = p;
      pBckFwd[i] = p;
      pBckBck[i] = p;
      rhoBck[i] = p; // rho = rhoBck + rhoFwd throughout
      rhoFwd[i] = 0;
    }

    let logSumWeight = 0; // weight of the initial point: exp(H0 - H0)
    this.nLeapfrog = 0;
    this.sumMetroProb = 0;
    this.divergent = false;
    let depth = 0;

    while (depth < maxDepth) {
      let valid: boolean;
      if (rng.uniform() > 0.5) {
        // Extend forward: the old trajectory becomes the backward part.
        for (let i = 0; i < dim; i++) {
          rhoBck[i] += rhoFwd[i];
          rhoFwd[i] = 0;
        }
        pBckFwd.set(pFwdFwd);
        pSharpBckFwd.set(pSharpFwdFwd);
        copyPoint(z, zFwd);
        valid = this.buildTree(depth, zPropose, pSharpFwdBck, pSharpFwdFwd, rhoFwd, pFwdBck, pFwdFwd, 1);
        copyPoint(zFwd, z);
      } else {
        for (let i = 0; i < dim; i++) {
          rhoFwd[i] += rhoBck[i];
          rhoBck[i] = 0;
        }
        pFwdBck.set(pBckBck);
        pSharpFwdBck.set(pSharpBckBck);
        copyPoint(z, zBck);
        valid = this.buildTree(depth, zPropose, pSharpBckFwd, pSharpBckBck, rhoBck, pBckFwd, pBckBck, -1);
        copyPoint(zBck, z);
      }
      if (!valid) break;
      depth++;

      // Biased progressive sampling favours the new subtree (Stan, Betancourt 2017).
      const lswSubtree = this.treeLogWeight;
      if (lswSubtree > logSumWeight) copyPoint(zSample, zPropose);
      else if (rng.uniform() < Math.exp(lswSubtree - logSumWeight)) copyPoint(zSample, zPropose);
      logSumWeight = logAddExp(logSumWeight, lswSubtree);

      const persist =
        noUTurn(pSharpBckBck, pSharpFwdFwd, rhoBck, rhoFwd) &&
        noUTurn(pSharpBckBck, pSharpFwdBck, rhoBck, pFwdBck) &&
        noUTurn(pSharpBckFwd, pSharpFwdFwd, rhoFwd, pBckFwd);
      if (!persist) break;
    }

    copyPoint(this.cur, zSample);
    const st = this.stats;
    st.stepSize = this.stepSize;
    st.treeDepth = depth;
    st.nLeapfrog = this.nLeapfrog;
    st.divergent = this.divergent;
    st.acceptStat = this.sumMetroProb / this.nLeapfrog;
    st.energy = this.hamiltonian(zSample);
    st.lp = zSample.lp;
    return st;
  }

  /**
   * Builds a subtree of 2^depth leapfrog steps from `this.z` in direction `sign`.
   * Writes the subtree's proposal, its end momenta (beg = nearest the existing trajectory),
   * adds its momenta into rho, leaves its log weight in this.treeLogWeight; returns validity.
   */
  private buildTree(
    depth: number,
    zPropose: PhasePoint,
    pSharpBeg: Float64Array,
    pSharpEnd: Float64Array,
    rho: Float64Array,
    pBeg: Float64Array,
    pEnd: Float64Array,
    sign: number,
  ): boolean {
    const dim = this.dim;
    const z = this.z;
    if (depth === 0) {
      this.leapfrog(z, sign * this.stepSize);
      this.nLeapfrog++;
      // One pass: kinetic energy, end momenta, rho and the proposal copy.
      const invM = this.invMetric;
      const { q, p, g } = z;
      const pq = zPropose.q, pp = zPropose.p, pg = zPropose.g;
      const dense = this.metric === 'dense';
      const vel = this.vel;
      let k = dense ? this.denseVelocity(p, vel) : 0;
      for (let i = 0; i < dim; i++) {
        const pi = p[i];
        let si: number;
        if (dense) si = vel[i];
        else {
          si = invM[i] * pi;
          k += si * pi;
        }
        pSharpBeg[i] = si;
        pSharpEnd[i] = si;
        pBeg[i] = pi;
        pEnd[i] = pi;
        rho[i] += pi;
        pq[i] = q[i];
        pp[i] = pi;
        pg[i] = g[i];
      }
      zPropose.lp = z.lp;
      let h = -z.lp + 0.5 * k;
      if (Number.isNaN(h)) h = Infinity;
      const dH = this.h0 - h;
      if (-dH > this.maxDeltaH) this.divergent = true;
      this.treeLogWeight = dH;
      this.sumMetroProb += dH > 0 ? 1 : Math.exp(dH);
      return !this.divergent;
    }

    const L = this.levels[depth];
    L.rhoInit.fill(0);
    if (!this.buildTree(depth - 1, zPropose, pSharpBeg, L.pSharpInitEnd, L.rhoInit, pBeg, L.pInitEnd, sign)) return false;
    const lswInit = this.treeLogWeight;

    L.rhoFinal.fill(0);
    if (!this.buildTree(depth - 1, L.zProposeFinal, L.pSharpFinalBeg, pSharpEnd, L.rhoFinal, L.pFinalBeg, pEnd, sign)) return false;
    const lswFinal = this.treeLogWeight;

    const lswSubtree = logAddExp(lswInit, lswFinal);
    this.treeLogWeight = lswSubtree;
    if (lswFinal > lswSubtree) copyPoint(zPropose, L.zProposeFinal);
    else if (this.rng.uniform() < Math.exp(lswFinal - lswSubtree)) copyPoint(zPropose, L.zProposeFinal);

    const rhoInit = L.rhoInit;
    const rhoFinal = L.rhoFinal;
    for (let i = 0; i < dim; i++) rho[i] += rhoInit[i] + rhoFinal[i];

    return (
      noUTurn(pSharpBeg, pSharpEnd, rhoInit, rhoFinal) &&
      noUTurn(pSharpBeg, L.pSharpFinalBeg, rhoInit, L.pFinalBeg) &&
      noUTurn(L.pSharpInitEnd, pSharpEnd, rhoFinal, L.pInitEnd)
    );
  }

  /** Leapfrog step of size eps (signed) on z in place: kick, drift, gradient, kick. */
  private leapfrog(z: PhasePoint, eps: number): void {
    const dim = this.dim;
    const { q, p, g } = z;
    const invM = this.invMetric;
    const half = 0.5 * eps;
    if (this.metric === 'dense') {
      for (let i = 0; i < dim; i++) p[i] += half * g[i];
      const vel = this.vel;
      this.denseVelocity(p, vel);
      for (let i = 0; i < dim; i++) q[i] += eps * vel[i];
    } else {
      for (let i = 0; i < dim; i++) {
        p[i] += half * g[i];
        q[i] += eps * invM[i] * p[i];
      }
    }
    z.lp = this.target.logDensityGrad(q, g);
    for (let i = 0; i < dim; i++) p[i] += half * g[i];
  }

  private hamiltonian(z: PhasePoint): number {
    if (this.metric === 'dense') return -z.lp + 0.5 * this.denseVelocity(z.p, this.vel);
    const invM = this.invMetric;
    const p = z.p;
    let k = 0;
    for (let i = 0; i < this.dim; i++) k += invM[i] * p[i] * p[i];
    return -z.lp + 0.5 * k;
  }

  private sampleMomentum(p: Float64Array): void {
    if (this.metric === 'dense') {
      // p = L^-T u with u ~ N(0, I): Cov(p) = (L L^T)^-1 = the mass matrix (Stan's dense_e).
      const n = this.dim;
      const L = this.cholL;
      for (let i = 0; i < n; i++) p[i] = this.rng.normal();
      for (let i = n - 1; i >= 0; i--) {
        let s = p[i];
        for (let k = i + 1; k < n; k++) s -= L[k * n + i] * p[k];
        p[i] = s / L[i * n + i];
      }
      return;
    }
    for (let i = 0; i < this.dim; i++) p[i] = this.rng.normal() * this.sqrtMass[i];
  }

  private ensureLevels(maxDepth: number): void {
    const dim = this.dim;
    while (this.levels.length <= maxDepth) {
      this.levels.push({
        zProposeFinal: phasePoint(dim),
        pInitEnd: new Float64Array(dim),
        pSharpInitEnd: new Float64Array(dim),
        pFinalBeg: new Float64Array(dim),
        pSharpFinalBeg: new Float64Array(dim),
        rhoInit: new Float64Array(dim),
        rhoFinal: new Float64Array(dim),
      });
    }
  }
}
