/** Why the store refused or failed, a closed list the screens map to help text. */
export type StoreErrorCode = 'quota' | 'unavailable' | 'not-found' | 'invalid' | 'duplicate' | 'tampered';

/** A store failure with a message for a person (what happened, what to do). */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
  }
}

/** Whether an error (or the cause of a failed transaction) is the browser's "storage is full". */
export function isQuotaError(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const name = (e as { name?: unknown }).name;
  if (name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED') return true;
  return isQuotaError((e as { cause?: unknown }).cause);
}

/** Storage use and quota of this origin, bytes (null where the browser does not say). */
export interface StorageUse {
  usage: number | null;
  quota: number | null;
  /** Whether the browser promised not to evict this origin's data (navigator.storage.persisted). */
  persisted: boolean | null;
}

/** navigator.storage.estimate() and persisted(), null fields where unsupported. */
export async function storageUse(): Promise<StorageUse> {
  const s = globalThis.navigator?.storage;
  const est = s?.estimate ? await s.estimate().catch(() => null) : null;
  const persisted = s?.persisted ? await s.persisted().catch(() => null) : null;
  return { usage: est?.usage ?? null, quota: est?.quota ?? null, persisted };
}
