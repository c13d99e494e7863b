import { WelfordCovariance, WelfordVariance } from './covariance.ts';
import type { MetricKind } from './metric.ts';

/**
 * Stan's warmup: Nesterov dual averaging of the step size and a diagonal metric estimated in
 * doubling windows (stepsize_adaptation.hpp, windowed_adaptation.hpp, var_adaptation.hpp).
 */

/** Dual-averaging settings; defaults are Stan's. */
export interface DualAveragingOptions {
  /** Target mean acceptance statistic, in (0, 1). Default 0.8. */
  delta?: number;
  /** Regularisation scale. Default 0.05. */
  gamma?: number;
  /** Iteration offset that damps early updates. Default 10. */
  t0?: number;
  /** Decay exponent of the averaging weights, in (0.5, 1]. Default 0.75. */
  kappa?: number;
}

/** Nesterov dual averaging of log(step size) towards a target acceptance statistic. */
export class DualAveraging {
  /** Shrinkage point of log(step size); Stan sets log(10 * eps) at each (re)start. */
  mu = Math.log(10);
  readonly delta: number;
  private readonly gamma: number;
  private readonly t0: number;
  private readonly kappa: number;
  private counter = 0;
  private sBar = 0;
  private xBar = 0;

  constructor(options: DualAveragingOptions = {}) {
    this.delta = options.delta ?? 0.8;
    this.gamma = options.gamma ?? 0.05;
    this.t0 = options.t0 ?? 10;
    this.kappa = options.kappa ?? 0.75;
    if (!(this.delta > 0 && this.delta < 1)) throw new Error(`adapt delta must be in (0, 1), got ${this.delta}`);
  }

  /** Forgets the running averages (after a metric update). */
  restart(): void {
    this.counter = 0;
    this.sBar = 0;
    this.xBar = 0;
  }

  /** Restarts around a new step size (> 0): mu = log(10 * stepSize), as Stan does after each metric update. */
  restartAt(stepSize: number): void {
    this.mu = Math.log(10 * stepSize);
    this.restart();
  }

  /** Feeds one acceptance statistic ([0, 1]); returns the step size to use next (> 0). */
  learn(acceptStat: number): number {
    this.counter++;
    const a = acceptStat > 1 ? 1 : acceptStat;
    const eta = 1 / (this.counter + this.t0);
    this.sBar = (1 - eta) * this.sBar + eta * (this.delta - a);
    const x = this.mu - (this.sBar * Math.sqrt(this.counter)) / this.gamma;
    const xEta = Math.pow(this.counter, -this.kappa);
    this.xBar = (1 - xEta) * this.xBar + xEta * x;
    return Math.exp(x);
  }

  /** The averaged step size that sampling uses once warmup ends. */
  final(): number {
    return Math.exp(this.xBar);
  }
}

/** Sizes of Stan's warmup phases, in iterations. */
export interface WindowOptions {
  /** Fast initial phase (step size only). Default 75. */
  initBuffer?: number;
  /** Fast final phase (step size only). Default 50. */
  termBuffer?: number;
  /** First slow (metric) window; each next one doubles. Default 25. */
  baseWindow?: number;
}

/**
 * When Stan's metric windows close: init buffer, windows of 25, 50, 100, ... (the last one stretched
 * to the term buffer), term buffer; 15%/75%/10% of warmup when it is too short for the defaults,
 * and no metric adaptation below 20 warmup iterations.
 */
export class WindowSchedule {
  readonly numWarmup: number;
  readonly initBuffer: number;
  readonly termBuffer: number;
  readonly baseWindow: number;
  /** False when warmup < 20: the metric stays as given. */
  readonly adaptsMetric: boolean;
  private counter = 0;
  private windowSize: number;
  private nextWindow: number;

  /** @param numWarmup warmup iterations (>= 0) */
  constructor(numWarmup: number, options: WindowOptions = {}) {
    let init = options.initBuffer ?? 75;
    let term = options.termBuffer ?? 50;
    let base = options.baseWindow ?? 25;
    this.adaptsMetric = numWarmup >= 20;
    if (this.adaptsMetric && init + base + term > numWarmup) {
      init = Math.floor(0.15 * numWarmup);
      term = Math.floor(0.1 * numWarmup);
      base = numWarmup - (init + term);
    }
    this.numWarmup = numWarmup;
    this.initBuffer = init;
    this.termBuffer = term;
    this.baseWindow = base;
    // Stan forgets to restart the windows in its short-warmup branch (the metric then never
    // updates); we restart in both, which is what the 15/75/10 rule intends.
    this.windowSize = base;
    this.nextWindow = init + base - 1;
  }

  /** Whether the current iteration's draw feeds the metric estimate. */
  inWindow(): boolean {
    const c = this.counter;
    return this.adaptsMetric && c >= this.initBuffer && c < this.numWarmup - this.termBuffer;
  }

