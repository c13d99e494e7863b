import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Dataset } from '../src/core/model/dataset.ts';
import type { ModelSpec } from '../src/core/spec/model-spec.ts';
import { prepareModelData } from '../src/core/model/model-data.ts';
import { buildStanExport } from '../src/core/export/stan-bundle.ts';

/** The peer's result as the bench reports it. */
export interface PeerResult {
  wall_s: number;
  compile_s: number;
  ess_per_s: number;
  max_rhat: number;
  min_bulk_ess: number;
  divergences: number;
  roi: { channel: string; mean: number; sd: number; q05: number; q50: number; q95: number }[];
  /** how the ROI sd was obtained */
  sd_source: 'draws' | 'quantiles';
}

const RUNNER = resolve('../shared/peer/stan/run_stan.R');
const STAN_PROGRAM = resolve('../shared/peer/stan/mmm.stan');

/**
 * Runs ../shared/peer/stan/run_stan.R (rstan) on the same CSV and SPEC in this process's run.
 * The runner prints ROI mean and quantiles but no sd; the bench needs Stan's posterior sd, so
 * it runs a temporary copy with one added column (`sd = apply(roi, 2, sd)`). If that edit no
 * longer applies, sd falls back to (q95 - q05) / 3.29 and says so.
 */
export function runStanPeer(csv: string, spec: string, o: { chains: number; warmup: number; draws: number; seed: number }): PeerResult {
  const missing = [RUNNER, STAN_PROGRAM].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    throw new Error(
      `--peer needs the Stan peer beside the checkout: ${missing.join(', ')} not found. ` +
        'It lives in the project\'s shared folder (shared/peer/stan: mmm.stan and run_stan.R); put that folder at ../shared ' +
        'next to this repo, or run without --peer. Stan itself: apt-get install -y r-cran-rstan r-cran-jsonlite libboost-dev.',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'carryover-stan-'));
  const src = readFileSync(RUNNER, 'utf8');
  const anchor = 'mean = colMeans(roi),';
  const patched = src.includes(anchor) ? src.replace(anchor, `${anchor} sd = apply(roi, 2, sd),`) : src;
  const script = join(dir, 'run_stan.R');
  writeFileSync(script, patched);
  // the runner compiles the mmm.stan that sits next to it
  writeFileSync(join(dir, 'mmm.stan'), readFileSync(STAN_PROGRAM));
  const out = join(dir, 'res.json');
  execFileSync(
    'Rscript',
    [script, resolve(csv), resolve(spec), '--chains', String(o.chains), '--warmup', String(o.warmup), '--iter', String(o.draws), '--seed', String(o.seed), '--out', out],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const one = (v: unknown) => (Array.isArray(v) ? v[0] : v) as number;
  const roi = (r.roi as Record<string, unknown>[]).map((x) => {
    const q05 = one(x.q05), q95 = one(x.q95);
    return { channel: String(one(x.channel)), mean: one(x.mean), sd: x.sd !== undefined ? one(x.sd) : (q95 - q05) / 3.29, q05, q50: one(x.q50), q95 };
  });
  return {
    wall_s: one(r.wall_s),
    compile_s: one(r.compile_s),
    ess_per_s: one(r.ess_per_s),
    max_rhat: one(r.max_rhat),
    min_bulk_ess: one(r.min_bulk_ess),
    divergences: one(r.divergences),
    roi,
    sd_source: src.includes(anchor) ? 'draws' : 'quantiles',
  };
}

const EXPORT_RUNNER = resolve('bench/stan-export-peer.R');

/**
 * The Stan peer from the project itself: writes Carryover's Stan export of `spec` on `dataset`
 * (src/core/export, the same program and data the "Export to Stan" button writes), compiles it
 * with rstan and samples it with NUTS, so every spec option has its peer without ../shared.
 * @param o sampler settings; adaptDelta defaults to 0.9 as peer/stan/run_stan.R
 * @returns the peer's numbers (sd of ROI from the draws)
 */
export function runExportedStanPeer(
  dataset: Dataset,
  spec: ModelSpec,
  o: { chains: number; warmup: number; draws: number; seed: number; adaptDelta?: number },
): PeerResult {
  try {
    execFileSync('Rscript', ['-e', 'suppressMessages(library(rstan)); suppressMessages(library(jsonlite))'], { stdio: 'ignore' });
  } catch {
    throw new Error('--peer needs R with rstan and jsonlite: apt-get install -y r-cran-rstan r-cran-jsonlite libboost-dev (Debian 12), or run without --peer.');
  }
  const data = prepareModelData(dataset, spec);
  const exp = buildStanExport(spec, data);
  const dir = mkdtempSync(join(tmpdir(), 'carryover-stan-export-'));
  for (const [f, text] of Object.entries(exp.files)) writeFileSync(join(dir, f), text);
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(data.channels));
  const out = join(dir, 'res.json');
  execFileSync(
    'Rscript',
    [EXPORT_RUNNER, join(dir, exp.manifest.program), join(dir, exp.manifest.data), join(dir, 'channels.json'), out,
      String(o.chains), String(o.warmup), String(o.draws), String(o.seed), String(o.adaptDelta ?? 0.9)],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const r = JSON.parse(readFileSync(out, 'utf8'));
  return {
    wall_s: r.wall_s,
    compile_s: r.compile_s,
    ess_per_s: r.ess_per_s,
    max_rhat: r.max_rhat,
    min_bulk_ess: r.min_bulk_ess,
    divergences: r.divergences,
    roi: (r.roi as PeerResult['roi']).map((x) => ({ channel: String(x.channel), mean: x.mean, sd: x.sd, q05: x.q05, q50: x.q50, q95: x.q95 })),
    sd_source: 'draws',
  };
}
