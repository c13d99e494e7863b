import type { IngestResult } from '../data/ingest.ts';

/** Where loading stands: nothing yet, reading, a table is loaded, or the file could not be read. */
export type LoadPhase = 'empty' | 'loading' | 'loaded' | 'failed';

/** A file that could not be read: what, where, and how to fix it. */
export interface LoadError {
  file: string;
  message: string;
  fix?: string;
  column?: string;
  row?: number;
}

/** The file being read: its name, bytes (kept to re-read with other read settings) and whether it is a demo. */
export interface LoadedFile {
  name: string;
  bytes: Uint8Array;
  demo: boolean;
  /** The browser's File/Blob when there is one (DuckDB registers it without a copy). */
  blob?: Blob;
}

/** Stage 1 as the Data screen shows it: the file, the phase, progress words, the table as read or the error. */
export class LoadState {
  #phase = $state<LoadPhase>('empty');
  #status = $state('');
  #error = $state.raw<LoadError | null>(null);
  #file = $state.raw<LoadedFile | null>(null);
  #ingest = $state.raw<IngestResult | null>(null);

  get phase() { return this.#phase; }
  /** What is happening now, in words (starting DuckDB, reading the file...). */
  get status() { return this.#status; }
  get error() { return this.#error; }
  /** The current file: name, size in bytes, demo or not; null before the first load. */
  get source(): { name: string; bytes: number; demo: boolean } | null {
    const f = this.#file;
    return f ? { name: f.name, bytes: f.bytes.length, demo: f.demo } : null;
  }
  /** The current file with its bytes (to re-read it). */
  get file(): LoadedFile | null { return this.#file; }
  /** The table as read: row count, columns with DuckDB types, preview rows, sniffer findings. */
  get ingest() { return this.#ingest; }
  get loaded() { return this.#phase === 'loaded'; }

  /** A read starts: the last file's error must not stand while this one is read. */
  begin(status: string, file?: LoadedFile): void {
    this.#phase = 'loading';
    this.#error = null;
    this.#status = status;
    if (file) this.#file = file;
  }

  setStatus(status: string): void { this.#status = status; }

  /** The table was read. */
  done(ingest: IngestResult): void {
    this.#ingest = ingest;
    this.#phase = 'loaded';
    this.#status = '';
  }

  /** The file could not be read: the table of the previous file is gone. */
  fail(err: LoadError): void {
    this.#phase = 'failed';
    this.#status = '';
    this.#error = err;
    this.#ingest = null;
  }
}
