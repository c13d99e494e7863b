import type { Rng } from './rng.ts';

/** Euclidean metric kinds: a diagonal or a dense (full covariance) inverse metric. */
export type MetricKind = 'diag' | 'dense';

/**
 * The Euclidean metric of Hamiltonian Monte Carlo, diagonal (Stan's diag_e) or dense (dense_e):
 * momenta p ~ N(0, M), velocity M^-1 p ("p sharp"), kinetic energy p' M^-1 p / 2.
 * Stores the inverse metric M^-1 (the posterior covariance once adapted). Every method but the
 * setters is allocation-free.
 */
export class EuclideanMetric {
  /** Number of coordinates. */
  readonly dim: number;
  /** Which inverse metric is in use; set by setDiagonal ('diag') or setDense ('dense'). */
  kind: MetricKind = 'diag';
  /** Diagonal inverse metric ([dim], > 0); the dense metric's diagonal in dense mode. */
  readonly diag: Float64Array;
  /** Dense inverse metric ([dim * dim] row-major, symmetric positive definite); identity until set. */
  readonly dense: Float64Array;
  private readonly sqrtMass: Float64Array; // 1 / sqrt(diag): scales diagonal momentum draws
  private readonly cholL: Float64Array; // lower Cholesky factor of `dense`, row-major
  private readonly vel: Float64Array; // scratch: M^-1 p

  /** @param dim number of coordinates (>= 1); starts as the identity */
  constructor(dim: number) {
    this.dim = dim;
    this.diag = new Float64Array(dim).fill(1);
    this.sqrtMass = new Float64Array(dim).fill(1);
    this.dense = new Float64Array(dim * dim);
    this.cholL = new Float64Array(dim * dim);
    for (let i = 0; i < dim; i++) this.dense[i * dim + i] = this.cholL[i * dim + i] = 1;
    this.vel = new Float64Array(dim);
  }

  /** Switches to a diagonal inverse metric ([dim], every entry finite and > 0). */
  setDiagonal(invMetric: ArrayLike<number>): void {
    if (invMetric.length !== this.dim) throw new Error(`invMetric has length ${invMetric.length}, expected ${this.dim}`);
    for (let i = 0; i < this.dim; i++) {
      const m = invMetric[i];
      if (!(m > 0) || !Number.isFinite(m)) throw new Error(`invMetric[${i}] = ${m} is not finite and positive`);
      this.diag[i] = m;
      this.sqrtMass[i] = 1 / Math.sqrt(m);
    }
    this.kind = 'diag';
  }

  /**
   * Switches to a dense inverse metric ([dim * dim] row-major, symmetric positive definite;
   * symmetrised as (cov + cov') / 2). Throws when its Cholesky factorisation fails.
   */
  setDense(cov: ArrayLike<number>): void {
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
      for (let j = 0; j < n; j++) this.dense[i * n + j] = 0.5 * (cov[i * n + j] + cov[j * n + i]);
      this.diag[i] = this.dense[i * n + i];
      this.sqrtMass[i] = 1 / Math.sqrt(this.diag[i]);
    }
    this.kind = 'dense';
  }

  /** Draws a momentum p ([dim]) from N(0, M) with the chain's generator. */
  sampleMomentum(rng: Rng, p: Float64Array): void {
    const n = this.dim;
    if (this.kind === 'dense') {
      // p = L^-T u with u ~ N(0, I): Cov(p) = (L L^T)^-1 = the mass matrix (Stan's dense_e).
      const L = this.cholL;
      for (let i = 0; i < n; i++) p[i] = rng.normal();
      for (let i = n - 1; i >= 0; i--) {
        let s = p[i];
        for (let k = i + 1; k < n; k++) s -= L[k * n + i] * p[k];
        p[i] = s / L[i * n + i];
      }
      return;
    }
    const sqrtMass = this.sqrtMass;
    for (let i = 0; i < n; i++) p[i] = rng.normal() * sqrtMass[i];
  }

  /** Writes the velocity M^-1 p into out ([dim]); returns p . M^-1 p (twice the kinetic energy, >= 0). */
  velocity(p: Float64Array, out: Float64Array): number {
    const n = this.dim;
    let k = 0;
    if (this.kind === 'dense') {
      const S = this.dense;
      for (let i = 0, row = 0; i < n; i++, row += n) {
        let s = 0;
        for (let j = 0; j < n; j++) s += S[row + j] * p[j];
        out[i] = s;
        k += s * p[i];
      }
      return k;
    }
    const invM = this.diag;
    for (let i = 0; i < n; i++) {
      const s = invM[i] * p[i];
      out[i] = s;
      k += s * p[i];
    }
    return k;
  }

  /** Kinetic energy p' M^-1 p / 2 of a momentum p ([dim]), in nats. */
  kineticEnergy(p: Float64Array): number {
    if (this.kind === 'dense') return 0.5 * this.velocity(p, this.vel);
    const invM = this.diag;
    let k = 0;
    for (let i = 0; i < this.dim; i++) k += invM[i] * p[i] * p[i];
    return 0.5 * k;
  }

  /** The leapfrog's drift: q += eps * M^-1 p in place (q, p [dim]; eps signed step size). */
  drift(q: Float64Array, p: Float64Array, eps: number): void {
    const n = this.dim;
    if (this.kind === 'dense') {
      const vel = this.vel;
      this.velocity(p, vel);
      for (let i = 0; i < n; i++) q[i] += eps * vel[i];
      return;
    }
    const invM = this.diag;
    for (let i = 0; i < n; i++) q[i] += eps * invM[i] * p[i];
  }
}
