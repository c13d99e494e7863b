import type { IDBPDatabase } from 'idb';
import { BundleFileError, decodeBundleFile, encodeBundleFile } from '../core/governance/bundle-file.ts';
import { describeIssues, migrateBundle, runBundleSchema, type RunBundle } from '../core/governance/bundle-schema.ts';
import { hashTable } from '../core/governance/canonical.ts';
import { decisionEntrySchema, type DecisionEntry } from '../core/governance/decision-log.ts';
import { tableFromStored } from '../core/governance/from-analysis.ts';
import { hashModelInput } from '../core/governance/model-input.ts';
import { openCarryoverDb, type CarryoverDb, type RunRecord } from './db.ts';
import { isQuotaError, StoreError } from './store-error.ts';

/** One row of the run list (read without decoding every bundle's draws on screen). */
export interface RunListItem {
  runId: string;
  name: string;
  project: string;
  createdAt: string;
  kernel: string;
  seed: number;
  /** Weeks of the cleaned table (null when the bundle carries none). */
  weeks: number | null;
  lastWeek: string | null;
  channels: string[];
  /** Plans and scenarios kept with the run (a decision links to one by id). */
  plans: { id: string; name: string; kind: string }[];
  /** Whether the run keeps what a re-run needs (bundles of schema version >= 2). */
  rerunnable: boolean;
}

/** A stored record that no longer reads as a bundle (listed so the user can delete it). */
export interface DamagedRun {
  runId: string;
  reason: string;
}

/** The project of a run: its data file's name without directory and extension. */
export function projectOf(bundle: RunBundle): string {
  const data = (bundle.inputs.config as { data?: { file?: unknown } }).data;
  const file = typeof data?.file === 'string' ? data.file : '';
  return file.split(/[\\/]/).pop()!.replace(/\.[^.]*$/, '') || 'unnamed';
}

function listItem(b: RunBundle, project: string): RunListItem {
  return {
    runId: b.manifest.runId,
    name: b.manifest.name || b.manifest.runId,
    project,
    createdAt: b.manifest.createdAt,
    kernel: b.manifest.kernel,
    seed: b.manifest.seed,
    weeks: b.table ? b.table.dates.length : null,
    lastWeek: b.table?.dates.at(-1) ?? null,
    channels: b.summaries.channels.map((c) => c.name),
    plans: b.plans.map(({ id, name, kind }) => ({ id, name, kind })),
    rerunnable: b.reproduction !== null,
  };
}

