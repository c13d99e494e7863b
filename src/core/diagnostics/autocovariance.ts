/**
 * Autocovariance of one chain at every lag, with Geyer's (1992) "biased" normalisation:
 * acov[t] = (1/N) sum_{i < N - t} (y_i - ybar)(y_{i+t} - ybar). The biased form keeps the
 * sequence positive semi-definite, which the initial-sequence estimators rely on.
 *
 * rstan 2.21's monitor.R divides its FFT result by 2 N^2 after padding to 2 M with
 * M = next 2-3-5-smooth size >= N, which is this estimator times M / N: identical whenever N is
 * 2-3-5 smooth (250, 500, 1000, ...), slightly inflated otherwise (posterior issue #126, fixed
 * there). We compute the estimator itself, so ESS can differ from rstan for other N.
 */

/**
 * In-place iterative radix-2 FFT (forward, no scaling).
 * @param re real parts, length a power of two
 * @param im imaginary parts, same length
 */
function fftInPlace(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!;
      re[i] = re[j]!;
      re[j] = t;
      t = im[i]!;
      im[i] = im[j]!;
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const half = len >> 1;
    for (let k = 0; k < half; k++) {
      // twiddles from cos/sin directly, not by repeated multiplication, to keep errors at 1e-16
      const wr = Math.cos(ang * k);
      const wi = Math.sin(ang * k);
      for (let s = k; s < n; s += len) {
        const u = s + half;
        const xr = re[u]! * wr - im[u]! * wi;
        const xi = re[u]! * wi + im[u]! * wr;
        re[u] = re[s]! - xr;
        im[u] = im[s]! - xi;
        re[s] = re[s]! + xr;
        im[s] = im[s]! + xi;
      }
    }
  }
}

function centered(y: ArrayLike<number>): Float64Array {
  const n = y.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += y[i]!;
  const mu = s / n;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = y[i]! - mu;
  return out;
}

/**
 * Autocovariances by FFT, O(N log N): zero-padded to a power of two >= 2N so the circular
 * correlation equals the linear one.
 * @param y one chain, length N >= 1
 * @returns Float64Array of length N, acov[t] for lag t = 0..N-1 (acov[0] = variance with 1/N)
 */
export function autocovariance(y: ArrayLike<number>): Float64Array {
  const n = y.length;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(centered(y));
  fftInPlace(re, im);
  for (let k = 0; k < size; k++) {
    re[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    im[k] = 0;
  }
  // the power spectrum is real and even, so a forward transform equals the inverse up to 1/size
  fftInPlace(re, im);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t]! / size / n;
  return out;
}

/**
 * Autocovariances by the defining sum, O(N^2): the oracle for `autocovariance` in tests.
 * @param y one chain, length N >= 1
 * @returns Float64Array of length N, same normalisation as `autocovariance`
 */
export function autocovarianceDirect(y: ArrayLike<number>): Float64Array {
  const yc = centered(y);
  const n = yc.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let i = 0; i + t < n; i++) s += yc[i]! * yc[i + t]!;
    out[t] = s / n;
  }
  return out;
}
