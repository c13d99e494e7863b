import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/governance/canonical.ts';
import { BundleFileError, decodeBundleFile, encodeBundleFile } from '../../src/core/governance/bundle-file.ts';
import { BUNDLE_SCHEMA_VERSION, migrateBundle, runBundleSchema, type RunBundleInput } from '../../src/core/governance/bundle-schema.ts';
import { buildManifest, compareManifests } from '../../src/core/governance/manifest.ts';
import { bundlePartsFromSummary, runSummaryFromBundle } from '../../src/core/governance/bundle-summary.ts';
import { compareReproducibility } from '../../src/core/governance/reproducibility.ts';
import { thinDraws, type PosteriorStat } from '../../src/core/governance/run-summary.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { ROBYN_MAPPING, copyTable, makeRun, readRobyn } from './governance-fixtures.ts';

const { bytes: RAW, table: TABLE } = readRobyn();
const CONFIG = defaultConfig();

function withoutDraws(s: PosteriorStat): Omit<PosteriorStat, 'draws'> {
  const { draws: _, ...rest } = s;
  return rest;
}

async function robynBundle(): Promise<RunBundleInput> {
  const manifest = await buildManifest({
    runId: 'run-2026-11-29',
    name: 'November refresh',
    appVersion: '0.1.0',
    createdAt: new Date('2026-11-29T20:00:00Z'),
    rawFile: RAW,
    cleanedTable: TABLE,
    mapping: { ...ROBYN_MAPPING },
    config: CONFIG as unknown as Record<string, unknown>,
    modelSpec: CONFIG.model as unknown as Record<string, unknown>,
    seed: 1,
    kernel: 'fused',
    backend: 'cpu',
    chains: 4,
    draws: 1000,
  });
  const run = makeRun('run-2026-11-29', 3, [
    ['tv', 1.8, 0.3, 0.3, 0.04],
    ['search', 3.1, 0.5, 0.2, 0.03],
  ]);
  return {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    manifest,
    inputs: { mapping: { ...ROBYN_MAPPING }, config: CONFIG as unknown as Record<string, unknown>, modelSpec: CONFIG.model as unknown as Record<string, unknown> },
    lineage: [{ step: 'winsorize', detail: 'capped 2 values of tv_S at the 99.5th percentile', column: 'tv_S', rows: 2 }],
    checks: [{ id: 'data.coverage', severity: 'info', title: '208 weeks', detail: 'ok', evidence: { weeks: 208 } }],
    diagnostics: { maxRhat: NaN, minEssBulk: 812.5, divergences: 0, rows: [{ name: 'beta[tv]', mean: 0.4, rhat: 1.002 }] },
    summaries: { channels: run.channels.map((c) => ({ name: c.name, roi: withoutDraws(c.roi), share: withoutDraws(c.share) })) },
    draws: run.channels.map((c) => ({ quantity: `roi[${c.name}]`, values: thinDraws(Float64Array.from({ length: 4000 }, (_, i) => c.roi.draws![i % 1000]!)) })),
    evaluation: { mape: 0.071 },
    plans: [{ id: 'plan-1', name: 'Shift 10% to search', kind: 'scenario', body: { horizon_weeks: 13 } }],
  };
}

