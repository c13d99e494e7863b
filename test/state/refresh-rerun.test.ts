import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataClient } from '../../src/clients/data-client.ts';
import type { RunBundle } from '../../src/core/governance/bundle-schema.ts';
import { assembleRunBundle } from '../../src/core/governance/run-bundle-build.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { DatasetState } from '../../src/state/dataset.svelte.ts';
import { RefreshRefitsState } from '../../src/state/refresh-refits.svelte.ts';
import { bundleLineage } from '../../src/state/run-sources.ts';
import { reviewBundles } from '../../src/state/runs.svelte.ts';
import { inProcessRefitRunner } from '../helpers/in-process-refits.ts';

// The Refresh screen's re-run path in node: the Robyn demo through the app's data flow (node
// DuckDB), a short fit saved as a run bundle the way RunsState.captureFit packs it, then
// RefreshRefitsState re-runs it from the bundle's own inputs (hash checks, refit, analysis,
// comparison). Same kernel: every number identical. A tampered bundle or another file is blocked
// before any refit. Cross refits of two runs that differ only in config split the change
// exactly: the data part is 0 and the config part is the whole delta.

const FILE = 'robyn_simulated_weekly.csv';
const bytes = new Uint8Array(readFileSync(`public/demo/${FILE}`));
const client = new DataClient(openNodeDb);
afterAll(() => client.close());
const SETTINGS = { ...DEFAULT_FIT_SETTINGS, chains: 2, warmup: 100, draws: 100, seed: 11, kernel: 'fused' as const, untilConverged: undefined };

async function fitBundle(ds: DatasetState, spec: ModelSpec, runId: string): Promise<RunBundle> {
  const dataset = ds.dataset!;
  const data = prepareModelData(dataset, spec);
  const fit = await inProcessRefitRunner.fit(spec, data, SETTINGS, () => {}, {}).result;
  const options = { kpiKind: 'revenue' as const, seed: SETTINGS.seed };
  const analysis = await inProcessRefitRunner.analyse(spec, data, fit, options).result;
  const plain = <T>(v: T) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
  const { bundle } = await assembleRunBundle({
    runId,
    appVersion: 'test',
    createdAt: new Date('2026-11-29T12:00:00Z'),
    rawFile: bytes,
    dataset,
    mapping: plain(ds.mapping.mapping) as never,
    config: plain(ds.settings.config),
    modelSpec: plain(spec),
    lineage: bundleLineage(ds.cleaning.lineage ?? []),
    dataChecks: ds.checks.report?.results ?? [],
    fit,
    analysis,
    reproduction: { fitSettings: SETTINGS, analysis: options },
  });
  return bundle;
}

describe('re-run of a saved Robyn run from its own inputs (node DuckDB, in-process workers)', { timeout: 240_000 }, () => {
  let bundle: RunBundle;
  let ds: DatasetState;

  it('an identical re-run is reproducible: every summary number and thinned draw equal', async () => {
    ds = new DatasetState(client, () => '2019-12-01');
    await ds.loadBytes(FILE, bytes);
    await ds.runChecks();
    expect(ds.dataset?.factors.map((f) => f.name)).toEqual(['events']);
    bundle = await fitBundle(ds, DEFAULT_MODEL_SPEC, 'run-a');
    expect(bundle.reproduction?.modelInput.factors[0]!.levels.length).toBe(208);
    expect(bundle.manifest.hashes.modelInput).toMatch(/^[0-9a-f]{64}$/);

    const refits = new RefreshRefitsState({ runner: inProcessRefitRunner, rawFile: async (h) => (h === bundle.manifest.hashes.rawFile ? bytes : null) });
    const check = await refits.rerun(bundle);
    expect(refits.status?.error ?? null).toBeNull();
    expect(check?.id).toBe('governance.reproducible');
    expect(check?.severity).toBe('info');
    expect(check?.evidence.inputsSeverity).toBe('info');
    expect(refits.reruns['run-a']!.inputs.title).toMatch(/matches its manifest/);

    // the review of (previous, current = this run) takes the re-run as its reproducibility gate
    const view = reviewBundles(bundle, bundle, [], refits.extrasFor('run-a', 'run-a'));
    const gate = view.review.verdict.results.find((r) => r.id === 'gate.reproducible')!;
    expect(gate.severity).toBe('info');
    expect(gate.title).toMatch(/is reproducible/);
  });

  it('a tampered model input, another raw file or another seed is blocked with the difference named', async () => {
    const refits = new RefreshRefitsState({ runner: inProcessRefitRunner, rawFile: async () => bytes });
    const tv = bundle.reproduction!.modelInput.channels.findIndex((c) => c.name === 'tv');
    const spend = [...bundle.reproduction!.modelInput.channels[tv]!.spend];
    spend[100] = (spend[100] ?? 0) * 1.2;
    const tampered: RunBundle = { ...bundle, reproduction: { ...bundle.reproduction!, modelInput: { ...bundle.reproduction!.modelInput, channels: bundle.reproduction!.modelInput.channels.map((c, i) => (i === tv ? { ...c, spend } : c)) } } };
    const t = await refits.rerun(tampered);
    expect(t?.id).toBe('governance.rerun-inputs');
    expect(t?.severity).toBe('block');
    expect(t?.title).toMatch(/cleaned table \(rebuilt from the model input\), model input/);
    expect(t?.title).not.toMatch(/raw file/);

    const other = new RefreshRefitsState({ runner: inProcessRefitRunner, rawFile: async () => new TextEncoder().encode('another file') });
    const r = await other.rerun(bundle);
    expect(r?.severity).toBe('block');
    expect(r?.title).toMatch(/does not match its manifest: raw file$/);

    // a bundle that says seed 12 but was made with seed 11: the refit differs, named by field
    const reseeded: RunBundle = { ...bundle, reproduction: { ...bundle.reproduction!, fitSettings: { ...bundle.reproduction!.fitSettings, seed: 12 } } };
    const s = await refits.rerun(reseeded);
    expect(s?.id).toBe('governance.reproducible');
    expect(s?.severity).toBe('block');
    expect(s?.detail).toMatch(/roi\.mean/);
  });

  it('cross refits of two runs that differ only in config: data part exactly 0, config part the whole delta', async () => {
    // the config change: adstock over 4 lags instead of 8
    const changed = await fitBundle(ds, { ...DEFAULT_MODEL_SPEC, adstock: { kind: 'geometric', lags: 4 } }, 'run-b');
    const refits = new RefreshRefitsState({ runner: inProcessRefitRunner });
    expect(await refits.crossRefits(bundle, changed)).toBe(true);
    const view = reviewBundles(bundle, changed, [], refits.extrasFor('run-a', 'run-b'));
    const roi = view.review.attribution.filter((a) => a.quantity === 'roi');
    expect(roi.length).toBe(5);
    for (const a of roi) {
      expect(a.data, a.channel).toBe(0);
      expect(a.interaction, a.channel).toBe(0);
      expect(a.config! + a.data!, a.channel).toBeCloseTo(a.total!, 12);
    }
    const memo = view.review.memo.sections.flatMap((s) => s.items).join('\n');
    expect(memo).not.toMatch(/no cross refit was run/i);
    expect(memo).toContain('Cross refits run: previous data with the current config; current data with the previous config.');
    // every channel's ROI change is the config's (or noise): none is left unexplained
    expect(roi.every((a) => a.kind === 'config' || a.kind === 'noise')).toBe(true);
    expect(memo).not.toMatch(/ROI not explained/);
  });
});
