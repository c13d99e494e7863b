import { prepareModelData } from '../src/core/model/model-data.ts';
import type { Dataset } from '../src/core/model/dataset.ts';
import { DEFAULT_MODEL_SPEC } from '../src/core/spec/model-spec.ts';
import type { FitSettings } from '../src/core/inference/fit-job.ts';
import { Rng } from '../src/core/inference/rng.ts';
import { startFit } from '../src/clients/fit-client.ts';
import { quantiles } from '../src/core/diagnostics/quantile.ts';
import { pooledColumn } from '../src/core/evaluation/draws.ts';
import { evaluateFit } from '../src/core/evaluation/fit-evaluation.ts';
import type { FitPagePayload } from './fit-page.ts';

/** One dataset to fit: the Dataset with plain arrays (as bench:fit sends it) and the fit settings. */
export interface RecoveryPayload {
  dataset: FitPagePayload['dataset'];
  settings: FitSettings;
  /** seed of the evaluation's predictive noise */ evalSeed: number;
}

/** Posterior ROI of one channel: mean and the 5/25/50/75/95% quantiles (type 7). */
export interface RoiPosterior {
  channel: string;
  mean: number;
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
}

/** What the page returns for one dataset (JSON-able). */
export interface RecoveryPageResult {
  wall_s: number;
  kernel: string;
  workers: number;
  draws_per_chain: number;
  converged: boolean | null;
  max_rhat: number;
  min_ess_bulk: number;
  divergences: number;
  roi: RoiPosterior[];
  evaluation: {
    mape: number;
    r2: number;
    coverage: { level: number; share: number }[];
    elpd_loo: number;
    p_loo: number;
    bad_k: number;
    max_k: number;
    ppc_p: Record<string, number>;
    eval_s: number;
  };
}

const status = document.getElementById('status')!;

// The app's fit path: prepareModelData + startFit (real workers) with the settings given, then
// the evaluation stage's in-sample numbers over the same draws.
async function runRecoveryFit(p: RecoveryPayload): Promise<RecoveryPageResult> {
  const ds: Dataset = {
    ...p.dataset,
    target: { name: p.dataset.target.name, values: Float64Array.from(p.dataset.target.values) },
    channels: p.dataset.channels.map((c) => ({ name: c.name, spend: Float64Array.from(c.spend) })),
    controls: p.dataset.controls.map((c) => ({ name: c.name, values: Float64Array.from(c.values) })),
  };
  const data = prepareModelData(ds, DEFAULT_MODEL_SPEC);
  const handle = startFit(DEFAULT_MODEL_SPEC, data, p.settings, (pr) => {
    status.textContent = `${(pr.fraction * 100).toFixed(1)}%`;
  });
  const r = await handle.result;
  const roi = data.channels.map((channel) => {
    const d = pooledColumn(r, `roi[${channel}]`);
    const [q05, q25, q50, q75, q95] = quantiles(d, [0.05, 0.25, 0.5, 0.75, 0.95]);
    return { channel, mean: d.reduce((s, v) => s + v, 0) / d.length, q05, q25, q50, q75, q95 };
  });
  const t0 = performance.now();
  const ev = evaluateFit(DEFAULT_MODEL_SPEC, data, ds.dates, r, new Rng(p.evalSeed));
  const evalS = (performance.now() - t0) / 1000;
  return {
    wall_s: r.wallS,
    kernel: r.kernel,
    workers: handle.workers,
    draws_per_chain: r.tables[0].nDraws,
    converged: r.converged?.met ?? null,
    max_rhat: Math.max(...r.summary.map((x) => x.rhat)),
    min_ess_bulk: Math.min(...r.summary.map((x) => x.essBulk)),
    divergences: r.sampler.divergences.count,
    roi,
    evaluation: {
      mape: ev.inSample.mape,
      r2: ev.inSample.r2,
      coverage: ev.inSample.coverage,
      elpd_loo: ev.loo.elpdLoo,
      p_loo: ev.loo.pLoo,
      bad_k: ev.loo.badK.length,
      max_k: Math.max(...ev.loo.pointwise.map((x) => x.k)),
      ppc_p: Object.fromEntries(ev.ppc.map((x) => [x.statistic, x.pValue])),
      eval_s: evalS,
    },
  };
}

(window as unknown as { runRecoveryFit: typeof runRecoveryFit }).runRecoveryFit = runRecoveryFit;
status.textContent = 'ready';
