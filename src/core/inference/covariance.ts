/** Streaming mean and covariance of points in R^dim (Welford), for the dense metric. */
export class WelfordCovariance {
  /** Number of points added. */
  n = 0;
  readonly dim: number;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array; // [dim * dim] row-major, upper triangle filled
  private readonly delta: Float64Array;

  /** @param dim number of coordinates */
  constructor(dim: number) {
    this.dim = dim;
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim * dim);
    this.delta = new Float64Array(dim);
  }

  /** Adds one point x ([dim]); O(dim^2), allocation-free. */
  add(x: ArrayLike<number>): void {
    this.n++;
    const { mean, m2, delta, dim } = this;
    for (let i = 0; i < dim; i++) {
      delta[i] = x[i] - mean[i];
      mean[i] += delta[i] / this.n;
    }
    // m2 += delta_before * delta_after^T (symmetric in expectation; upper triangle kept)
    for (let i = 0; i < dim; i++) {
      const di = delta[i];
      const row = i * dim;
      for (let j = i; j < dim; j++) m2[row + j] += di * (x[j] - mean[j]);
    }
  }

  /** Writes the sample covariance (divisor n - 1, [dim * dim] row-major, symmetric) into out; needs n >= 2. */
  covariance(out: Float64Array): void {
    const { m2, dim } = this;
    const c = 1 / (this.n - 1);
    for (let i = 0; i < dim; i++) {
      for (let j = i; j < dim; j++) {
        const v = m2[i * dim + j] * c;
        out[i * dim + j] = v;
        out[j * dim + i] = v;
      }
    }
  }

  /**
   * Stan's regularised estimate: (n / (n + 5)) Sigma + 1e-3 (5 / (n + 5)) I, so short windows
   * cannot produce a singular metric. Writes [dim * dim] into out; needs n >= 2.
   */
  regularized(out: Float64Array): void {
    this.covariance(out);
    const n = this.n;
    const w = n / (n + 5);
    for (let k = 0; k < out.length; k++) out[k] *= w;
    for (let i = 0; i < this.dim; i++) out[i * this.dim + i] += 1e-3 * (5 / (n + 5));
  }

  /** Forgets every point. */
  restart(): void {
    this.n = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }
}
