import { prepareModelData } from '../src/core/model/model-data.ts';
import type { Dataset } from '../src/core/model/dataset.ts';
import { DEFAULT_MODEL_SPEC } from '../src/core/spec/model-spec.ts';
import { DEFAULT_GEO_MODEL_SPEC } from '../src/core/spec/geo-spec.ts';
import { prepareGeoModelData } from '../src/core/model/geo-model-data.ts';
import type { GeoDataset } from '../src/core/model/geo-dataset.ts';
import type { FitSettings } from '../src/core/inference/fit-job.ts';
import { startFit } from '../src/clients/fit-client.ts';
import type { SummaryRow } from '../src/core/diagnostics/summary.ts';

/** What the node side sends: a Dataset with plain arrays. */
export interface FitPagePayload {
  dataset: Omit<Dataset, 'target' | 'channels' | 'controls'> & {
    target: { name: string; values: number[] };
    channels: { name: string; spend: number[] }[];
    controls: { name: string; values: number[] }[];
  };
  /**
   * The geo panel (plain arrays) when the spec names a geo column: the geo model
   * (DEFAULT_GEO_MODEL_SPEC) fits it instead of the national dataset.
   */
  geo?: {
    dates: string[];
    geos: string[];
    population: number[];
    target: { name: string; values: number[] };
    channels: { name: string; spend: number[] }[];
    controls: { name: string; values: number[] }[];
  };
  settings: FitSettings;
  /** worker threads (default: one per core) */ workers?: number;
}

/** What the page returns (JSON-able). */
export interface FitPageResult {
  wall_s: number;
  kernel: string;
  probes: { name: string; gradPerS: number; error?: string }[];
  workers: number;
  summary: SummaryRow[];
  divergences: number;
  treedepth_hits: number;
  ebfmi: number[];
  leapfrogs: { warmup: number; sampling: number };
  checks: { id: string; severity: string; title: string }[];
  channels: string[];
  /** geo fits: panel size */ panel?: { G: number; N: number; C: number; K: number };
  /** run-until-converged only */ converged?: { met: boolean; draws: number; seconds: number };
  timings?: { probeS: number; chainsS: number; assembleS: number; maxChainComputeS: number };
}

const status = document.getElementById('status')!;

async function runFitBench(p: FitPagePayload): Promise<FitPageResult> {
  const ds: Dataset = {
    ...p.dataset,
    target: { name: p.dataset.target.name, values: Float64Array.from(p.dataset.target.values) },
    channels: p.dataset.channels.map((c) => ({ name: c.name, spend: Float64Array.from(c.spend) })),
    controls: p.dataset.controls.map((c) => ({ name: c.name, values: Float64Array.from(c.values) })),
  };
  const g = p.geo;
  const geoDs: GeoDataset | null = g
    ? {
        dates: g.dates,
        geos: g.geos,
        population: Float64Array.from(g.population),
        target: { name: g.target.name, values: Float64Array.from(g.target.values) },
        channels: g.channels.map((c) => ({ name: c.name, spend: Float64Array.from(c.spend) })),
        controls: g.controls.map((c) => ({ name: c.name, values: Float64Array.from(c.values) })),
        factors: [],
      }
    : null;
  const geoData = geoDs ? prepareGeoModelData(geoDs, DEFAULT_GEO_MODEL_SPEC) : null;
  const data = geoData ?? prepareModelData(ds, DEFAULT_MODEL_SPEC);
  const handle = startFit(geoData ? DEFAULT_GEO_MODEL_SPEC : DEFAULT_MODEL_SPEC, data, p.settings, (pr) => {
    status.textContent = `${(pr.fraction * 100).toFixed(1)}% eta ${pr.etaS?.toFixed(1)} s`;
  }, {}, { workers: p.workers });
  const r = await handle.result;
  return {
    wall_s: r.wallS,
    kernel: r.kernel,
    probes: r.probes,
    workers: handle.workers,
    summary: r.summary,
    divergences: r.sampler.divergences.count,
    treedepth_hits: r.sampler.treeDepthHits.count,
    ebfmi: r.sampler.ebfmi,
    leapfrogs: r.leapfrogs,
    checks: r.checks.map((c) => ({ id: c.id, severity: c.severity, title: c.title })),
    channels: data.channels,
    ...(geoData ? { panel: { G: geoData.G, N: geoData.N, C: geoData.C, K: geoData.K } } : {}),
    converged: r.converged,
    timings: r.timings,
  };
}

(window as unknown as { runFitBench: typeof runFitBench }).runFitBench = runFitBench;
status.textContent = 'ready';
