import { describe, expect, it } from 'vitest';
import { decodeBundleFile, encodeBundleFile } from '../../src/core/governance/bundle-file.ts';
import { planSpend, plansForBundle, toPlainJson } from '../../src/core/governance/bundle-plans.ts';
import { migrateBundle, runBundleSchema, type RunBundle } from '../../src/core/governance/bundle-schema.ts';
import { datasetFromStored, datasetToStored, hashModelInput } from '../../src/core/governance/model-input.ts';
import { refitInputs, verifyRerunInputs } from '../../src/core/governance/rerun.ts';
import { rerunVerdictOfBundle, withRerunVerdict } from '../../src/core/governance/rerun-verdict.ts';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { tinyBundle, tinyRawFile } from '../helpers/governance-run.ts';

// The pure parts of "re-run a bundle from its own inputs": the model input kept in the bundle
// (v2) round-trips exactly, every manifest hash is checked before a refit (each failure names the
// input), and cross refits take data from one run and config from the other.

const withSpec = (b: RunBundle): RunBundle => ({ ...b, inputs: { ...b.inputs, modelSpec: JSON.parse(JSON.stringify(DEFAULT_MODEL_SPEC)) } });

describe('model input kept in the bundle', () => {
  it('round-trips a Dataset with NaN, factors and a weekly revenue per KPI, and through a .carryover file', async () => {
    const ds: Dataset = {
      dates: ['2020-01-06', '2020-01-13'],
      target: { name: 'conversions', values: Float64Array.from([10, 12]) },
      channels: [{ name: 'tv', spend: Float64Array.from([1.5, 0]) }],
      controls: [{ name: 'price', values: Float64Array.from([NaN, 2]) }],
      factors: [{ name: 'events', levels: ['na', 'promo'], baseline: 'na' }],
      revenuePerKpi: { name: 'aov', values: Float64Array.from([50, 55]) },
    };
    const stored = datasetToStored(ds);
    expect(stored.controls[0]!.values).toEqual([null, 2]);
    const back = datasetFromStored(stored);
    expect(Number.isNaN(back.controls[0]!.values[0])).toBe(true);
    expect(back.factors).toEqual(ds.factors);
    expect(Array.from((back.revenuePerKpi as { values: Float64Array }).values)).toEqual([50, 55]);
    expect(await hashModelInput(datasetToStored(back))).toBe(await hashModelInput(stored));

    const b = await tinyBundle('run-r', '2026-11-01T10:00:00Z', [1, 2, 3], true);
    expect(b.schemaVersion).toBe(2);
    expect(b.manifest.hashes.modelInput).toBe(await hashModelInput(b.reproduction!.modelInput));
    const decoded = await decodeBundleFile(await encodeBundleFile(b), 'r.carryover');
    expect(decoded.reproduction).toEqual(b.reproduction);
  });

  it('a version-1 bundle reads with no reproduction and is refused for a re-run, not a crash', async () => {
    const b = await tinyBundle('run-v1', '2026-11-01T10:00:00Z');
    const { reproduction: _r, ...rest } = JSON.parse(JSON.stringify(b)) as Record<string, unknown>;
    const v1 = { ...rest, schemaVersion: 1, manifest: { ...(rest.manifest as object), hashes: { ...(rest.manifest as RunBundle['manifest']).hashes } } };
    const read = runBundleSchema.parse(migrateBundle(v1));
    expect(read.reproduction).toBeNull();
    const check = await verifyRerunInputs(read, tinyRawFile());
    expect(check.severity).toBe('block');
    expect(check.title).toMatch(/cannot be re-run/);
    expect(() => refitInputs(read)).toThrow(/saved without its model input/);
  });
});

describe('verifyRerunInputs checks every manifest hash before a refit', () => {
  it('info when all match; warn without the raw file; block naming each changed input', async () => {
    const b = await tinyBundle('run-r', '2026-11-01T10:00:00Z', [1, 2, 3], true);
    const ok = await verifyRerunInputs(b, tinyRawFile());
    expect([ok.id, ok.severity]).toEqual(['governance.rerun-inputs', 'info']);
    const noRaw = await verifyRerunInputs(b, null);
    expect(noRaw.severity).toBe('warn');
    expect(noRaw.title).toMatch(/raw file .* is not kept in this browser/);

    const otherFile = await verifyRerunInputs(b, tinyRawFile([9, 9, 9]));
    expect(otherFile.severity).toBe('block');
    expect(otherFile.title).toMatch(/does not match its manifest: raw file$/);

    const m = b.reproduction!.modelInput;
    const editedInput: RunBundle = { ...b, reproduction: { ...b.reproduction!, modelInput: { ...m, channels: m.channels.map((c) => (c.name === 'tv' ? { ...c, spend: [1, 2, 4] } : c)) } } };
    expect((await verifyRerunInputs(editedInput, tinyRawFile())).title).toMatch(/: cleaned table \(rebuilt from the model input\), model input$/);

    // a factor is not in the weekly table: only the model input hash sees it
    const editedFactor: RunBundle = { ...b, reproduction: { ...b.reproduction!, modelInput: { ...m, factors: [{ name: 'events', levels: ['a', 'b', 'a'], baseline: 'a' }] } } };
    expect((await verifyRerunInputs(editedFactor, tinyRawFile())).title).toMatch(/: model input$/);

    const editedTable: RunBundle = { ...b, table: { ...b.table!, columns: { ...b.table!.columns, tv_S: [1, 2, 99] } } };
    expect((await verifyRerunInputs(editedTable, tinyRawFile())).title).toMatch(/: cleaned table \(stored\)$/);

    const editedConfig: RunBundle = { ...b, inputs: { ...b.inputs, config: { ...b.inputs.config, training: { max_rhat: 1.1, min_ess: 400 } } } };
    const c = await verifyRerunInputs(editedConfig, tinyRawFile());
    expect(c.title).toMatch(/: mapping \+ config \+ model spec$/);
    expect(c.fix).toMatch(/untouched bundle/);
  });
});

