import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { withBenchPage } from './bench-page.ts';
import { DEFAULT_FIT_SETTINGS } from '../src/core/inference/fit-settings.ts';
import { Rng } from '../src/core/inference/rng.ts';
import { generateSynthetic } from '../src/core/synthetic/generator.ts';
import { randomChannels } from '../src/core/synthetic/channel-sets.ts';
import type { RecoveryPayload, RecoveryPageResult } from './recovery-page.ts';

// npm run bench:recovery -- [--datasets 8] [--seed 1] [--out bench/results/recovery.json]
// K synthetic datasets with known truth (random spend patterns, effect sizes, lengths and noise,
// one low-signal channel each), each fitted with the app's defaults (DEFAULT_FIT_SETTINGS: 4
// chains, gradient-dense warmup 400, until converged) in headless Chromium with real workers.
// Coverage: share of channels whose true ROI lies in the posterior 50% / 90% central interval.

const { values: a } = parseArgs({
  options: {
    datasets: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench/results/recovery.json' },
  },
});
const K = Number(a.datasets);
const seed = Number(a.seed);
if (!(Number.isInteger(K) && K >= 1)) throw new Error(`--datasets must be a whole number >= 1, got ${a.datasets}`);
if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, got ${a.seed}`);

const WEEKS = [156, 104, 208] as const;

/** Dataset i of run `seed`: its own channel set, length, noise level and data seed. */
function makeDataset(i: number) {
  const setRng = new Rng((seed * 7919 + i * 104_729) >>> 0);
  const channels = randomChannels(setRng);
  const weeks = WEEKS[i % WEEKS.length];
  const sigma = setRng.uniformIn(0.03, 0.06);
  const dataSeed = (seed * 1_000_003 + i * 7_777) >>> 0;
  const { dataset, truth } = generateSynthetic(new Rng(dataSeed), { channels, weeks, sigma });
  return { channels, weeks, sigma, dataSeed, dataset, truth };
}

const t0 = performance.now();
const perDataset: Record<string, unknown>[] = [];
const all: { in50: boolean; in90: boolean; relErr: number; weak: boolean }[] = [];

await withBenchPage('recovery', 'runRecoveryFit', async (page) => {
  for (let i = 0; i < K; i++) {
    const d = makeDataset(i);
    const settings = { ...DEFAULT_FIT_SETTINGS, seed: seed * 100 + i };
    const payload: RecoveryPayload = {
      dataset: {
        ...d.dataset,
        target: { name: d.dataset.target.name, values: Array.from(d.dataset.target.values) },
        channels: d.dataset.channels.map((c) => ({ name: c.name, spend: Array.from(c.spend) })),
        controls: d.dataset.controls.map((c) => ({ name: c.name, values: Array.from(c.values) })),
      },
      settings,
      evalSeed: seed * 100 + i,
    };
    const r = await page.evaluate(
      (p) => (window as unknown as { runRecoveryFit(p: RecoveryPayload): Promise<RecoveryPageResult> }).runRecoveryFit(p),
      payload,
    );
    const channels = r.roi.map((roi, c) => {
      const truth = d.truth.roi[c];
      const spec = d.channels[c];
      const row = {
        channel: roi.channel,
        pattern: spec.pattern,
        true_beta: spec.beta,
        true_roi: truth,
        mean: roi.mean,
        q05: roi.q05,
        q25: roi.q25,
        q50: roi.q50,
        q75: roi.q75,
        q95: roi.q95,
        in50: roi.q25 <= truth && truth <= roi.q75,
        in90: roi.q05 <= truth && truth <= roi.q95,
        rel_err: Math.abs(roi.mean - truth) / truth,
      };
      all.push({ in50: row.in50, in90: row.in90, relErr: row.rel_err, weak: roi.channel === 'weak' });
      return row;
    });
    perDataset.push({
      index: i,
      data_seed: d.dataSeed,
      fit_seed: settings.seed,
      weeks: d.weeks,
      sigma: d.sigma,
      wall_s: r.wall_s,
      kernel: r.kernel,
      workers: r.workers,
      draws_per_chain: r.draws_per_chain,
      converged: r.converged,
      max_rhat: r.max_rhat,
      min_ess_bulk: r.min_ess_bulk,
      divergences: r.divergences,
      coverage50: channels.filter((c) => c.in50).length / channels.length,
      coverage90: channels.filter((c) => c.in90).length / channels.length,
      channels,
      evaluation: r.evaluation,
    });
    const misses = channels.filter((c) => !c.in90).map((c) => `${c.channel}(${c.pattern})`);
    console.log(
      `dataset ${i}: ${d.weeks} wk, sigma ${d.sigma.toFixed(3)} | fit ${r.wall_s.toFixed(1)} s, ${r.draws_per_chain} draws/chain, R-hat ${r.max_rhat.toFixed(3)}, div ${r.divergences}` +
        ` | in50 ${channels.filter((c) => c.in50).length}/${channels.length}, in90 ${channels.filter((c) => c.in90).length}/${channels.length}` +
        (misses.length ? ` (90% misses: ${misses.join(', ')})` : '') +
        ` | in-sample MAPE ${(100 * r.evaluation.mape).toFixed(1)}%, cov90 ${r.evaluation.coverage[2].share.toFixed(2)}, p_loo ${r.evaluation.p_loo.toFixed(1)}, k>0.7: ${r.evaluation.bad_k}`,
    );
  }
});

const share = (f: (x: (typeof all)[number]) => boolean, xs = all) => xs.filter(f).length / xs.length;
const meanOf = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const strong = all.filter((x) => !x.weak);
const result = {
  datasets: K,
  channels: all.length,
  coverage50: share((x) => x.in50),
  coverage90: share((x) => x.in90),
  mean_abs_rel_err_roi: meanOf(all.map((x) => x.relErr)),
  mean_abs_rel_err_roi_strong: meanOf(strong.map((x) => x.relErr)),
  coverage50_weak: share((x) => x.in50, all.filter((x) => x.weak)),
  coverage90_weak: share((x) => x.in90, all.filter((x) => x.weak)),
  wall_s: (performance.now() - t0) / 1000,
  seed,
  settings: { ...DEFAULT_FIT_SETTINGS },
  load_avg_1m: loadavg()[0],
  per_dataset: perDataset,
};
console.log(
  `\n${K} datasets, ${all.length} channels: coverage50 ${result.coverage50.toFixed(3)} (target 0.35-0.65), coverage90 ${result.coverage90.toFixed(3)} (target >= 0.85)` +
    ` | mean |rel err| of ROI ${result.mean_abs_rel_err_roi.toFixed(3)} (strong channels ${result.mean_abs_rel_err_roi_strong.toFixed(3)}) | wall ${result.wall_s.toFixed(1)} s`,
);
mkdirSync(dirname(a.out!), { recursive: true });
writeFileSync(a.out!, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${a.out}`);
