import { describe, expect, it } from 'vitest';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { deriveChannels } from '../../src/core/model/derived.ts';
import { meanResponse } from '../../src/core/model/posterior.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { fromParams, unconstrain } from '../../src/core/model/constrain.ts';
import { createFusedKernel } from '../../src/core/kernels/fused.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));

describe('generateSynthetic', () => {
  it('is reproducible: same seed, identical data; another seed, other data', () => {
    const a = generateSynthetic(new Rng(11));
    const b = generateSynthetic(new Rng(11));
    const c = generateSynthetic(new Rng(12));
    expect(b.dataset).toEqual(a.dataset);
    expect(b.truth).toEqual(a.truth);
    expect(Array.from(c.dataset.target.values)).not.toEqual(Array.from(a.dataset.target.values));
  });

  it('makes 156 weekly rows with six channels, a numeric and a categorical control', () => {
    const { dataset } = generateSynthetic(new Rng(1));
    expect(dataset.dates.length).toBe(156);
    expect(dataset.dates[0]).toBe('2021-01-04');
    expect(dataset.dates[1]).toBe('2021-01-11');
    expect(dataset.channels.length).toBeGreaterThanOrEqual(6);
    expect(dataset.controls.length).toBe(1);
    expect(new Set(dataset.factors[0].levels)).toEqual(new Set(['none', 'holiday', 'promo']));
    expect(generateSynthetic(new Rng(1), { weeks: 60 }).dataset.dates.length).toBe(60);
  });

  it('gives each channel its spend pattern', () => {
    const { dataset } = generateSynthetic(new Rng(3));
    const by = Object.fromEntries(dataset.channels.map((c) => [c.name, Array.from(c.spend)]));
    const zeros = (v: number[]) => v.filter((x) => x === 0).length;
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const N = 156;
    expect(zeros(by.tv)).toBe(0); // always on
    expect(zeros(by.search)).toBe(0);
    // flighted: dark weeks come in runs (at least 3 long), and there are several flights
    const starts = by.display.filter((x, t) => x > 0 && (t === 0 || by.display[t - 1] === 0)).length;
    expect(starts).toBeGreaterThanOrEqual(8);
    expect(zeros(by.display)).toBeGreaterThan(N / 5);
    // bursty: mostly dark, bursts well above the mean
    expect(zeros(by.ooh)).toBeGreaterThan(N / 2);
    expect(Math.max(...by.ooh)).toBeGreaterThan(3 * mean(by.ooh));
    // trending: last quarter spends over 3x the first
    expect(mean(by.social.slice(-39))).toBeGreaterThan(3 * mean(by.social.slice(0, 39)));
    // rare: a handful of weeks
    expect(N - zeros(by.print)).toBeGreaterThanOrEqual(3);
    expect(N - zeros(by.print)).toBeLessThan(N * 0.15);
    // seasonal: yearly peak-to-trough of the 8-week moving average above 2
    const ma = by.search.map((_, t) => mean(by.search.slice(Math.max(0, t - 7), t + 1))).slice(8);
    expect(Math.max(...ma) / Math.min(...ma)).toBeGreaterThan(2);
  });

  it('true ROI and contributions equal derived.ts applied to the true parameters', () => {
    for (const seed of [1, 2, 3]) {
      const { dataset, truth } = generateSynthetic(new Rng(seed));
      const d = deriveChannels(truth.spec, prepareModelData(dataset, truth.spec), truth.params);
      truth.roi.forEach((r, c) => expect(rel(d.roi[c], r)).toBeLessThan(1e-12));
      truth.contribution.forEach((v, c) => expect(rel(d.contribution[c], v)).toBeLessThan(1e-12));
      expect(Math.min(...truth.roi)).toBeGreaterThan(0);
    }
  });

  it('comes from the model: y / mean y minus the true mean is white noise with the true sigma', () => {
    for (const seed of [4, 5]) {
      const { dataset, truth } = generateSynthetic(new Rng(seed));
      const md = prepareModelData(dataset, truth.spec);
      const mu = meanResponse(truth.spec, md, truth.params);
      const r = Array.from(md.y, (v, t) => v - mu[t]);
      const N = r.length;
      const m = r.reduce((s, v) => s + v, 0) / N;
      const sd = Math.sqrt(r.reduce((s, v) => s + v * v, 0) / N);
      const s = truth.params.sigma;
      expect(Math.abs(m)).toBeLessThan((4 * s) / Math.sqrt(N));
      expect(Math.abs(sd / s - 1)).toBeLessThan(4 / Math.sqrt(2 * N));
      // lag-1 autocorrelation of white noise is within 4 / sqrt(N) of 0
      let ac = 0;
      for (let t = 1; t < N; t++) ac += (r[t] - m) * (r[t - 1] - m);
      expect(Math.abs(ac / (N * sd * sd))).toBeLessThan(4 / Math.sqrt(N));
    }
  });

  it('the truth lies where the posterior is: the log density there beats nearby perturbations on average', () => {
    const { dataset, truth } = generateSynthetic(new Rng(9));
    const md = prepareModelData(dataset, truth.spec);
    const layout = buildLayout(truth.spec, md);
    const kernel = createFusedKernel(truth.spec, md);
    const u = unconstrain(layout, fromParams(layout, truth.params));
    const lp = new Float64Array(1), g = new Float64Array(layout.dim);
    kernel.evaluateSync!(u, 1, lp, g);
    const atTruth = lp[0];
    const rng = new Rng(99);
    let worse = 0;
    for (let i = 0; i < 20; i++) {
      const v = u.map((x) => x + 0.3 * rng.normal());
      kernel.evaluateSync!(v, 1, lp, g);
      if (lp[0] < atTruth) worse++;
    }
    expect(worse).toBe(20);
  });
});

describe('randomChannels (recovery benchmark sets)', () => {
  it('draws distinct patterns, effects in range and one low-signal channel; reproducible by seed', async () => {
    const { randomChannels } = await import('../../src/core/synthetic/channel-sets.ts');
    const a = randomChannels(new Rng(4));
    expect(randomChannels(new Rng(4))).toEqual(a);
    expect(randomChannels(new Rng(5))).not.toEqual(a);
    expect(a.map((c) => c.name)).toEqual(['ch1', 'ch2', 'ch3', 'ch4', 'weak']);
    expect(new Set(a.slice(0, 4).map((c) => c.pattern)).size).toBe(4);
    for (const c of a.slice(0, 4)) expect(c.beta).toBeGreaterThanOrEqual(0.06);
    expect(a[4].beta).toBeLessThan(0.02);
    const { dataset, truth } = generateSynthetic(new Rng(9), { channels: a, weeks: 104 });
    expect(dataset.channels.map((c) => c.name)).toEqual(truth.channels);
    expect(truth.roi.length).toBe(5);
    // the low-signal channel's true ROI is the smallest relative to its beta scale
    expect(truth.params.beta[4]).toBeLessThan(Math.min(...truth.params.beta.slice(0, 4)));
  });
});
