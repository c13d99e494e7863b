/**
 * The narrow view of DuckDB that checks, cleaning and ingest need. Implemented over the
 * browser AsyncDuckDB (src/data/duckdb.ts) and the node blocking build (tests, headless runner),
 * so the same SQL runs in both places.
 */
export interface Db {
  /** Runs SQL and returns rows as plain objects (BIGINT cast to number, DECIMAL to DOUBLE in SQL). */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Runs SQL with no result (DDL, INSERT). */
  exec(sql: string): Promise<void>;
  /**
   * Makes bytes readable by SQL under `name` (e.g. read_csv('name')). `blob`, when given, holds
   * the same bytes (a File from disk, a fetched Blob): the browser hands it to DuckDB as it is
   * instead of copying the bytes into a new Blob.
   */
  registerFile(name: string, bytes: Uint8Array, blob?: Blob): Promise<void>;
  /** Drops a registered file. */
  dropFile(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Quotes an identifier for DuckDB SQL (column and table names from user files). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB SQL. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
