/**
 * A shorter warmup after nutpie (pymc-devs/nuts-rs): the diagonal inverse metric is
 * sqrt(var(draws) / var(gradients)) per coordinate, re-estimated after every transition from a
 * foreground window while a background window fills; the background replaces the foreground
 * every 10 draws early on and every 80 later. The last 15% of warmup only tunes the step size.
 * For a Gaussian the estimate is exact with very few draws (var(grad) = 1 / var(draw)), which is
 * why this needs far fewer warmup iterations than Stan's variance windows.
 */
import { DualAveraging, type Adaptable, type TransitionSummary, type Warmup } from './adaptation.ts';
import { WelfordVariance } from './covariance.ts';

/** Options of the gradient-based warmup; defaults are nutpie's. */
export interface GradientWarmupOptions {
  /** Target acceptance statistic. Default 0.8. */
  adaptDelta?: number;
  /** Fraction of warmup with fast window switches. Default 0.3. */
  earlyWindow?: number;
  /** Final fraction of warmup with the metric fixed (step size only). Default 0.15. */
  stepSizeWindow?: number;
  /** Draws between window switches early on. Default 10. */
  earlySwitchEvery?: number;
  /** Draws between window switches afterwards. Default 80. */
  switchEvery?: number;
}

/** Metric entries are kept in this range so one odd coordinate cannot stall the integrator. */
const METRIC_MIN = 1e-10;
const METRIC_MAX = 1e10;

/** Streaming draw and gradient variances over one adaptation window (reset between windows). */
class DrawGradWindow {
  readonly draws: WelfordVariance;
  readonly grads: WelfordVariance;
  constructor(dim: number) {
    this.draws = new WelfordVariance(dim);
    this.grads = new WelfordVariance(dim);
  }
  get n(): number {
    return this.draws.n;
  }
  add(q: Float64Array, g: Float64Array): void {
    this.draws.add(q);
    this.grads.add(g);
  }
  restart(): void {
    this.draws.restart();
    this.grads.restart();
  }
}

/** Gradient-informed diagonal metric warmup (see file comment). */
export class GradientWarmup implements Warmup {
  readonly stepSizeAdaptation: DualAveraging;
  private fg: DrawGradWindow;
  private bg: DrawGradWindow;
  private readonly numWarmup: number;
  private readonly earlyEnd: number;
  private readonly metricEnd: number;
  private readonly earlySwitchEvery: number;
  private readonly switchEvery: number;
  private readonly varQ: Float64Array;
  private readonly varG: Float64Array;
  private readonly metric: Float64Array;
  private draw = 0;
  private firstUpdate = true;

  /**
   * Sets the initial metric from the gradient at the starting point (1 / |g|) unless
   * `keepMetric`; the caller then runs the step-size search.
   * @param numWarmup warmup iterations (>= 0)
   */
  constructor(sampler: Adaptable, numWarmup: number, options: GradientWarmupOptions = {}, keepMetric = false) {
    const dim = sampler.dim;
    this.numWarmup = numWarmup;
    this.earlyEnd = Math.floor((options.earlyWindow ?? 0.3) * numWarmup);
    this.metricEnd = numWarmup - Math.floor((options.stepSizeWindow ?? 0.15) * numWarmup);
    this.earlySwitchEvery = options.earlySwitchEvery ?? 10;
    this.switchEvery = options.switchEvery ?? 80;
    this.stepSizeAdaptation = new DualAveraging({ delta: options.adaptDelta ?? 0.8 });
    this.stepSizeAdaptation.mu = Math.log(10 * sampler.stepSize);
    this.fg = new DrawGradWindow(dim);
    this.bg = new DrawGradWindow(dim);
    this.varQ = new Float64Array(dim);
    this.varG = new Float64Array(dim);
    this.metric = new Float64Array(dim);
    this.fg.add(sampler.position, sampler.gradient);
    this.bg.add(sampler.position, sampler.gradient);
    if (!keepMetric && numWarmup > 0) {
      const g = sampler.gradient;
      for (let i = 0; i < dim; i++) this.metric[i] = clamp(1 / Math.abs(g[i]));
      sampler.setInvMetric(this.metric);
    }
  }

  /** Learns from one warmup transition: metric from the foreground window, then the step size. */
  afterTransition(sampler: Adaptable, t: TransitionSummary): void {
    const draw = this.draw++;
    if (draw >= this.numWarmup) return;
    if (draw < this.metricEnd) {
      if (!t.divergent) {
        this.fg.add(sampler.position, sampler.gradient);
        this.bg.add(sampler.position, sampler.gradient);
      }
      const every = draw < this.earlyEnd ? this.earlySwitchEvery : this.switchEvery;
      const late = draw + every > this.metricEnd;
      if (this.bg.n >= every && !late) {
        const old = this.fg;
        this.fg = this.bg;
        this.bg = old;
        this.bg.restart();
      }
      const changed = this.updateMetric(sampler);
      if (changed && this.firstUpdate) {
        this.firstUpdate = false;
        sampler.findReasonableStepSize();
        this.stepSizeAdaptation.restartAt(sampler.stepSize);
      } else {
        sampler.stepSize = this.stepSizeAdaptation.learn(t.acceptStat);
      }
      if (draw === this.metricEnd - 1) {
        // The metric is final from here: tune the step size for it alone.
        this.stepSizeAdaptation.restartAt(sampler.stepSize);
      }
      return;
    }
    sampler.stepSize = this.stepSizeAdaptation.learn(t.acceptStat);
  }

  /** Ends warmup with the averaged step size. */
  finish(sampler: Adaptable): void {
    if (this.numWarmup > 0) sampler.stepSize = this.stepSizeAdaptation.final();
  }

  private updateMetric(sampler: Adaptable): boolean {
    if (this.fg.n < 3) return false;
    this.fg.draws.variance(this.varQ);
    this.fg.grads.variance(this.varG);
    for (let i = 0; i < this.metric.length; i++) {
      const m = Math.sqrt(this.varQ[i] / this.varG[i]);
      this.metric[i] = Number.isFinite(m) && m > 0 ? clamp(m) : sampler.invMetric[i];
    }
    sampler.setInvMetric(this.metric);
    return true;
  }
}

function clamp(m: number): number {
  if (!(m > METRIC_MIN)) return METRIC_MIN;
  return m > METRIC_MAX ? METRIC_MAX : m;
}
