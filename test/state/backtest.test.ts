import { describe, expect, it } from 'vitest';
import { BacktestState, type BacktestInputs, type HeldOutStarter } from '../../src/state/backtest.svelte.ts';
import type { FitStarter } from '../../src/state/fit.svelte.ts';
import { FitCancelled } from '../../src/clients/fit-client.ts';
import { AnalysisCancelled } from '../../src/clients/analysis-client.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { assembleFit, type FitResult } from '../../src/core/inference/fit-result.ts';
import { summarizeProgress } from '../../src/core/inference/progress.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';
import { evaluateHeldOut, type HeldOutEvaluation } from '../../src/core/evaluation/holdout.ts';
import type { FitMetrics } from '../../src/core/evaluation/metrics.ts';

// The app's backtest state with its workers replaced by the same code run in-process: the fit
// (runFitJob + assembleFit, what fit.worker.ts and the fit client run) and the forecast
// (evaluateHeldOut, what analysis.worker.ts runs).
const inProcessFit: FitStarter = (spec, data, settings, onProgress, thresholds) => {
  const chainIds = Array.from({ length: settings.chains }, (_, i) => i);
  const result = runFitJob({ spec, data, chainIds, settings, kernel: 'fused' }, () => performance.now(), (s) => onProgress(summarizeProgress(s, 1))).then((runs) =>
    assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS: 1 }, thresholds),
  );
  return { result, cancel: () => {}, workers: 1 };
};
const inProcessEval: HeldOutStarter = (spec, split, fit, seed, options) => ({
  result: Promise.resolve().then(() => evaluateHeldOut(spec, split, fit, new Rng(seed), options)),
  cancel: () => {},
});

describe('holdout refit through BacktestState (in-process workers, synthetic data with known truth)', () => {
  const { dataset } = generateSynthetic(new Rng(31), { weeks: 104 });
  const config = defaultConfig();
  config.evaluation.holdout_weeks = 13;
  config.evaluation.backtest_draws = 150;
  const { untilConverged: _, ...plain } = DEFAULT_FIT_SETTINGS;
  const inputs: BacktestInputs = {
    spec: DEFAULT_MODEL_SPEC,
    dataset,
    settings: { ...plain, chains: 2, warmup: 150, draws: 400, seed: 3, kernel: 'fused' },
    main: { wallS: 10 },
    config,
    thresholds: {},
  };

  it('forecasts the 13 held-out weeks within their intervals; the metrics are those of its band; same seed, same numbers', async () => {
    const bt = new BacktestState({ starter: inProcessFit, evaluate: inProcessEval });
    const plan = bt.plan('holdout', inputs);
    expect(plan.ok && plan.splits.length).toBe(1);
    // draws capped by evaluation.backtest_draws, the rest of the main fit's settings kept
    expect(plan.ok && plan.settings).toEqual({ ...inputs.settings, draws: 150 });
    // estimate: 10 s for 550 iterations on 104 weeks -> 300 iterations on 91 weeks
    expect(plan.ok && plan.estimate.totalS).toBeCloseTo(((10 / 550) * 300 * 91) / 104, 9);
    await bt.start('holdout', inputs);
    expect(bt.error).toBeNull();
    expect(bt.phase).toBe('done');
    const ev = bt.result!.folds[0];
    expect(bt.result!.folds.length).toBe(1);
    expect(ev.outOfSample.weeks).toBe(13);
    expect(ev.inSample.weeks).toBe(91);
    expect(ev.testDates).toEqual([dataset.dates[91], dataset.dates[103]]);
    expect(bt.refits[0].draws).toBe(150);
    expect(bt.refits[0].maxRhat).toBeLessThan(1.1);
    const cov = Object.fromEntries(ev.outOfSample.coverage.map((c) => [c.level, c.share]));
    // 13 weeks from the true model: P(fewer than 10 inside the 90% interval) < 3%
    expect(cov[0.9]).toBeGreaterThanOrEqual(10 / 13);
    expect(cov[0.5]).toBeGreaterThanOrEqual(2 / 13);
    expect(cov[0.5]).toBeLessThanOrEqual(11 / 13);
    expect(ev.outOfSample.mape).toBeLessThan(0.1);

    // by hand from the forecast band of the test weeks: posterior-mean forecast, actual, quantiles
    const test = ev.band.slice(ev.nTrain);
    const a = test.map((r) => r.actual);
    const m = test.map((r) => r.mean);
    const n = a.length;
    const mean = a.reduce((s, v) => s + v, 0) / n;
    const mape = a.reduce((s, v, i) => s + Math.abs(v - m[i]) / Math.abs(v), 0) / n;
    const ssRes = a.reduce((s, v, i) => s + (v - m[i]) ** 2, 0);
    const ssTot = a.reduce((s, v) => s + (v - mean) ** 2, 0);
    const nrmse = Math.sqrt(ssRes / n) / (Math.max(...a) - Math.min(...a));
    expect(ev.outOfSample.mape).toBeCloseTo(mape, 12);
    expect(ev.outOfSample.r2).toBeCloseTo(1 - ssRes / ssTot, 12);
    expect(ev.outOfSample.nrmse).toBeCloseTo(nrmse, 12);
    expect(cov[0.9]).toBe(test.filter((r) => r.actual >= r.q05 && r.actual <= r.q95).length / n);
    expect(cov[0.5]).toBe(test.filter((r) => r.actual >= r.q25 && r.actual <= r.q75).length / n);
    // one fold: the pooled summary is that fold
    expect(bt.result!.summary!.mape).toBe(ev.outOfSample.mape);
    expect(bt.result!.summary!.coverage).toEqual(ev.outOfSample.coverage);

    const again = new BacktestState({ starter: inProcessFit, evaluate: inProcessEval });
    await again.start('holdout', inputs);
    expect(again.result!.folds[0]).toEqual(ev);
  }, 300_000);

  it('says why a holdout cannot run on too few weeks, naming the config key', async () => {
    const bt = new BacktestState({ starter: inProcessFit, evaluate: inProcessEval });
    const short = { ...inputs, config: { ...config, evaluation: { ...config.evaluation, holdout_weeks: 90 } } };
    await bt.start('holdout', short);
    expect(bt.phase).toBe('failed');
    expect(bt.error).toMatch(/evaluation\.holdout_weeks to at most 78/);
  });
});