/** A container around arbitrary JSON text, digest correct (what a crafted file looks like). */
async function container(json: string, declared?: number): Promise<Uint8Array> {
  const body = new TextEncoder().encode(json);
  const gz = new Uint8Array(await new Response(new Blob([body]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
  const digest = await sha256Hex(body);
  const out = new Uint8Array(47 + gz.length);
  out.set(new TextEncoder().encode('CARRYOVER\n'));
  out[10] = 1;
  for (let i = 0; i < 32; i++) out[11 + i] = parseInt(digest.slice(2 * i, 2 * i + 2), 16);
  new DataView(out.buffer).setUint32(43, declared ?? body.length, true);
  out.set(gz, 47);
  return out;
}

async function refusal(bytes: Uint8Array): Promise<BundleFileError> {
  try {
    await decodeBundleFile(bytes, 'refresh.carryover');
  } catch (e) {
    expect(e).toBeInstanceOf(BundleFileError);
    return e as BundleFileError;
  }
  throw new Error('the file was accepted');
}

describe('run manifest', () => {
  it('hashes the raw file, the cleaned table and the settings', async () => {
    const b = await robynBundle();
    expect(b.manifest.hashes.rawFile).toBe(await sha256Hex(RAW));
    expect(b.manifest.hashes.rawFile).toMatch(/^[0-9a-f]{64}$/);
    const again = await buildManifest({ runId: 'x', appVersion: '0.1.0', createdAt: new Date(), rawFile: RAW, cleanedTable: copyTable(TABLE), mapping: { ...ROBYN_MAPPING }, config: { ...CONFIG } as unknown as Record<string, unknown>, modelSpec: CONFIG.model as unknown as Record<string, unknown>, seed: 1, kernel: 'fused', backend: 'cpu', chains: 4, draws: 1000 });
    expect(compareManifests(b.manifest as never, again).severity).toBe('info');
    const t = copyTable(TABLE);
    t.columns.tv_S![5] = t.columns.tv_S![5]! + 1;
    const changed = await buildManifest({ runId: 'x', appVersion: '0.1.0', createdAt: new Date(), rawFile: RAW, cleanedTable: t, mapping: { ...ROBYN_MAPPING }, config: { ...CONFIG, training: { ...CONFIG.training, seed: 2 } } as unknown as Record<string, unknown>, modelSpec: CONFIG.model as unknown as Record<string, unknown>, seed: 2, kernel: 'tfjs-wasm', backend: 'wasm', chains: 4, draws: 1000 });
    const cmp = compareManifests(b.manifest as never, changed);
    expect(cmp.severity).toBe('block');
    expect(cmp.title).toBe('The re-run differs from run run-2026-11-29 in cleaned table hash, mapping + config + model spec hash, seed, kernel, backend');
  });

  it('thins draws evenly to at most 1000, first and last kept', () => {
    const v = Float64Array.from({ length: 4000 }, (_, i) => i);
    const t = thinDraws(v);
    expect(t).toHaveLength(1000);
    expect(t[0]).toBe(0);
    expect(t[999]).toBe(3999);
    expect(thinDraws([1, 2, 3])).toEqual([1, 2, 3]);
  });
});

describe('.carryover file', () => {
  it('round-trips a Robyn run bundle, NaN included', async () => {
    const b = await robynBundle();
    const bytes = await encodeBundleFile(b);
    expect(new TextDecoder().decode(bytes.slice(0, 10))).toBe('CARRYOVER\n');
    const back = await decodeBundleFile(bytes, 'refresh.carryover');
    expect(back.diagnostics.maxRhat).toBeNaN();
    expect(back).toEqual(runBundleSchema.parse(b));
    expect(back.draws[0]!.values).toHaveLength(1000);
  });

  it('refuses a tampered byte in the content, naming the file', async () => {
    const bytes = await encodeBundleFile(await robynBundle());
    // start and middle of the deflate data, CRC trailer: each flip is caught by gzip before JSON
    // is read (gzip's own mtime bytes are not content: changing them changes nothing read)
    for (const at of [47 + 12, Math.floor(bytes.length / 2), bytes.length - 6]) {
      const t = bytes.slice();
      t[at]! ^= 0xff;
      const e = await refusal(t);
      expect(e.code).toBe('corrupt');
      expect(e.message).toMatch(/^"refresh\.carryover" is corrupt: its compressed content cannot be read/);
    }
  });

  it('refuses content whose digest no longer matches the header', async () => {
    const bytes = await encodeBundleFile(await robynBundle());
    const t = bytes.slice();
    t[11]! ^= 0x01; // first digest byte
    const e = await refusal(t);
    expect(e.code).toBe('checksum');
    expect(e.message).toBe('"refresh.carryover" was modified after export: its SHA-256 does not match the one in its header');
  });

  it('refuses a truncated file, at any cut', async () => {
    const bytes = await encodeBundleFile(await robynBundle());
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 60, 30]) {
      const e = await refusal(bytes.slice(0, cut));
      expect(e.code).toBe('truncated');
      expect(e.message).toContain('"refresh.carryover" is truncated');
    }
  });

  it('refuses a file that is not a bundle, bad JSON, hostile keys, a schema mismatch, a newer version and huge sizes', async () => {
    const csv = await refusal(RAW);
    expect(csv.code).toBe('bad-magic');
    expect(csv.message).toContain('is not a Carryover run bundle');
    expect((await refusal(await container('{"schemaVersion": 1,'))).code).toBe('bad-json');
    const hostile = await refusal(await container('{"schemaVersion":1,"manifest":{"__proto__":{"polluted":true}}}'));
    expect(hostile.code).toBe('hostile');
    expect(hostile.message).toContain('"__proto__"');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const json = JSON.parse(new TextDecoder().decode(new TextEncoder().encode(JSON.stringify(runBundleSchema.parse(await robynBundle()), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? 0 : v)))));
    delete json.manifest.hashes.rawFile;
    json.draws[0].values = new Array(1001).fill(1);
    const schema = await refusal(await container(JSON.stringify(json)));
    expect(schema.code).toBe('schema');
    expect(schema.message).toContain('manifest.hashes.rawFile');
    expect(schema.message).toContain('draws.0.values: at most 1000 thinned draws per quantity');
    const newer = await refusal(await container(JSON.stringify({ ...json, schemaVersion: BUNDLE_SCHEMA_VERSION + 1 })));
    expect(newer.code).toBe('version');
    expect(newer.message).toContain('written by a newer Carryover');
    const bomb = await refusal(await container('{}', 2 ** 31));
    expect(bomb.code).toBe('too-large');
    expect(bomb.message).toContain('declares 2147483648 bytes');
    // more content than declared: a header rewritten to slip a large payload past the limit
    const under = await refusal(await container(JSON.stringify(json), 100));
    expect(under.code).toBe('corrupt');
    const big = new Uint8Array(65 * 2 ** 20);
    expect((await refusal(big)).code).toBe('too-large');
  });

  it('a run stored and read back is reproducible against itself, draws included', async () => {
    const run = makeRun('run-2026-11-29', 9, [['tv', 1.8, 0.3, 0.3, 0.04], ['search', 3.1, 0.5, 0.2, 0.03]]);
    const b = { ...(await robynBundle()), ...bundlePartsFromSummary(run) };
    expect(b.draws.map((d) => d.quantity)).toEqual(['roi[tv]', 'share[tv]', 'roi[search]', 'share[search]']);
    const back = runSummaryFromBundle(await decodeBundleFile(await encodeBundleFile(b)));
    expect(back.channels[0]!.roi.draws).toEqual(run.channels[0]!.roi.draws);
    // the bundle's diagnostics (NaN R-hat) differ from the run's, so compare the channels only
    const r = compareReproducibility({ ...run, diagnostics: undefined }, { ...back, diagnostics: undefined });
    expect(r.severity).toBe('info');
  });

  it('never writes an invalid bundle', async () => {
    const b = await robynBundle();
    await expect(encodeBundleFile({ ...b, manifest: { ...b.manifest, chains: 0 } })).rejects.toThrow(/manifest\.chains/);
  });
});

describe('bundle migrations', () => {
  it('applies the registry step by step up to the current version', () => {
    const registry = {
      1: (b: Record<string, unknown>) => ({ ...b, schemaVersion: 2, plans: b.plans ?? [] }),
      2: (b: Record<string, unknown>) => ({ ...b, schemaVersion: 3, renamed: true }),
    };
    expect(migrateBundle({ schemaVersion: 1 }, registry, 3)).toEqual({ schemaVersion: 3, plans: [], renamed: true });
    expect(() => migrateBundle({ schemaVersion: 1 }, { 1: registry[1] }, 3)).toThrow('no migration from bundle schema version 2 to 3');
    expect(() => migrateBundle({ schemaVersion: 1 }, { 1: (b) => b }, 2)).toThrow('did not produce version 2');
    expect(() => migrateBundle({ version: 1 })).toThrow('no valid schemaVersion');
    // the app's own registry: a v1 bundle had no reproduction section
    expect(migrateBundle({ schemaVersion: 1, a: 1 })).toEqual({ schemaVersion: 2, a: 1, reproduction: null });
    expect(migrateBundle({ schemaVersion: 2, a: 1 })).toEqual({ schemaVersion: 2, a: 1 });
  });
});
