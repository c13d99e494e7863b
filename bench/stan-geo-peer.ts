import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { GeoModelSpec } from '../src/core/spec/geo-spec.ts';
import type { GeoModelData } from '../src/core/model/geo-model-data.ts';
import { buildStanExport } from '../src/core/export/stan-bundle.ts';

const EXPORT_RUNNER = resolve('bench/stan-export-peer.R');

/** The geo Stan peer's numbers: rstan's own and ours from its draws read back by the importer. */
export interface GeoPeerResult {
  /** sampling wall seconds (compile excluded), rstan's chains in `cores` processes */ wall_s: number;
  compile_s: number;
  cores: number;
  chains: number;
  warmup: number;
  draws: number;
  /** rstan's rank-normalised split R-hat (worst column), bulk and tail ESS (smallest) */ max_rhat: number;
  min_bulk_ess: number;
  min_tail_ess: number;
  worst_rhat_par: string;
  divergences: number;
  /** the same from the CSVs through importCmdStanRun (our diagnostics); null when the import failed, with why */
  imported: { max_rhat: number; min_ess_bulk: number; min_ess_tail: number; worst: string; checks: string[] } | { error: string } | null;
  roi: { channel: string; mean: number; sd: number; q05: number; q50: number; q95: number }[];
  /** where the chains' CSVs are */ dir: string;
}

/**
 * Samples Carryover's Stan export of the geo model (the program and data "Export to Stan" writes)
 * with rstan's NUTS, then reads the chains' CSVs back with the importer, so the geo model has its
 * Stan peer from the project itself.
 * @param o sampler settings (adaptDelta as the app's fit)
 * @param dir where the export and the chains' CSVs go (default a new temporary folder)
 */
export async function runExportedGeoStanPeer(
  spec: GeoModelSpec,
  data: GeoModelData,
  o: { chains: number; warmup: number; draws: number; seed: number; adaptDelta: number },
  dir = mkdtempSync(join(tmpdir(), 'carryover-stan-geo-')),
): Promise<GeoPeerResult> {
  try {
    execFileSync('Rscript', ['-e', 'suppressMessages(library(rstan)); suppressMessages(library(jsonlite))'], { stdio: 'ignore' });
  } catch {
    throw new Error('--peer needs R with rstan and jsonlite: apt-get install -y r-cran-rstan r-cran-jsonlite libboost-dev (Debian 12), or run without --peer.');
  }
  mkdirSync(dir, { recursive: true });
  const exp = buildStanExport(spec, data);
  for (const [f, text] of Object.entries(exp.files)) writeFileSync(join(dir, f), text);
  writeFileSync(join(dir, 'channels.json'), JSON.stringify(data.channels));
  const out = join(dir, 'res.json');
  console.log(`Stan peer: ${exp.manifest.program} in ${dir}, ${o.chains} chains x (${o.warmup} + ${o.draws}), adapt_delta ${o.adaptDelta}, seed ${o.seed}`);
  execFileSync(
    'Rscript',
    [EXPORT_RUNNER, join(dir, exp.manifest.program), join(dir, exp.manifest.data), join(dir, 'channels.json'), out,
      String(o.chains), String(o.warmup), String(o.draws), String(o.seed), String(o.adaptDelta), dir],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const r = JSON.parse(readFileSync(out, 'utf8'));
  let imported: GeoPeerResult['imported'] = null;
  try {
    // loaded once the chains are done: sampling takes minutes and nothing else here needs it
    const { importCmdStanRun } = await import('../src/core/export/stan-import.ts');
    const files = readdirSync(dir).filter((f) => /^output_\d+\.csv$/.test(f)).sort();
    const run = importCmdStanRun(files.map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') })), spec, data);
    const worst = [...run.summary].sort((a, b) => b.rhat - a.rhat)[0];
    imported = {
      max_rhat: worst.rhat,
      min_ess_bulk: Math.min(...run.summary.map((x) => x.essBulk)),
      min_ess_tail: Math.min(...run.summary.map((x) => x.essTail)),
      worst: worst.name,
      checks: run.checks.map((c) => `${c.id}=${c.severity}`),
    };
  } catch (e) {
    imported = { error: e instanceof Error ? e.message : String(e) };
  }
  return {
    wall_s: r.wall_s, compile_s: r.compile_s, cores: r.cores, chains: o.chains, warmup: o.warmup, draws: o.draws,
    max_rhat: r.max_rhat, min_bulk_ess: r.min_bulk_ess, min_tail_ess: r.min_tail_ess, worst_rhat_par: r.worst_rhat_par,
    divergences: r.divergences, imported, roi: r.roi, dir,
  };
}
