import { afterEach, describe, expect, it } from 'vitest';
import { encodeBundleFile, decodeBundleFile, BundleFileError } from '../../src/core/governance/bundle-file.ts';
import { DB_VERSION } from '../../src/store/db.ts';
import { RunStore, storeFailure } from '../../src/store/run-store.ts';
import { StoreError, isQuotaError } from '../../src/store/store-error.ts';
import { RunsState, defaultPair, reviewBundles } from '../../src/state/runs.svelte.ts';
import { tinyAnalysis, tinyBundle, tinyRawFile } from '../helpers/governance-run.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';
import { plansForBundle } from '../../src/core/governance/bundle-plans.ts';
import type { RunSources } from '../../src/state/run-sources.ts';
import { verifyRerunInputs } from '../../src/core/governance/rerun.ts';

// The run store on Chromium's real IndexedDB: each test its own database.
const opened: RunStore[] = [];
let n = 0;
function freshStore(name = `carryover-test-${Date.now()}-${n++}`): RunStore {
  const s = new RunStore(name);
  opened.push(s);
  return s;
}
afterEach(async () => {
  for (const s of opened.splice(0)) {
    await s.close();
    if (s.dbName) indexedDB.deleteDatabase(s.dbName);
  }
});

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('accepted');
}

describe('RunStore on IndexedDB', () => {
  it('saves, lists newest first, renames, deletes, and keeps runs across connections', async () => {
    const name = `carryover-test-persist-${Date.now()}`;
    const a = freshStore(name);
    await a.saveRun(await tinyBundle('run-a', '2026-11-01T10:00:00Z'));
    await a.saveRun(await tinyBundle('run-b', '2026-11-08T10:00:00Z', [1, 2.4, 3]));
    await a.renameRun('run-a', '  October refresh ');
    await a.close();
    const b = freshStore(name);
    const { runs, damaged } = await b.listRuns();
    expect(damaged).toEqual([]);
    expect(runs.map((r) => [r.runId, r.name, r.project, r.weeks])).toEqual([
      ['run-b', 'run-b', 'robyn', 3],
      ['run-a', 'October refresh', 'robyn', 3],
    ]);
    expect(defaultPair(runs)).toEqual({ previous: 'run-a', current: 'run-b' });
    await b.deleteRun('run-b');
    expect((await b.listRuns()).runs.map((r) => r.runId)).toEqual(['run-a']);
    await expect(b.getRun('run-b')).rejects.toThrow('Run run-b is not stored in this browser');
  });

  it('upgrades a version-1 database (no project index) and still reads its runs', async () => {
    const name = `carryover-test-v1-${Date.now()}`;
    const bundle = await tinyBundle('run-old', '2026-10-01T10:00:00Z');
    await new Promise<void>((resolve, reject) => {
      const req = indexedDB.open(name, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('runs', { keyPath: 'runId' });
        req.result.createObjectStore('decisions', { keyPath: 'id' });
      };
      req.onsuccess = () => {
        const tx = req.result.transaction('runs', 'readwrite');
        tx.objectStore('runs').put({ runId: 'run-old', project: 'robyn', createdAt: bundle.manifest.createdAt, bundle: JSON.parse(JSON.stringify(bundle)) });
        tx.oncomplete = () => {
          req.result.close();
          resolve();
        };
        tx.onerror = () => reject(tx.error);
      };
      req.onerror = () => reject(req.error);
    });
    const s = freshStore(name);
    expect((await s.listRuns()).runs.map((r) => r.runId)).toEqual(['run-old']);
    const db = await new Promise<IDBDatabase>((resolve) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
    });
    expect(db.version).toBe(DB_VERSION);
    expect(Array.from(db.transaction('runs').objectStore('runs').indexNames)).toEqual(['byProject']);
    db.close();
  });

  it('imports a valid file; refuses truncated, tampered and duplicate ones with stored runs intact', async () => {
    const s = freshStore();
    await s.saveRun(await tinyBundle('run-a', '2026-11-01T10:00:00Z'));
    const other = await tinyBundle('run-x', '2026-11-02T10:00:00Z');
    const bytes = await encodeBundleFile(other);

    const truncated = await refusal(s.importRun(bytes.slice(0, Math.floor(bytes.length / 2)), 'x.carryover'));
    expect(truncated).toBeInstanceOf(BundleFileError);
    expect((truncated as BundleFileError).code).toBe('truncated');
    expect(truncated.message).toMatch(/^"x\.carryover" is truncated/);

    // a table edited and re-packed: the container is consistent, the manifest hash is not
    const edited = await encodeBundleFile({ ...other, table: { ...other.table!, columns: { ...other.table!.columns, tv_S: [1, 2, 99] } } });
    const tampered = await refusal(s.importRun(edited, 'edited.carryover'));
    expect((tampered as StoreError).code).toBe('tampered');
    expect(tampered.message).toContain('does not match the hash in its manifest');

    expect((await s.listRuns()).runs.map((r) => r.runId)).toEqual(['run-a']);
    const item = await s.importRun(bytes, 'x.carryover');
    expect(item.runId).toBe('run-x');
    const dup = await refusal(s.importRun(bytes, 'x.carryover'));
    expect((dup as StoreError).code).toBe('duplicate');
    expect((await s.listRuns()).runs.map((r) => r.runId)).toEqual(['run-x', 'run-a']);
    const back = await decodeBundleFile(await s.exportRun('run-x'), 'back.carryover');
    expect(back.manifest).toEqual(other.manifest);
  });

  it('refuses an invalid decision naming the field, stores a valid one', async () => {
    const s = freshStore();
    const entry = {
      id: 'd1', runId: 'run-a', scenarioId: 'base', scenario: 'Base', decision: 'Hold TV', owner: 'Ana', date: '2026-11-29',
      expected: { kpi: 'revenue', aggregate: 'sum' as const, low: 30, high: 10, assumptions: '' },
      constraints: '', risks: '', followUp: { date: '2027-03-01', windowStart: '2026-12-07', windowEnd: '2027-02-22' },
    };
    await expect(s.saveDecision(entry)).rejects.toThrow('expected.high: expected.low must not exceed expected.high');
    await s.saveDecision({ ...entry, expected: { ...entry.expected, low: 10, high: 30 } });
    expect((await s.listDecisions()).decisions.map((d) => d.id)).toEqual(['d1']);
  });
});

