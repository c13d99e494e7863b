/**
 * A short warmup with a dense metric: nutpie's gradient-based diagonal windows first (cheap:
 * the scales are right after a few dozen draws, so trees stay shallow), then dense covariance
 * windows from draws (Stan's dense_e estimate, optionally shrunk towards its own diagonal),
 * then a final phase that tunes only the step size for the last metric.
 * Default split of warmup W: 30% gradient diag, dense windows over 30%..85% (two, the second
 * twice the first), 15% step size. Parameters correlated up to |r| ~ 0.9 (Robyn) are what the
 * diagonal metric cannot capture.
 */
import { DualAveraging, type Adaptable, type TransitionSummary, type Warmup } from './adaptation.ts';
import { WelfordCovariance } from './covariance.ts';
import { GradientWarmup } from './gradient-warmup.ts';

/** Options of the gradient-then-dense warmup. */
export interface DenseWarmupOptions {
  /** Target acceptance statistic. Default 0.8. */
  adaptDelta?: number;
  /** Fraction of warmup spent on the gradient-based diagonal metric. Default 0.3. */
  diagFraction?: number;
  /** Final fraction with the metric fixed (step size only). Default 0.15. */
  stepSizeFraction?: number;
  /** Number of dense windows in between (each twice the previous). Default 2. */
  denseWindows?: number;
  /**
   * Shrinkage of the estimated correlation towards the identity, in [0, 1]; 'auto' uses
   * dim / (n + dim) for a window of n draws. Default 'auto'.
   */
  shrinkage?: number | 'auto';
  /**
   * Keep every draw from `poolFrom` (a fraction of the diagonal phase) in the dense estimate
   * instead of restarting at each window: the chains are in the typical set within a few dozen
   * draws here, and the covariance of 30 parameters needs every draw it can get. Default true.
   */
  pool?: boolean;
  /** Where pooled draws start, as a fraction of the diagonal phase. Default 0.5. */
  poolFrom?: number;
}

/** Gradient-informed diagonal warmup followed by dense covariance windows (see file comment). */
export class DenseWarmup implements Warmup {
  readonly stepSizeAdaptation: DualAveraging;
  /** Dense metric updates so far. */
  metricUpdates = 0;
  private readonly diag: GradientWarmup;
  private readonly diagEnd: number;
  private readonly windowEnds: number[];
  private readonly numWarmup: number;
  private readonly cov: WelfordCovariance;
  private readonly scratch: Float64Array;
  private readonly shrinkage: number | 'auto';
  private readonly pool: boolean;
  private readonly poolFrom: number;
  private draw = 0;

  /** @param numWarmup warmup iterations (>= 0) */
  constructor(sampler: Adaptable, numWarmup: number, options: DenseWarmupOptions = {}, keepMetric = false) {
    const delta = options.adaptDelta ?? 0.8;
    this.numWarmup = numWarmup;
    this.diagEnd = Math.floor((options.diagFraction ?? 0.3) * numWarmup);
    const metricEnd = numWarmup - Math.floor((options.stepSizeFraction ?? 0.15) * numWarmup);
    const k = options.denseWindows ?? 2;
    const unit = (metricEnd - this.diagEnd) / (2 ** k - 1);
    this.windowEnds = Array.from({ length: k }, (_, i) => Math.round(this.diagEnd + unit * (2 ** (i + 1) - 1)));
    this.shrinkage = options.shrinkage ?? 'auto';
    this.pool = options.pool ?? true;
    this.poolFrom = Math.floor((options.poolFrom ?? 0.5) * this.diagEnd);
    // The diagonal phase tunes its own step size up to its end; no step-size-only tail inside it.
    this.diag = new GradientWarmup(sampler, this.diagEnd, { adaptDelta: delta, stepSizeWindow: 0 }, keepMetric);
    this.stepSizeAdaptation = new DualAveraging({ delta });
    this.cov = new WelfordCovariance(sampler.dim);
    this.scratch = new Float64Array(sampler.dim * sampler.dim);
  }

  /** Learns from one warmup transition. */
  afterTransition(sampler: Adaptable, t: TransitionSummary): void {
    const draw = this.draw++;
    if (draw >= this.numWarmup) return;
    if (draw < this.diagEnd) {
      this.diag.afterTransition(sampler, t);
      if (this.pool && draw >= this.poolFrom && !t.divergent) this.cov.add(sampler.position);
      if (draw === this.diagEnd - 1) {
        this.diag.finish(sampler);
        this.restartStepSize(sampler, false);
      }
      return;
    }
    sampler.stepSize = this.stepSizeAdaptation.learn(t.acceptStat);
    const w = this.windowEnds.findIndex((e) => draw < e);
    if (w < 0) return;
    this.cov.add(sampler.position);
    if (draw === this.windowEnds[w] - 1 && this.cov.n >= 10) {
      this.cov.regularized(this.scratch);
      this.shrink(this.scratch, this.cov.n, sampler.dim);
      if (!this.pool) this.cov.restart();
      sampler.setDenseInvMetric(this.scratch);
      this.metricUpdates++;
      this.restartStepSize(sampler, true);
    }
  }

  /** Ends warmup with the averaged step size. */
  finish(sampler: Adaptable): void {
    if (this.numWarmup > 0) sampler.stepSize = this.stepSizeAdaptation.final();
  }

  private restartStepSize(sampler: Adaptable, search: boolean): void {
    if (search) sampler.findReasonableStepSize();
    this.stepSizeAdaptation.restartAt(sampler.stepSize);
  }

  /** Pulls off-diagonal entries towards 0 (correlations times 1 - lambda). */
  private shrink(m: Float64Array, n: number, dim: number): void {
    const lambda = this.shrinkage === 'auto' ? dim / (n + dim) : this.shrinkage;
    if (!(lambda > 0)) return;
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) if (i !== j) m[i * dim + j] *= 1 - lambda;
    }
  }
}
