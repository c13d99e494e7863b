import type { CheckResult } from '../../core/check/result.ts';
import type { ValidationConfig } from '../../core/spec/config-validation.ts';
import type { Db } from '../db.ts';

/**
 * The column roles that checks and cleaning read: every name is a column of the input table,
 * exactly as in the user's file. A view of the one mapping shape (MappingConfig, the config's
 * data fields): build it with `toCheckMapping` in src/data/mapping.ts.
 */
export interface CheckMapping {
  /** Week start column (DATE, TIMESTAMP or ISO text). */
  date: string;
  /** Outcome column (revenue, conversions): numeric. */
  kpi: string;
  /** Paid channels: `spend` in currency >= 0; `exposure` (impressions, clicks, GRPs) when known. */
  channels: { name: string; spend: string; exposure?: string }[];
  /** Numeric control columns. */
  controls: string[];
  /** Categorical control columns (one level label per row). */
  factors: string[];
  /** Geo / product key columns; empty for national data. */
  keys: string[];
}

/** Every column the mapping names, with its role (a column may appear once per role). */
export function mappedColumns(m: CheckMapping): { column: string; role: 'date' | 'kpi' | 'spend' | 'exposure' | 'control' | 'factor' | 'key' }[] {
  return [
    { column: m.date, role: 'date' as const },
    { column: m.kpi, role: 'kpi' as const },
    ...m.channels.map((c) => ({ column: c.spend, role: 'spend' as const })),
    ...m.channels.flatMap((c) => (c.exposure ? [{ column: c.exposure, role: 'exposure' as const }] : [])),
    ...m.controls.map((c) => ({ column: c, role: 'control' as const })),
    ...m.factors.map((c) => ({ column: c, role: 'factor' as const })),
    ...m.keys.map((c) => ({ column: c, role: 'key' as const })),
  ];
}

/** Options of a check run that are not config. */
export interface CheckOptions {
  /** Reference date for freshness, ISO YYYY-MM-DD (the caller's clock; checks never read the wall clock). */
  now?: string;
  /** Parameter count of the model to fit; default: the reference model 2 + 4 + 4C + K + 1. */
  parameterCount?: number;
  /** Most rows / weeks named in one result's evidence (the count is always complete). Default 20. */
  maxNamed?: number;
}

/** A column of the input table as DuckDB describes it. */
export interface ColumnInfo {
  name: string;
  /** DuckDB type, e.g. DOUBLE, VARCHAR, DATE. */
  type: string;
}

/** What every check receives. */
export interface CheckContext {
  db: Db;
  /** Input table (or view) name, unquoted. */
  table: string;
  mapping: CheckMapping;
  config: ValidationConfig;
  options: Required<Pick<CheckOptions, 'maxNamed'>> & CheckOptions;
  /** Columns of the input table. */
  columns: ColumnInfo[];
  /**
   * Facts shared by several checks (dates, keys, correlations), computed once per run
   * (table-facts.ts `once`). runAllChecks sets a fresh one; absent, each check computes its own.
   */
  memo?: Map<string, Promise<unknown>>;
}

/** One data check: SQL over the input table -> one CheckResult (never throws on bad data). */
export type DataCheck = (ctx: CheckContext) => Promise<CheckResult>;
