/**
 * Stan's regularisation of a metric estimated from a window of n draws (var_adaptation and
 * covar_adaptation): every entry times n / (n + 5), plus 1e-3 * 5 / (n + 5) on the diagonal, so
 * short windows cannot produce a singular or degenerate metric. In place on out: a diagonal
 * ([dim]) or a dense matrix ([dim * dim] row-major).
 */
export function stanRegularize(out: Float64Array, n: number, dim: number): void {
  const w = n / (n + 5);
  for (let k = 0; k < out.length; k++) out[k] *= w;
  const step = out.length === dim ? 1 : dim + 1;
  for (let i = 0; i < dim; i++) out[i * step] += 1e-3 * (5 / (n + 5));
}

/** Streaming mean and variance per coordinate (Welford). */
export class WelfordVariance {
  /** Number of points added. */
  n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  /** @param dim number of coordinates */
  constructor(dim: number) {
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
  }

  /** Adds one point x ([dim]). */
  add(x: ArrayLike<number>): void {
    this.n++;
    const { mean, m2 } = this;
    for (let i = 0; i < mean.length; i++) {
      const d = x[i] - mean[i];
      mean[i] += d / this.n;
      m2[i] += d * (x[i] - mean[i]);
    }
  }

  /** Writes the sample variances (divisor n - 1) into out ([dim]); needs n >= 2. */
  variance(out: Float64Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.m2[i] / (this.n - 1);
  }

  /** Stan's regularised variances (see stanRegularize) into out ([dim]); needs n >= 2. */
  regularized(out: Float64Array): void {
    this.variance(out);
    stanRegularize(out, this.n, out.length);
  }

  /** Forgets every point. */
  restart(): void {
    this.n = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }
}

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
   * Stan's regularised estimate (n / (n + 5)) Sigma + 1e-3 (5 / (n + 5)) I (see stanRegularize).
   * Writes [dim * dim] into out; needs n >= 2.
   */
  regularized(out: Float64Array): void {
    this.covariance(out);
    stanRegularize(out, this.n, this.dim);
  }

  /** Forgets every point. */
  restart(): void {
    this.n = 0;
    this.mean.fill(0);
    this.m2.fill(0);
  }
}
