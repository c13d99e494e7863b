import type { CleaningConfig } from '../../core/spec/config-cleaning.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../../core/spec/config-validation.ts';
import { describeTable } from '../checks/index.ts';
import { keyExpr } from '../checks/sql.ts';
import type { CheckMapping } from '../checks/types.ts';
import { ident, type Db } from '../db.ts';
import { dedupe } from './dedupe.ts';
import { impute } from './impute.ts';
import { numericRoles, rowCount, type CleanContext, type LineageEntry } from './lineage.ts';
import type { FlaggedWeek, OutlierRule } from './outlier-weeks.ts';
import { winsorize } from './winsorize.ts';

export type { CellChange, CleanStep, ColumnStats, LineageEntry } from './lineage.ts';
export { cleaningChanged } from './lineage.ts';
export { SPEND_GAP_RULES, type GapRule } from './impute.ts';
export type { Exemption, FlaggedStatus, FlaggedWeek, OutlierRule } from './outlier-weeks.ts';
export { exemptionText } from './winsorize.ts';
export { listFlaggedKpiWeeks } from './flagged-weeks.ts';
export { EVENT_CONTROL_NAME, isEventControlName } from './events.ts';

/** Options of `cleanTable` that are not config. */
export interface CleanOptions {
  /** Name of the cleaned table (replaced if it exists; must differ from the input). Default `<table>_clean`. */
  output?: string;
  /** Most changed cells listed per lineage entry. Default 50. */
  maxChanges?: number;
  /** The outlier check's rule (config `validation.value_sanity`); default its defaults (robust z > 3.5). */
  outlierRule?: OutlierRule;
  /** Factor control -> baseline level (config `data.factor_controls`); a factor without one takes its most frequent level. */
  factorBaselines?: Record<string, string>;
}

/** The cleaned table and what was done to get it. */
export interface CleanResult {
  /** Name of the new table: original columns in their order, the date as DATE, mapped numeric columns as DOUBLE, sorted by key then week. */
  table: string;
  /** Every change, in the order applied (types -> dedupe -> impute -> winsorize). */
  lineage: LineageEntry[];
  /**
   * KPI weeks the outlier check flags, names in `cap_weeks` or capped (kpi_rule percentile), each
   * with its robust z, cap value, exemptions and what cleaning did (`status`); empty when the
   * outlier step is off or the KPI is excluded from it.
   */
  flagged: FlaggedWeek[];
}

/**
 * Cleans `table` into a new table (the input is never modified): numeric mapped columns read as
 * DOUBLE and the date as DATE (`cast_numeric` / `cast_date` log values that did not parse), then
 * duplicate resolution, the missing-data policy and the outlier caps per the `cleaning` config
 * (by default only KPI weeks the outlier check flags, minus promotion weeks and spend bursts).
 * Every step logs rows and cells changed with min / max before and after (LineageEntry).
 */
export async function cleanTable(db: Db, table: string, mapping: CheckMapping, config: CleaningConfig, options: CleanOptions = {}): Promise<CleanResult> {
  const output = options.output ?? `${table}_clean`;
  if (output === table) throw new Error('cleanTable: the output table must differ from the input table.');
  const ctx: CleanContext = { db, mapping, config, maxChanges: options.maxChanges ?? 50, outliers: { rule: options.outlierRule ?? DEFAULT_VALIDATION_CONFIG.value_sanity, factorBaselines: options.factorBaselines ?? {} } };
  const columns = (await describeTable(db, table)).map((c) => c.name);
  const present = new Set(columns);
  for (const c of [mapping.date, ...numericRoles(mapping).map((r) => r.column), ...mapping.keys]) {
    if (!present.has(c)) throw new Error(`cleanTable: mapped column "${c}" is not in table "${table}".`);
  }
  const numeric = [...new Set(numericRoles(mapping).map((r) => r.column))].filter((c) => c !== mapping.date);
  const stage = (i: number) => `${output}__stage${i}`;
  const lineage: LineageEntry[] = [];
  let flagged: FlaggedWeek[] = [];

  await db.exec(
    `CREATE OR REPLACE TABLE ${ident(stage(0))} AS SELECT row_number() OVER () AS __row, TRY_CAST(${ident(mapping.date)} AS DATE) AS __date, ${keyExpr(mapping)} AS __key,
       * REPLACE (${[`TRY_CAST(${ident(mapping.date)} AS DATE) AS ${ident(mapping.date)}`, ...numeric.map((c) => `TRY_CAST(${ident(c)} AS DOUBLE) AS ${ident(c)}`)].join(', ')})
     FROM ${ident(table)}`,
  );
  const rows = await rowCount(db, stage(0));
  const casts = [{ column: mapping.date, to: 'DATE', rule: 'cast_date' }, ...numeric.map((c) => ({ column: c, to: 'DOUBLE', rule: 'cast_numeric' }))];
  const [bad] = await db.query<Record<string, number>>(
    `SELECT ${casts.map((c, i) => `CAST(count(*) FILTER (WHERE ${ident(c.column)} IS NOT NULL AND TRY_CAST(${ident(c.column)} AS ${c.to}) IS NULL) AS INTEGER) AS b${i}`).join(', ')} FROM ${ident(table)}`,
  );
  for (const [i, c] of casts.entries()) {
    const n = Number(bad?.[`b${i}`] ?? 0);
    if (n === 0) continue;
    lineage.push({
      step: 'types',
      rule: c.rule,
      column: c.column,
      detail: `${n} value(s) of "${c.column}" are not a ${c.to === 'DATE' ? 'date' : 'number'} and became empty.`,
      rowsBefore: rows,
      rowsAfter: rows,
      cellsChanged: n,
      before: null,
      after: null,
      params: { to: c.to },
      changes: [],
    });
  }
  try {
    lineage.push(...(await dedupe(ctx, stage(0), stage(1), columns)));
    lineage.push(...(await impute(ctx, stage(1), stage(2))));
    const w = await winsorize(ctx, stage(2), stage(3));
    lineage.push(...w.lineage);
    flagged = w.flagged;
    await db.exec(`CREATE OR REPLACE TABLE ${ident(output)} AS SELECT * EXCLUDE (__row, __date, __key) FROM ${ident(stage(3))} ORDER BY __key, __date, __row`);
  } finally {
    for (let i = 0; i <= 3; i++) await db.exec(`DROP TABLE IF EXISTS ${ident(stage(i))}`);
  }
  return { table: output, lineage, flagged };
}