describe('raw files kept beside the runs (re-runs check their SHA-256)', () => {
  it('keeps one copy per content, serves it to a re-run check, and drops it with the last run made from it', async () => {
    const s = freshStore();
    const a = await tinyBundle('run-a', '2026-11-01T10:00:00Z', [1, 2, 3], true);
    const b = await tinyBundle('run-b', '2026-11-08T10:00:00Z', [1, 2, 3], true);
    const h = a.manifest.hashes.rawFile;
    expect(b.manifest.hashes.rawFile).toBe(h);
    await s.saveRun(a);
    await s.saveRun(b);
    await s.saveRawFile(h, 'robyn.csv', tinyRawFile());
    await s.saveRawFile(h, 'robyn.csv', tinyRawFile());
    const { runs } = await s.listRuns();
    expect(runs.map((r) => r.rerunnable)).toEqual([true, true]);
    expect(Array.from((await s.getRawFile(h))!)).toEqual(Array.from(tinyRawFile()));
    expect((await verifyRerunInputs(await s.getRun('run-a'), await s.getRawFile(h))).severity).toBe('info');
    await s.deleteRun('run-a');
    expect(await s.getRawFile(h)).not.toBeNull();
    await s.deleteRun('run-b');
    expect(await s.getRawFile(h)).toBeNull();
  });

  it('refuses an import whose model input was edited after the run; stored runs intact', async () => {
    const s = freshStore();
    await s.saveRun(await tinyBundle('run-a', '2026-11-01T10:00:00Z'));
    const x = await tinyBundle('run-x', '2026-11-02T10:00:00Z', [1, 2, 3], true);
    const m = x.reproduction!.modelInput;
    const edited = await encodeBundleFile({ ...x, reproduction: { ...x.reproduction!, modelInput: { ...m, target: { ...m.target, values: [10, 11, 13] } } } });
    const e = await refusal(s.importRun(edited, 'edited.carryover'));
    expect((e as StoreError).code).toBe('tampered');
    expect(e.message).toMatch(/model input does not match the hash in its manifest/);
    expect((await s.listRuns()).runs.map((r) => r.runId)).toEqual(['run-a']);
  });
});

describe('RunsState.captureFit packs a re-runnable run and keeps its plans', () => {
  it('saves the bundle from the Results analysis once per fit, keeps the raw file, and attaches plans made before and after', async () => {
    const store = freshStore();
    const state = new RunsState(store);
    const row = (name: string) => ({ name, mean: 0, sd: 1, q05: 0, q50: 0, q95: 0, rhat: 1.001, essBulk: 800, essTail: 700 });
    const result = { kernel: 'fused', settings: { ...DEFAULT_FIT_SETTINGS, kernel: 'auto', seed: 3, chains: 2, draws: 100, untilConverged: undefined }, summary: [row('a')], sampler: { divergences: { count: 0 } }, checks: [] };
    const src = {
      fileName: 'robyn.csv',
      rawBytes: tinyRawFile(),
      dataset: { dates: ['2020-01-06', '2020-01-13', '2020-01-20'], target: { name: 'revenue', values: Float64Array.from([10, 11, 12]) }, channels: [{ name: 'tv', spend: Float64Array.from([1, 2, 3]) }, { name: 'search', spend: Float64Array.from([4, 5, 6]) }], controls: [], factors: [] },
      mapping: { date_col: 'DATE', kpi_col: 'revenue', channel_map: { tv: { spend: 'tv_S' }, search: { spend: 'search_S' } }, controls: [] },
      config: { data: { file: 'robyn.csv' } },
      lineage: [],
      dataChecks: [],
      spec: { likelihood: 'normal' },
      data: {},
      result,
    } as unknown as RunSources;
    const plans = plansForBundle([], [{ name: 'Shift 10% to search', spend: [9, 21] }], ['tv', 'search']);
    await state.savePlans(result, plans); // before the run is packed: it takes them
    const analysed = { analysis: tinyAnalysis(), options: { kpiKind: 'revenue' as const, seed: 3 } };
    const [id1, id2] = await Promise.all([state.captureFit(src, analysed), state.captureFit(src, analysed)]);
    expect(id1).toBe(id2);
    expect(state.runs.map((r) => r.runId)).toEqual([id1]);
    const b = await store.getRun(id1!);
    expect(b.reproduction?.fitSettings).toMatchObject({ kernel: 'fused', seed: 3, chains: 2, draws: 100 });
    expect(b.reproduction?.analysis).toEqual({ kpiKind: 'revenue', seed: 3 });
    expect(b.plans.map((p) => p.id)).toEqual(['scenario-shift-10-to-search']);
    expect(await store.getRawFile(b.manifest.hashes.rawFile)).not.toBeNull();

    const later = plansForBundle([], [{ name: 'Hold', spend: [10, 20] }, { name: 'Shift 10% to search', spend: [9, 21] }], ['tv', 'search']);
    await state.savePlans(result, later);
    expect((await store.getRun(id1!)).plans.map((p) => p.name)).toEqual(['Hold', 'Shift 10% to search']);
    expect(state.runs[0]!.plans.map((p) => p.id)).toEqual(['scenario-hold', 'scenario-shift-10-to-search']);
  });
});

