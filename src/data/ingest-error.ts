import type { CheckResult } from '../core/check/result.ts';

/**
 * Why a file could not be read at all (nothing to check or clean). Everything that can be read
 * but is wrong comes back as CheckResults instead; the pipeline turns an IngestError into a
 * blocking CheckResult with the same id, so the UI and the runner show one kind of finding.
 */
export type IngestErrorId =
  | 'ingest.empty'
  | 'ingest.no_rows'
  | 'ingest.binary'
  | 'ingest.spreadsheet'
  | 'ingest.parquet_truncated'
  | 'ingest.parquet_unreadable'
  | 'ingest.csv_unreadable'
  | 'ingest.unsupported_format';

/** A file that cannot be read: names the file (and column / row when known) and how to fix it. */
export class IngestError extends Error {
  override readonly name = 'IngestError';
  constructor(
    readonly id: IngestErrorId,
    readonly file: string,
    message: string,
    readonly fix: string,
    readonly column?: string,
    /** 1-based line of the file (header = line 1). */
    readonly row?: number,
  ) {
    super(message);
  }

  /** The same finding as a blocking CheckResult (for the checks list and the runner's JSON). */
  toCheckResult(): CheckResult {
    return {
      id: this.id,
      severity: 'block',
      title: `Cannot read ${this.file}`,
      detail: this.message,
      evidence: { file: this.file, ...(this.column ? { column: this.column } : {}), ...(this.row ? { row: this.row } : {}) },
      fix: this.fix,
    };
  }
}

/** True for an IngestError, also after it crossed a worker boundary as `{ name, ... }`. */
export function isIngestError(e: unknown): e is IngestError {
  return !!e && typeof e === 'object' && (e as { name?: unknown }).name === 'IngestError';
}