  /** Whether the current iteration closes a metric window (then the metric is updated). */
  endsWindow(): boolean {
    return this.adaptsMetric && this.counter === this.nextWindow && this.counter !== this.numWarmup;
  }

  /** Moves to the next iteration; call after inWindow/endsWindow. */
  advance(): void {
    if (this.endsWindow()) this.computeNextWindow();
    this.counter++;
  }

  private computeNextWindow(): void {
    const lastEnd = this.numWarmup - this.termBuffer - 1;
    if (this.nextWindow === lastEnd) return;
    this.windowSize *= 2;
    this.nextWindow = this.counter + this.windowSize;
    if (this.nextWindow === lastEnd) return;
    // Stretch this window to the end when the following one would not fit.
    if (this.nextWindow + 2 * this.windowSize >= this.numWarmup - this.termBuffer) this.nextWindow = lastEnd;
  }
}

/** The part of the sampler that warmup adapts (implemented by Nuts). */
export interface Adaptable {
  readonly dim: number;
  stepSize: number;
  readonly invMetric: Float64Array;
  /** Current position ([dim]). */
  readonly position: Float64Array;
  /** Gradient of the log density at the position ([dim]). */
  readonly gradient: Float64Array;
  setInvMetric(invMetric: ArrayLike<number>): void;
  /** Dense inverse metric ([dim * dim] row-major, SPD). */
  setDenseInvMetric(cov: ArrayLike<number>): void;
  findReasonableStepSize(): void;
}

/** What warmup learns from after each transition. */
export interface TransitionSummary {
  /** Mean acceptance statistic of the transition, [0, 1]. */
  acceptStat: number;
  divergent: boolean;
}

/** A warmup strategy: fed every warmup transition in order, then finished once. */
export interface Warmup {
  /** Learns from one warmup transition (the sampler is at its new position). */
  afterTransition(sampler: Adaptable, t: TransitionSummary): void;
  /** Ends warmup: fixes the step size and metric used for sampling. */
  finish(sampler: Adaptable): void;
}

/** Stan's warmup options. */
export interface StanWarmupOptions extends WindowOptions {
  /** Target acceptance statistic. Default 0.8. */
  adaptDelta?: number;
  /** 'diag' (Stan's diag_e, default) or 'dense' (dense_e: windowed covariance). */
  metric?: MetricKind;
}

/**
 * Stan's warmup driver: call `afterTransition` after each warmup transition, `finish` once
 * after the last. Mutates the sampler's step size and metric as Stan's adapt_diag_e_nuts does.
 */
export class StanWarmup implements Warmup {
  readonly schedule: WindowSchedule;
  readonly stepSizeAdaptation: DualAveraging;
  /** Metric windows closed so far. */
  metricUpdates = 0;
  private readonly estimator: WelfordVariance;
  private readonly scratch: Float64Array;
  private readonly covEstimator: WelfordCovariance | undefined;
  private readonly covScratch: Float64Array | undefined;

  /**
   * @param sampler the NUTS sampler (initial position set, initial step size found)
   * @param numWarmup warmup iterations (>= 0)
   */
  constructor(sampler: Adaptable, numWarmup: number, options: StanWarmupOptions = {}) {
    this.schedule = new WindowSchedule(numWarmup, options);
    this.stepSizeAdaptation = new DualAveraging({ delta: options.adaptDelta ?? 0.8 });
    // Stan's services set mu from the user's initial step size, before the heuristic runs.
    this.stepSizeAdaptation.mu = Math.log(10 * sampler.stepSize);
    this.estimator = new WelfordVariance(sampler.dim);
    this.scratch = new Float64Array(sampler.dim);
    if (options.metric === 'dense') {
      this.covEstimator = new WelfordCovariance(sampler.dim);
      this.covScratch = new Float64Array(sampler.dim * sampler.dim);
    }
  }

  /** Learns from one warmup transition (acceptance statistic, new position). */
  afterTransition(sampler: Adaptable, t: TransitionSummary): void {
    sampler.stepSize = this.stepSizeAdaptation.learn(t.acceptStat);
    const s = this.schedule;
    const cov = this.covEstimator;
    if (s.inWindow()) (cov ?? this.estimator).add(sampler.position);
    if (s.endsWindow()) {
      if (cov && this.covScratch) {
        cov.regularized(this.covScratch);
        cov.restart();
        sampler.setDenseInvMetric(this.covScratch);
      } else {
        this.estimator.regularized(this.scratch);
        this.estimator.restart();
        sampler.setInvMetric(this.scratch);
      }
      sampler.findReasonableStepSize();
      this.stepSizeAdaptation.restartAt(sampler.stepSize);
      this.metricUpdates++;
    }
    s.advance();
  }

  /** Ends warmup: the step size becomes the dual-averaging average. */
  finish(sampler: Adaptable): void {
    sampler.stepSize = this.stepSizeAdaptation.final();
  }
}