describe('a full disk never loses the run being saved', () => {
  it('classifies QuotaExceededError, keeps the bundle in memory and exports it', async () => {
    const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError(new Error('x', { cause: quota }))).toBe(true);
    expect(isQuotaError(new Error('other'))).toBe(false);
    const err = storeFailure(quota, 'run March');
    expect(err.code).toBe('quota');
    expect(err.message).toMatch(/storage for this page is full, so run March could not be saved\. Nothing was lost: export it/);

    class FullStore extends RunStore {
      override async saveRun(): Promise<void> {
        throw storeFailure(quota, 'run March');
      }
    }
    const full = new FullStore(`carryover-test-full-${Date.now()}`);
    opened.push(full);
    const state = new RunsState(full);
    const bundle = await tinyBundle('run-march', '2026-11-29T10:00:00Z');
    await state.saveBundle(bundle);
    expect(state.unsaved?.reason).toMatch(/storage for this page is full/);
    const file = await state.exportUnsaved();
    expect(file?.name).toBe('run-march.carryover');
    expect((await decodeBundleFile(file!.bytes, file!.name)).manifest).toEqual(bundle.manifest);
  });
});

describe('reviewBundles', () => {
  it('names a restated week and column; identical inputs run the reproducibility gate', async () => {
    const a = await tinyBundle('run-a', '2026-11-01T10:00:00Z');
    const b = await tinyBundle('run-b', '2026-11-08T10:00:00Z', [1, 2.4, 3]);
    const v = reviewBundles(a, b);
    expect(v.review.dataDrift.backfills.map((x) => [x.column, x.weeks])).toEqual([['tv_S', ['2020-01-13']]]);
    expect(v.review.memo.sections.flatMap((s) => s.items).join('\n')).toContain('Backfill: tv_S (tv) restated in 1 week');
    expect(v.limitation).toBeNull();
    // the mapped exposure is not in the model's table: no contract break, no mapping change
    expect(v.review.dataDrift.mapping).toEqual([]);
    expect(v.review.verdict.results.find((r) => r.id === 'gate.contract')?.severity).toBe('info');
    const again = reviewBundles(a, { ...a, manifest: { ...a.manifest, runId: 'run-a2' } });
    expect(again.review.verdict.results.find((r) => r.id.includes('reproduc'))?.severity).toBe('info');
  });
});

describe('sign-off of a mapping change', () => {
  it('a renamed spend column blocks until signed off, then warns', async () => {
    const a = await tinyBundle('run-a', '2026-11-01T10:00:00Z');
    const b = await tinyBundle('run-b', '2026-11-08T10:00:00Z');
    const m = b.inputs.mapping as { channel_map: Record<string, { spend: string }> };
    const cols: Record<string, (number | null)[]> = { ...b.table!.columns, tv_spend: b.table!.columns.tv_S! };
    delete cols.tv_S;
    const renamed = { ...b, inputs: { ...b.inputs, mapping: { ...m, channel_map: { ...m.channel_map, tv: { spend: 'tv_spend' } } } }, table: { ...b.table!, columns: cols } };
    const v = reviewBundles(a, renamed);
    const change = v.review.dataDrift.mapping.find((c) => c.kind === 'spend-column');
    expect(change?.detail).toContain('tv_S');
    expect(v.review.verdict.verdict).toBe('block');
    const ids = v.review.dataDrift.mapping.map((c) => c.id);
    const signed = reviewBundles(a, renamed, ids.map((changeId) => ({ changeId, by: 'Ana', reason: 'source renamed the column' })));
    expect(signed.review.verdict.results.find((r) => r.id === 'gate.taxonomy')?.severity).toBe('warn');
  });
});
