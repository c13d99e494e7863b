import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { withBenchPage } from './bench-page.ts';
import { BenchInputError, formatLineage, formatResults, loadBenchData, ROBYN, type BenchData } from './bench-data.ts';
import { STAN_FIT_SETTINGS, type FitSettings } from '../src/core/inference/fit-job.ts';
import { DEFAULT_FIT_SETTINGS } from '../src/core/inference/fit-settings.ts';
import type { FitPagePayload, FitPageResult } from './fit-page.ts';
import { runStanPeer, type PeerResult } from './stan-peer.ts';

// npm run bench:fit -- [--preset stan|app] [--csv PATH --spec PATH] [--peer] [--out FILE] [--chains 4 --warmup 1000 --draws 1000 --seed 1]
//   The spec JSON: {date, target, channels, controls, factor_controls?, revenue_per_kpi?, geo?, population?};
//   with "geo" the geo model (DEFAULT_GEO_MODEL_SPEC) fits the panel the pipeline builds at geo grain
//   (e.g. bench/meridian_geo_spec.json on public/demo/meridian_geo_media.csv); ROIs are then national.
//   time_to_converged_s: seconds until the convergence rule held (run-until-converged), null when it did not.
//   --preset stan (default): Stan's settings (1000 + 1000, Stan's windows, diag metric); --preset app: the app's defaults.
//   [--adaptation stan|gradient|gradient-dense] [--metric diag|dense] [--max-treedepth 10]
//   [--until-converged [--max-rhat 1.01 --min-ess 400 --block 100]]  (--draws is then the cap per chain)
//   [--peer-warmup 1000 --peer-draws 1000]  (the Stan peer always runs Stan's settings unless told otherwise)
//   [--workers N]  (worker threads; default one per core, at most one per chain)
// Loads the data through the app's own pipeline in node (ingest -> mapping from the spec -> checks
// -> cleaning -> Dataset, bench/bench-data.ts); blocked data exits 1 with the checks' messages,
// an unreadable file or spec exits 2. Then builds the app's fit path, serves it, and fits in
// headless Chromium with real workers.

const preset = process.argv.includes('--preset') ? process.argv[process.argv.indexOf('--preset') + 1] : 'stan';
const base: FitSettings = preset === 'app' ? DEFAULT_FIT_SETTINGS : STAN_FIT_SETTINGS;
const { values: a } = parseArgs({
  options: {
    preset: { type: 'string', default: 'stan' },
    csv: { type: 'string', default: ROBYN.csv },
    spec: { type: 'string', default: ROBYN.spec },
    peer: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/fit.json' },
    chains: { type: 'string', default: String(base.chains) },
    warmup: { type: 'string', default: String(base.warmup) },
    draws: { type: 'string', default: String(base.draws) },
    seed: { type: 'string', default: '1' },
    kernel: { type: 'string', default: 'auto' },
    adaptation: { type: 'string', default: base.adaptation },
    metric: { type: 'string', default: base.metric },
    'until-converged': { type: 'boolean', default: base.untilConverged !== undefined },
    'no-until-converged': { type: 'boolean', default: false },
    'max-rhat': { type: 'string', default: String(base.untilConverged?.maxRhat ?? 1.01) },
    'min-ess': { type: 'string', default: String(base.untilConverged?.minEss ?? 400) },
    block: { type: 'string', default: String(base.untilConverged?.blockDraws ?? 100) },
    'adapt-delta': { type: 'string', default: String(base.adaptDelta) },
    'max-treedepth': { type: 'string', default: String(base.maxTreeDepth) },
    'peer-warmup': { type: 'string', default: '1000' },
    'peer-draws': { type: 'string', default: '1000' },
    workers: { type: 'string' },
  },
});
const settings: FitSettings = {
  ...base,
  chains: Number(a.chains), warmup: Number(a.warmup), draws: Number(a.draws), seed: Number(a.seed),
  kernel: a.kernel as FitSettings['kernel'],
  adaptDelta: Number(a['adapt-delta']),
  maxTreeDepth: Number(a['max-treedepth']),
  adaptation: a.adaptation as FitSettings['adaptation'],
  metric: a.metric as FitSettings['metric'],
  untilConverged: a['until-converged'] && !a['no-until-converged']
    ? { maxRhat: Number(a['max-rhat']), minEss: Number(a['min-ess']), blockDraws: Number(a.block) }
    : undefined,
};