describe('a re-run verdict kept with the run', () => {
  it('survives the schema and a .carryover round trip; the manifest is untouched', async () => {
    const b = await tinyBundle('run-r', '2026-11-01T10:00:00Z', [1, 2, 3], true);
    expect(rerunVerdictOfBundle(b)).toBeNull();
    const check = { id: 'governance.reproducible', severity: 'block' as const, title: 'Run run-r is not reproducible: 1 difference on re-run', detail: 'tv roi.mean: 1 -> 1.1', evidence: { differences: [{ channel: 'tv', field: 'roi.mean', original: 1, rerun: NaN }] } };
    const kept = withRerunVerdict(b, check, new Date('2026-11-29T12:00:00Z'));
    expect(kept.manifest).toEqual(b.manifest);
    const back = rerunVerdictOfBundle(await decodeBundleFile(await encodeBundleFile(runBundleSchema.parse(kept)), 'k.carryover'));
    expect(back?.severity).toBe('block');
    expect(back?.evidence.checkedAt).toBe('2026-11-29T12:00:00.000Z');
    expect((back?.evidence.differences as { rerun: unknown }[])[0]!.rerun).toBeNull();
    expect(rerunVerdictOfBundle({ ...b, evaluation: { reproducibility: { id: 'x' } } })).toBeNull();
  });
});

describe('refitInputs', () => {
  it('re-run: the bundle\'s own data, spec, settings (kernel pinned) and analysis options', async () => {
    const b = withSpec(await tinyBundle('run-r', '2026-11-01T10:00:00Z', [1, 2, 3], true));
    const r = refitInputs(b);
    expect(Array.from(r.dataset.channels[0]!.spend)).toEqual([1, 2, 3]);
    expect(r.spec).toEqual(DEFAULT_MODEL_SPEC);
    expect([r.settings.kernel, r.settings.seed, r.settings.chains, r.settings.draws]).toEqual(['fused', 1, 2, 100]);
    expect(r.analysis).toEqual({ kpiKind: 'revenue', seed: 1 });
    expect(r.thresholds).toEqual({ maxRhat: 1.01, minEss: 400 });
  });

  it('cross refit: data of one run, spec + settings + analysis of the other; an unreadable spec is named', async () => {
    const old = withSpec(await tinyBundle('run-old', '2026-11-01T10:00:00Z', [1, 2, 3], true));
    const cur = await tinyBundle('run-new', '2026-11-08T10:00:00Z', [5, 6, 7], true);
    const newSpec = { ...DEFAULT_MODEL_SPEC, adstock: { kind: 'geometric' as const, lags: 4 } };
    const curWithSpec: RunBundle = { ...cur, inputs: { ...cur.inputs, modelSpec: JSON.parse(JSON.stringify(newSpec)) }, reproduction: { ...cur.reproduction!, fitSettings: { ...cur.reproduction!.fitSettings, seed: 9 } } };
    const x = refitInputs(old, curWithSpec);
    expect(Array.from(x.dataset.channels[0]!.spend)).toEqual([1, 2, 3]);
    expect(x.spec.adstock).toEqual({ kind: 'geometric', lags: 4 });
    expect(x.settings.seed).toBe(9);
    const y = refitInputs(curWithSpec, old);
    expect(Array.from(y.dataset.channels[0]!.spend)).toEqual([5, 6, 7]);
    expect(y.spec.adstock).toEqual(DEFAULT_MODEL_SPEC.adstock);
    expect(y.settings.seed).toBe(1);
    expect(() => refitInputs(cur)).toThrow(/run run-new: its model spec no longer reads/);
  });
});

describe('plans and scenarios in the bundle', () => {
  it('stores plans and scenarios as plain JSON under stable ids, spend readable back', async () => {
    const plans = plansForBundle(
      [{ label: 'expected', request: { horizon: 13 }, result: { channels: ['tv', 'search'], current: [10, 20], recommended: [12, 18], status: 'improved', message: 'ok', metric: 'kpi', objective: { kind: 'expected', current: 1, recommended: 1.1 }, comparison: { total: Float64Array.from([1, NaN]) }, draws: 1000 } }],
      [{ name: 'Shift 10% to search', spend: [9, 21], vsCurrent: { delta: Float64Array.from([0.5]) } }, { name: 'Shift 10% to search', spend: [1, 1] }],
      ['tv', 'search'],
    );
    expect(plans.map((p) => [p.id, p.kind, p.name])).toEqual([
      ['plan-expected', 'plan', 'recommended (expected)'],
      ['scenario-shift-10-to-search', 'scenario', 'Shift 10% to search'],
    ]);
    expect((plans[0]!.body.comparison as { total: unknown }).total).toEqual([1, null]);
    expect(planSpend(plans[0]!)).toEqual({ channels: ['tv', 'search'], spend: [12, 18] });
    expect(planSpend(plans[1]!)).toEqual({ channels: ['tv', 'search'], spend: [9, 21] });
    expect(toPlainJson({ a: undefined, b: Infinity, c: [1, NaN] })).toEqual({ b: null, c: [1, null] });
    const b = await tinyBundle('run-p', '2026-11-01T10:00:00Z');
    expect(runBundleSchema.safeParse({ ...b, plans }).success).toBe(true);
  });
});
