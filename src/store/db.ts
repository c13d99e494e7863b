import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { DecisionEntry } from '../core/governance/decision-log.ts';

/*
 * The browser database of Carryover: saved run bundles and the decision log, in IndexedDB
 * through idb. The database version moves with its layout; every step of DB_UPGRADES turns
 * version n into n + 1, so a browser on any older version walks the same path as a fresh one.
 * Bundles inside records carry their own schema version and are migrated on read.
 */

/** A saved run as stored: the bundle (JSON-like, migrated on read) and what the list shows. */
export interface RunRecord {
  runId: string;
  /** The project the run belongs to (the data file's name without extension). */
  project: string;
  /** ISO date-time (manifest.createdAt): the list's order. */
  createdAt: string;
  /** The bundle as written; read through migrateBundle + runBundleSchema. */
  bundle: Record<string, unknown>;
}

/** An uploaded file's bytes, kept once per content (keyed by SHA-256) so its runs can be re-run and their raw hash checked. */
export interface FileRecord {
  /** SHA-256 hex of `bytes` (= manifest.hashes.rawFile of the runs made from it). */
  sha256: string;
  name: string;
  bytes: Uint8Array;
}

/** A decision log entry as stored. */
export type DecisionRecord = DecisionEntry;

/** Layout of the database (idb's typed schema). */
export interface CarryoverDb extends DBSchema {
  runs: { key: string; value: RunRecord; indexes: { byProject: string } };
  decisions: { key: string; value: DecisionRecord };
  files: { key: string; value: FileRecord };
}

type UpgradeTx = IDBPTransaction<CarryoverDb, StoreNames<CarryoverDb>[], 'versionchange'>;
type Upgrade = (db: IDBPDatabase<CarryoverDb>, tx: UpgradeTx) => void;

/** Upgrade steps keyed by the version they start from (0 = no database yet). */
export const DB_UPGRADES: Readonly<Record<number, Upgrade>> = {
  0: (db) => {
    db.createObjectStore('runs', { keyPath: 'runId' });
    db.createObjectStore('decisions', { keyPath: 'id' });
  },
  // version 2: the refresh screen picks "the one before, same project"
  1: (_db, tx) => {
    tx.objectStore('runs').createIndex('byProject', 'project');
  },
  // version 3: raw file bytes beside the runs, for re-runs and their raw-file hash check
  2: (db) => {
    db.createObjectStore('files', { keyPath: 'sha256' });
  },
};

/** Version of the database layout this app writes. */
export const DB_VERSION = 3;
/** Name of the app's database (tests pass their own). */
export const DEFAULT_DB_NAME = 'carryover';

/**
 * Opens (creating or upgrading) the database.
 * @throws when another tab holds an older version open and does not close it, or when the
 *   browser refuses IndexedDB (private mode in some browsers)
 */
export function openCarryoverDb(name = DEFAULT_DB_NAME): Promise<IDBPDatabase<CarryoverDb>> {
  return openDB<CarryoverDb>(name, DB_VERSION, {
    upgrade(db, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? DB_VERSION); v++) {
        const step = DB_UPGRADES[v];
        if (!step) throw new Error(`no database upgrade from version ${v}`);
        step(db, tx);
      }
    },
    blocked() {
      // another tab still runs an older app version; it closes on its versionchange below
    },
    blocking(_current, _next, event) {
      // a newer app version opened in another tab: step aside so it can upgrade
      (event.target as IDBDatabase).close();
    },
  });
}