describe('backtest cancel', () => {
  const { dataset } = generateSynthetic(new Rng(5), { weeks: 80 });
  const config = defaultConfig();
  config.training.rolling_splits = { window_weeks: 40, step_weeks: 10, folds: 3 };
  const inputs: BacktestInputs = { spec: DEFAULT_MODEL_SPEC, dataset, settings: { ...DEFAULT_FIT_SETTINGS, kernel: 'fused' }, main: { wallS: 5 }, config, thresholds: {} };
  const metrics: FitMetrics = { weeks: 10, mape: 0.05, r2: 0.8, nrmse: 0.1, coverage: [{ level: 0.5, share: 0.5 }, { level: 0.8, share: 0.8 }, { level: 0.9, share: 0.9 }] };
  const fakeFit = { summary: [{ rhat: 1.004 }], sampler: { divergences: { count: 0 } }, tables: [{ nDraws: 300 }], wallS: 2 } as unknown as FitResult;

  /** Refits and forecasts that finish at once, except call `hangAt` of `hangIn`, which waits until cancelled; counts the calls. */
  const fakes = (hangAt: number, hangIn: 'fit' | 'eval') => {
    const log = { fits: 0, fitCancels: 0, evals: 0, evalCancels: 0 };
    const starter: FitStarter = () => {
      const i = log.fits++;
      let stop = () => {};
      const result = i === hangAt && hangIn === 'fit' ? new Promise<FitResult>((_, reject) => (stop = () => reject(new FitCancelled('cancelled')))) : Promise.resolve(fakeFit);
      return { result, cancel: () => (log.fitCancels++, stop()), workers: 1 };
    };
    const evaluate: HeldOutStarter = (_spec, split) => {
      const i = log.evals++;
      let stop = () => {};
      const ev = { fold: split.fold, outOfSample: metrics, inSample: metrics, band: [], nTrain: split.nTrain, trainDates: ['', ''], testDates: ['', ''] } as HeldOutEvaluation;
      const result = i === hangAt && hangIn === 'eval' ? new Promise<HeldOutEvaluation>((_, reject) => (stop = () => reject(new AnalysisCancelled('cancelled')))) : Promise.resolve(ev);
      return { result, cancel: () => (log.evalCancels++, stop()) };
    };
    return { log, starter, evaluate };
  };
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(ok()).toBe(true);
  };

  it('cancelling the second refit stops its workers, keeps the first fold and starts no other', async () => {
    const f = fakes(1, 'fit');
    const bt = new BacktestState(f);
    const done = bt.start('rolling', inputs);
    await until(() => bt.fold === 1 && bt.step === 'fitting');
    expect(bt.phase).toBe('running');
    expect(bt.result!.planned).toBe(3);
    expect(bt.fraction).toBeCloseTo(1 / 3, 12);
    bt.cancel();
    await done;
    expect(bt.phase).toBe('cancelled');
    expect(f.log).toEqual({ fits: 2, fitCancels: 1, evals: 1, evalCancels: 0 });
    expect(bt.refit.phase).toBe('cancelled');
    // the evaluated fold is kept, with its summary
    expect(bt.result!.folds.map((e) => e.fold)).toEqual([0]);
    expect(bt.result!.summary!.mape).toBe(0.05);
    expect(bt.fold).toBeNull();
    expect(bt.error).toBeNull();
  });

  it('cancelling during a forecast terminates the analysis worker and drops that fold; a new run starts from scratch', async () => {
    const f = fakes(2, 'eval');
    const bt = new BacktestState(f);
    const done = bt.start('rolling', inputs);
    await until(() => bt.fold === 2 && bt.step === 'evaluating');
    bt.cancel();
    await done;
    expect(bt.phase).toBe('cancelled');
    expect(f.log).toEqual({ fits: 3, fitCancels: 0, evals: 3, evalCancels: 1 });
    expect(bt.result!.folds.map((e) => e.fold)).toEqual([0, 1]);
    // the fakes' call counts go on, so nothing hangs now: all three folds, the old ones replaced
    await bt.start('rolling', inputs);
    expect(bt.phase).toBe('done');
    expect(bt.result!.folds.map((e) => e.fold)).toEqual([0, 1, 2]);
    expect(bt.fraction).toBe(1);
  });
});