/** Reads a stored record into a current bundle, or says why it cannot be read. */
export function readRecord(r: RunRecord): { ok: true; bundle: RunBundle } | { ok: false; reason: string } {
  try {
    const parsed = runBundleSchema.safeParse(migrateBundle(r.bundle));
    return parsed.success ? { ok: true, bundle: parsed.data } : { ok: false, reason: `it no longer matches the bundle schema: ${describeIssues(parsed.error)}` };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/**
 * A write failure as a StoreError: 'quota' (storage full; the message says nothing was lost and
 * to export) or 'unavailable'.
 * @param what the thing being saved, for the message (`run March refresh`)
 */
export function storeFailure(e: unknown, what: string): StoreError {
  if (e instanceof StoreError) return e;
  if (isQuotaError(e)) {
    return new StoreError('quota', `The browser's storage for this page is full, so ${what} could not be saved. Nothing was lost: export it as a .carryover file now, then delete old runs (or free disk space) and save again.`, { cause: e });
  }
  return new StoreError('unavailable', `${what} could not be saved in the browser's storage (${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}). Export it as a .carryover file to keep it.`, { cause: e });
}

/**
 * Saved runs and the decision log in IndexedDB. Every write validates first and is one
 * transaction, so a refused or failed write leaves what was stored as it was.
 */
export class RunStore {
  #db: Promise<IDBPDatabase<CarryoverDb>> | null = null;
  readonly dbName: string | undefined;

  /** @param dbName database name (tests pass their own; the app uses the default) */
  constructor(dbName?: string) {
    this.dbName = dbName;
  }

  #open(): Promise<IDBPDatabase<CarryoverDb>> {
    this.#db ??= openCarryoverDb(this.dbName).catch((e: unknown) => {
      this.#db = null;
      throw new StoreError('unavailable', `The browser's storage (IndexedDB) cannot be opened: ${(e as Error).message}. Runs can still be exported as .carryover files.`, { cause: e });
    });
    return this.#db;
  }

  /** Closes the connection (a later call reopens it). */
  async close(): Promise<void> {
    const db = this.#db;
    this.#db = null;
    if (db) (await db.catch(() => null))?.close();
  }

  /**
   * Saves (or replaces) a run.
   * @throws StoreError 'invalid' for a bundle that fails the schema, 'quota' when storage is full
   */
  async saveRun(bundle: RunBundle): Promise<void> {
    const parsed = runBundleSchema.safeParse(bundle);
    if (!parsed.success) throw new StoreError('invalid', `The run bundle is not valid, so it was not saved: ${describeIssues(parsed.error)}`);
    const b = parsed.data;
    const db = await this.#open();
    try {
      const tx = db.transaction('runs', 'readwrite');
      await Promise.all([tx.store.put({ runId: b.manifest.runId, project: projectOf(b), createdAt: b.manifest.createdAt, bundle: b as unknown as Record<string, unknown> }), tx.done]);
    } catch (e) {
      throw storeFailure(e, `run ${b.manifest.name || b.manifest.runId}`);
    }
  }

  /** Every readable run, newest first, and the records that no longer read. */
  async listRuns(): Promise<{ runs: RunListItem[]; damaged: DamagedRun[] }> {
    const db = await this.#open();
    const all = await db.getAll('runs');
    const runs: RunListItem[] = [];
    const damaged: DamagedRun[] = [];
    for (const r of all) {
      const read = readRecord(r);
      if (read.ok) runs.push(listItem(read.bundle, r.project));
      else damaged.push({ runId: r.runId, reason: read.reason });
    }
    runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    return { runs, damaged };
  }

  /** @throws StoreError 'not-found' or 'invalid' */
  async getRun(runId: string): Promise<RunBundle> {
    const db = await this.#open();
    const r = await db.get('runs', runId);
    if (!r) throw new StoreError('not-found', `Run ${runId} is not stored in this browser (deleted in another tab?).`);
    const read = readRecord(r);
    if (!read.ok) throw new StoreError('invalid', `Run ${runId} cannot be read: ${read.reason}`);
    return read.bundle;
  }

  /** Renames a run (manifest.name); the run id and hashes do not change. */
  async renameRun(runId: string, name: string): Promise<void> {
    const clean = name.trim().slice(0, 200);
    const b = await this.getRun(runId);
    await this.saveRun({ ...b, manifest: { ...b.manifest, name: clean } });
  }

  /** Deletes a run, and its raw file when no other stored run was made from it. */
  async deleteRun(runId: string): Promise<void> {
    const db = await this.#open();
    const r = await db.get('runs', runId);
    await db.delete('runs', runId);
    const hash = (r?.bundle.manifest as { hashes?: { rawFile?: unknown } } | undefined)?.hashes?.rawFile;
    if (typeof hash !== 'string') return;
    const others = (await db.getAll('runs')).some((x) => (x.bundle.manifest as { hashes?: { rawFile?: unknown } }).hashes?.rawFile === hash);
    if (!others) await db.delete('files', hash);
  }

  /**
   * Keeps an uploaded file's bytes (once per content) so its runs can be re-run.
   * @param sha256 the bytes' SHA-256 hex (manifest.hashes.rawFile)
   * @throws StoreError 'quota' when storage is full (the run itself is saved separately)
   */
  async saveRawFile(sha256: string, name: string, bytes: Uint8Array): Promise<void> {
    const db = await this.#open();
    try {
      if (await db.getKey('files', sha256)) return;
      await db.put('files', { sha256, name, bytes: bytes.slice() });
    } catch (e) {
      throw storeFailure(e, `the file ${name}`);
    }
  }

  /** The bytes of a kept file by SHA-256, or null when this browser does not hold them. */
  async getRawFile(sha256: string): Promise<Uint8Array | null> {
    const db = await this.#open();
    const r = await db.get('files', sha256);
    return r ? new Uint8Array(r.bytes) : null;
  }

  /** The run as `.carryover` bytes. */
  async exportRun(runId: string): Promise<Uint8Array> {
    return encodeBundleFile(await this.getRun(runId));
  }

  /**
   * Imports a `.carryover` file: decoded, migrated and validated (decodeBundleFile), its table
   * checked against the manifest's hash, and stored only if all of that passes.
   * @returns the imported run's list row
   * @throws BundleFileError (corrupt, truncated, hostile...) or StoreError ('tampered',
   *   'duplicate', 'quota'); stored runs are untouched either way
   */
  async importRun(bytes: Uint8Array, fileName: string): Promise<RunListItem> {
    const b = await decodeBundleFile(bytes, fileName);
    if (b.table) {
      const h = await hashTable(tableFromStored(b.table));
      if (h !== b.manifest.hashes.cleanedTable) throw new StoreError('tampered', `"${fileName}": its cleaned table does not match the hash in its manifest, so the table was changed after the run: it was not imported.`);
    }
    if (b.reproduction && b.manifest.hashes.modelInput) {
      const h = await hashModelInput(b.reproduction.modelInput);
      if (h !== b.manifest.hashes.modelInput) throw new StoreError('tampered', `"${fileName}": its model input does not match the hash in its manifest, so it was changed after the run: it was not imported.`);
    }
    const db = await this.#open();
    const existing = await db.get('runs', b.manifest.runId);
    if (existing) throw new StoreError('duplicate', `"${fileName}" is run ${b.manifest.runId}, which is already stored here ("${readRecord(existing).ok ? ((existing.bundle.manifest as { name?: string }).name ?? '') || b.manifest.runId : b.manifest.runId}"): delete it first to replace it.`);
    await this.saveRun(b);
    return listItem(b, projectOf(b));
  }

  /** Saves (or replaces) a decision log entry after validation. */
  async saveDecision(entry: DecisionEntry): Promise<void> {
    const parsed = decisionEntrySchema.safeParse(entry);
    if (!parsed.success) throw new StoreError('invalid', `The decision is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(entry)'}: ${i.message}`).join('; ')}`);
    const db = await this.#open();
    try {
      const tx = db.transaction('decisions', 'readwrite');
      await Promise.all([tx.store.put(parsed.data), tx.done]);
    } catch (e) {
      throw storeFailure(e, `the decision "${entry.decision.slice(0, 60)}"`);
    }
  }

  /** Every readable decision, newest decision date first (unreadable ones are skipped and counted). */
  async listDecisions(): Promise<{ decisions: DecisionEntry[]; damaged: number }> {
    const db = await this.#open();
    const all = await db.getAll('decisions');
    const decisions: DecisionEntry[] = [];
    let damaged = 0;
    for (const r of all) {
      const p = decisionEntrySchema.safeParse(r);
      if (p.success) decisions.push(p.data);
      else damaged++;
    }
    decisions.sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : a.id < b.id ? 1 : -1));
    return { decisions, damaged };
  }

  async deleteDecision(id: string): Promise<void> {
    const db = await this.#open();
    await db.delete('decisions', id);
  }
}

export { BundleFileError };
