import { describe, expect, it } from 'vitest';
import type { RunBundle } from '../../src/core/governance/bundle-schema.ts';
import type { FitResult } from '../../src/core/inference/fit-result.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { hashSpec } from '../../src/core/governance/manifest.ts';
import { withRerunVerdict } from '../../src/core/governance/rerun-verdict.ts';
import { reviewBundles } from '../../src/state/runs.svelte.ts';
import { RefreshRefitsState, type RefitRunner } from '../../src/state/refresh-refits.svelte.ts';
import { tinyBundle, tinyRawFile } from '../helpers/governance-run.ts';

// RefreshRefitsState's bookkeeping with a scripted runner (no sampling): cancel stops the
// workers and keeps nothing, a failing fit names the refit, a blocked hash check never starts a
// fit, and progress reaches the status.

/** tinyBundle with the app's model spec (so it can be prepared for a fit), its spec hash recomputed. */
async function bundle(): Promise<RunBundle> {
  const b = await tinyBundle('run-a', '2026-11-01T10:00:00Z', [1, 2, 3], true);
  const inputs = { ...b.inputs, modelSpec: JSON.parse(JSON.stringify(DEFAULT_MODEL_SPEC)) as Record<string, unknown> };
  return { ...b, inputs, manifest: { ...b.manifest, hashes: { ...b.manifest.hashes, spec: await hashSpec(inputs.mapping, inputs.config, inputs.modelSpec) } } };
}

class Cancelled extends Error {
  override name = 'FitCancelled';
}

/** A runner whose fits wait until settled by hand; counts fits started and cancels. */
function scripted() {
  const log = { fits: 0, cancels: 0, progress: (_f: number) => {}, reject: (_e: Error) => {} };
  const runner: RefitRunner = {
    fit(_spec, _data, _settings, onProgress) {
      log.fits++;
      log.progress = onProgress;
      let reject!: (e: Error) => void;
      const result = new Promise<FitResult>((_, rej) => (reject = rej));
      log.reject = reject;
      return { result, cancel: () => { log.cancels++; reject(new Cancelled('Fit cancelled')); } };
    },
    analyse() {
      throw new Error('not reached');
    },
  };
  return { runner, log };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
/** Waits until the scripted runner's fit has started (fails with the state's error when it cannot). */
async function started(s: RefreshRefitsState, log: { fits: number }, n = 1): Promise<void> {
  while (log.fits < n) {
    if (s.status && s.status.phase !== 'running') throw new Error(`no fit started: ${s.status.phase} ${s.status.error ?? JSON.stringify(s.reruns)}`);
    await tick();
  }
}

describe('RefreshRefitsState', () => {
  it('cancel stops the running fit, keeps no verdict and says so', async () => {
    const b = await bundle();
    const { runner, log } = scripted();
    const s = new RefreshRefitsState({ runner, rawFile: async () => tinyRawFile() });
    const p = s.rerun(b);
    await started(s, log);
    log.progress(0.4);
    expect(s.status).toMatchObject({ kind: 'rerun', phase: 'running', step: 'sampling', fraction: 0.4 });
    expect(s.busy).toBe(true);
    s.cancel();
    expect(await p).toBeNull();
    expect(log.cancels).toBe(1);
    expect(s.status?.phase).toBe('cancelled');
    expect(s.reruns).toEqual({});
    expect(s.extrasFor('x', 'run-a')).toEqual({});
  });

  it('a failing fit is named; a blocked hash check starts no fit', async () => {
    const b = await bundle();
    const { runner, log } = scripted();
    const s = new RefreshRefitsState({ runner, rawFile: async () => tinyRawFile() });
    const p = s.rerun(b);
    await started(s, log);
    log.reject(new Error('Fit worker 0 crashed: out of memory'));
    expect(await p).toBeNull();
    expect(s.status?.phase).toBe('failed');
    expect(s.status?.error).toBe('The re-run of the current run from its own inputs failed: Fit worker 0 crashed: out of memory');

    const other = new RefreshRefitsState({ runner, rawFile: async () => tinyRawFile([7, 7, 7]) });
    const check = await other.rerun(b);
    expect(log.fits).toBe(1);
    expect(check?.severity).toBe('block');
    expect(other.extrasFor('x', 'run-a').reproducibility?.title).toMatch(/does not match its manifest: raw file/);
  });

  it('the review gates on this session\'s re-run, else on the verdict the current run keeps', async () => {
    const a = await tinyBundle('run-a', '2026-11-01T10:00:00Z', [1, 2, 3], true);
    const b = await tinyBundle('run-b', '2026-11-08T10:00:00Z', [1, 2.4, 3], true);
    const gate = (v: ReturnType<typeof reviewBundles>) => v.review.verdict.results.find((r) => r.id === 'gate.reproducible')!;
    expect(gate(reviewBundles(a, b)).severity).toBe('warn'); // never re-run: not checked
    const failed = { id: 'governance.reproducible', severity: 'block' as const, title: 'Run run-b is not reproducible: 1 difference on re-run', detail: 'tv roi.mean: 1 -> 1.1', evidence: {} };
    const kept = withRerunVerdict(b, failed, new Date('2026-11-29T12:00:00Z'));
    expect(gate(reviewBundles(a, kept)).severity).toBe('block');
    expect(reviewBundles(a, kept).review.verdict.verdict).toBe('block');
    const fresh = { ...failed, severity: 'info' as const, title: 'Run run-b is reproducible' };
    expect(gate(reviewBundles(a, kept, [], { reproducibility: fresh })).severity).toBe('info');
  });
});
