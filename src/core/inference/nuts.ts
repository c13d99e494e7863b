import type { LogDensity } from '../kernels/kernel.ts';
import type { Rng } from './rng.ts';
import { EuclideanMetric, type MetricKind } from './metric.ts';
import { copyPoint, phasePoint, type PhasePoint } from './phase-point.ts';
import { logAddExp, noUTurn, subtreeLevel, type SubtreeLevel } from './subtree.ts';

/** Options of the NUTS transition. */
export interface NutsOptions {
  /** Maximum tree depth (>= 1); a transition takes at most 2^depth - 1 leapfrog steps. Default 10. */
  maxTreeDepth?: number;
  /** Energy error (in nats) above which a trajectory is called divergent. Default 1000 (Stan). */
  maxDeltaH?: number;
}

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
  private readonly euclidean: EuclideanMetric;
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
  private readonly levels: SubtreeLevel[] = [];
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
    this.euclidean = new EuclideanMetric(dim);
    this.invMetric = this.euclidean.diag;
    this.invMetricDense = this.euclidean.dense;
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

  /** Which metric the integrator uses; set by setInvMetric ('diag') or setDenseInvMetric ('dense'). */
  get metric(): MetricKind {
    return this.euclidean.kind;
  }

  set metric(kind: MetricKind) {
    this.euclidean.kind = kind;
  }

  /** Replaces the diagonal inverse metric ([dim], every entry finite and > 0). */
  setInvMetric(invMetric: ArrayLike<number>): void {
    this.euclidean.setDiagonal(invMetric);
  }

  /**
   * Switches to a dense inverse metric ([dim * dim] row-major, symmetric positive definite:
   * the posterior covariance once adapted). Throws when its Cholesky factorisation fails.
   */
  setDenseInvMetric(cov: ArrayLike<number>): void {
    this.euclidean.setDense(cov);
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
    this.euclidean.sampleMomentum(this.rng, z.p);
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
    const { zFwd, zBck, zSample, zPropose, rhoFwd, rhoBck } = this;
    const { pSharpFwdBck, pSharpFwdFwd, pSharpBckFwd, pSharpBckBck, pFwdBck, pFwdFwd, pBckFwd, pBckBck } = this;

    const z = this.z;
    copyPoint(z, this.cur);
    this.euclidean.sampleMomentum(rng, z.p);
    const h0 = this.hamiltonian(z);
    this.h0 = h0;
    copyPoint(zFwd, z);
    copyPoint(zBck, z);
    copyPoint(zSample, z);
    this.euclidean.velocity(z.p, pSharpFwdBck);
    for (let i = 0; i < dim; i++) {
      const p = z.p[i];
      const s = pSharpFwdBck[i];
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
      // Kinetic energy and velocity, then one pass: end momenta, rho and the proposal copy.
      const { q, p, g } = z;
      const pq = zPropose.q, pp = zPropose.p, pg = zPropose.g;
      const k = this.euclidean.velocity(p, pSharpBeg);
      for (let i = 0; i < dim; i++) {
        const pi = p[i];
        pSharpEnd[i] = pSharpBeg[i];
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
    const half = 0.5 * eps;
    for (let i = 0; i < dim; i++) p[i] += half * g[i];
    this.euclidean.drift(q, p, eps);
    z.lp = this.target.logDensityGrad(q, g);
    for (let i = 0; i < dim; i++) p[i] += half * g[i];
  }

  /** H = -lp + kinetic energy at z, in nats. */
  private hamiltonian(z: PhasePoint): number {
    return -z.lp + this.euclidean.kineticEnergy(z.p);
  }

  private ensureLevels(maxDepth: number): void {
    while (this.levels.length <= maxDepth) this.levels.push(subtreeLevel(this.dim));
  }
}