async function runOurs(ds: BenchData['dataset'], panel: BenchData['panel']): Promise<FitPageResult> {
  const g = panel?.dataset;
  const payload: FitPagePayload = {
    ...(g
      ? {
          geo: {
            dates: g.dates,
            geos: g.geos,
            population: Array.from(g.population),
            target: { name: g.target.name, values: Array.from(g.target.values) },
            channels: g.channels.map((c) => ({ name: c.name, spend: Array.from(c.spend) })),
            controls: g.controls.map((c) => ({ name: c.name, values: Array.from(c.values) })),
          },
        }
      : {}),
    dataset: {
      ...ds,
      target: { name: ds.target.name, values: Array.from(ds.target.values) },
      channels: ds.channels.map((c) => ({ name: c.name, spend: Array.from(c.spend) })),
      controls: ds.controls.map((c) => ({ name: c.name, values: Array.from(c.values) })),
    },
    settings,
    workers: a.workers ? Number(a.workers) : undefined,
  };
  return withBenchPage('fit', 'runFitBench', (page) =>
    page.evaluate((p) => (window as unknown as { runFitBench(p: FitPagePayload): Promise<FitPageResult> }).runFitBench(p), payload),
  );
}

async function main(): Promise<void> {
  let data: BenchData;
  try {
    data = await loadBenchData(a.csv!, a.spec!);
  } catch (e) {
    if (!(e instanceof BenchInputError)) throw e;
    console.error(e.message);
    process.exit(e.exitCode);
  }
  const warned = data.results.filter((r) => r.severity !== 'info');
  const shape = data.panel
    ? `geo panel ${data.panel.dataset.geos.length} geos x ${data.panel.dataset.dates.length} weeks x ${data.panel.dataset.channels.length} channels, ${data.panel.dataset.controls.length} controls, population ${data.spec.population ?? 'none (totals)'}`
    : `${data.dataset.dates.length} weeks x ${data.dataset.channels.length} channels, ${data.dataset.controls.length} controls, ${data.dataset.factors.length} factors`;
  console.log(`data: ${a.csv} through the app's pipeline: ${shape}; checks score ${data.score.toFixed(3)}, ${warned.length} warning(s)`);
  if (data.panel && a.peer) {
    console.error('--peer with a geo spec: the geo model\'s Stan peer is the exported Stan program (src/core/export); this run has no peer.');
    a.peer = false;
  }
  if (warned.length) console.log(formatResults(warned));
  console.log(`cleaning applied:\n${formatLineage(data.lineage)}`);
  const ours = await runOurs(data.dataset, data.panel);
  const rows = ours.summary;
  const roi = ours.channels.map((channel) => {
    const r = rows.find((x) => x.name === `roi[${channel}]`)!;
    return { channel, mean: r.mean, sd: r.sd, q05: r.q05, q50: r.q50, q95: r.q95, rhat: r.rhat, ess_bulk: r.essBulk };
  });
  const minEssBulk = Math.min(...rows.map((r) => r.essBulk));
  const result: Record<string, unknown> = {
    preset,
    data: a.csv,
    spec: a.spec,
    model: data.panel ? 'geo' : 'national',
    geo: data.spec.geo ?? null,
    population: data.spec.population ?? null,
    panel: ours.panel ?? null,
    revenue_per_kpi: data.spec.revenue_per_kpi ?? null,
    checks_score: data.score,
    check_warnings: warned.map((r) => ({ id: r.id, title: r.title })),
    cleaning: data.lineage.map((e) => ({ step: e.step, rule: e.rule, column: e.column, cells_changed: e.cellsChanged, rows_before: e.rowsBefore, rows_after: e.rowsAfter })),
    chains: settings.chains,
    warmup: settings.warmup,
    draws: settings.draws,
    seed: settings.seed,
    adapt_delta: settings.adaptDelta,
    max_treedepth: settings.maxTreeDepth,
    adaptation: settings.adaptation,
    metric: settings.metric,
    until_converged: settings.untilConverged ?? null,
    time_to_converged_s: ours.converged?.met ? ours.converged.seconds : null,
    converged: ours.converged ?? null,
    load_avg_1m: loadavg()[0],
    timings: ours.timings ?? null,
    kernel: ours.kernel,
    probes: ours.probes,
    workers: ours.workers,
    wall_s: ours.wall_s,
    max_rhat: Math.max(...rows.map((r) => r.rhat)),
    min_ess_bulk: minEssBulk,
    min_ess_tail: Math.min(...rows.map((r) => r.essTail)),
    ess_per_s: minEssBulk / ours.wall_s,
    divergences: ours.divergences,
    treedepth_hits: ours.treedepth_hits,
    ebfmi: ours.ebfmi,
    leapfrogs: ours.leapfrogs,
    checks: ours.checks,
    roi,
  };

  console.log(`\nCarryover: ${settings.chains} x (${settings.warmup} + ${settings.draws}), ${settings.adaptation}/${settings.metric}, kernel ${ours.kernel}, ${ours.workers} workers, load ${loadavg()[0].toFixed(2)}`);
  if (ours.timings) console.log(`timings: probe ${ours.timings.probeS.toFixed(2)} s, chains ${ours.timings.chainsS.toFixed(2)} s (max chain compute ${ours.timings.maxChainComputeS.toFixed(2)} s), summary ${ours.timings.assembleS.toFixed(2)} s; us/leapfrog per worker ${((1e6 * ours.timings.chainsS * ours.workers) / (ours.leapfrogs.warmup + ours.leapfrogs.sampling)).toFixed(1)}`);
  if (ours.converged) console.log(`until converged: ${ours.converged.met ? 'met' : 'NOT met'} after ${ours.converged.draws} draws/chain, time_to_converged ${ours.converged.seconds.toFixed(2)} s`);
  console.log(`wall ${ours.wall_s.toFixed(2)} s | max R-hat ${(result.max_rhat as number).toFixed(4)} | min ESS bulk ${minEssBulk.toFixed(0)} tail ${(result.min_ess_tail as number).toFixed(0)} | ${(result.ess_per_s as number).toFixed(1)} ESS/s | divergences ${ours.divergences} | leapfrogs ${ours.leapfrogs.warmup} warmup + ${ours.leapfrogs.sampling} sampling`);

  let peer: PeerResult | undefined;
  if (a.peer) {
    peer = runStanPeer(a.csv!, a.spec!, { chains: settings.chains, warmup: Number(a['peer-warmup']), draws: Number(a['peer-draws']), seed: settings.seed });
    result.peer = peer;
    result.wall_ratio = ours.wall_s / peer.wall_s;
    result.ess_per_s_ratio = (result.ess_per_s as number) / peer.ess_per_s;
    result.roi_mean_diff_sd = Object.fromEntries(roi.map((r) => {
      const p = peer!.roi.find((x) => x.channel === r.channel)!;
      return [r.channel, Math.abs(r.mean - p.mean) / p.sd];
    }));
    result.roi_interval_width_ratio = Object.fromEntries(roi.map((r) => {
      const p = peer!.roi.find((x) => x.channel === r.channel)!;
      return [r.channel, (r.q95 - r.q05) / (p.q95 - p.q05)];
    }));
    console.log(`Stan: sampling ${peer.wall_s.toFixed(2)} s (compile ${peer.compile_s.toFixed(1)} s) | max R-hat ${peer.max_rhat.toFixed(4)} | min ESS bulk ${peer.min_bulk_ess.toFixed(0)} | ${peer.ess_per_s.toFixed(1)} ESS/s | divergences ${peer.divergences}`);
    console.log(`wall_ratio ${(result.wall_ratio as number).toFixed(3)} | ess_per_s_ratio ${(result.ess_per_s_ratio as number).toFixed(2)}`);
  }
  console.log('\nchannel        ROI mean    sd     q05     q95' + (peer ? '   Stan mean  Stan sd  |diff|/sd  width ratio' : ''));
  for (const r of roi) {
    let line = `${r.channel.padEnd(12)} ${r.mean.toFixed(2).padStart(8)} ${r.sd.toFixed(2).padStart(7)} ${r.q05.toFixed(2).padStart(7)} ${r.q95.toFixed(2).padStart(7)}`;
    if (peer) {
      const p = peer.roi.find((x) => x.channel === r.channel)!;
      line += ` ${p.mean.toFixed(2).padStart(10)} ${p.sd.toFixed(2).padStart(8)} ${(Math.abs(r.mean - p.mean) / p.sd).toFixed(3).padStart(10)} ${((r.q95 - r.q05) / (p.q95 - p.q05)).toFixed(3).padStart(12)}`;
    }
    console.log(line);
  }
  mkdirSync(dirname(a.out!), { recursive: true });
  writeFileSync(a.out!, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nwrote ${a.out}`);
}

main().catch((e: unknown) => {
  // Data problems were reported above; what is left is a failure of the fit itself (a worker, the browser).
  console.error(`bench:fit failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(3);
});
