import type { CleaningConfig } from '../../core/spec/config-cleaning.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../../core/spec/config-validation.ts';
import { describeTable } from '../checks/index.ts';
import { keyExpr } from '../checks/sql.ts';
import type { CheckMapping } from '../checks/types.ts';
import { ident, type Db } from '../db.ts';
import { kpiOutlierTable, readFlaggedWeeks, type FlaggedWeek, type OutlierRule } from './outlier-weeks.ts';

/**
 * Lists the KPI weeks of `table` that the outlier check flags (and those `cap_weeks` names), each
 * with its robust z, value, cap value, exemptions (promotion / event week, spend burst of a
 * channel) and the status the outlier step gives it under `cleaning` (`capped`, `exempt`,
 * `inside_cap`): the same SQL cleanTable runs, without writing anything but two scratch tables.
 * Read-only for `table`. cleanTable returns the same list (CleanResult.flagged) for the table it
 * cleaned (after dedupe and missing data); use this one to preview a config change.
 * @param rule config `validation.value_sanity` (default robust z > 3.5)
 * @param factorBaselines config `data.factor_controls`
 */
export async function listFlaggedKpiWeeks(
  db: Db,
  table: string,
  mapping: CheckMapping,
  cleaning: CleaningConfig,
  rule: OutlierRule = DEFAULT_VALIDATION_CONFIG.value_sanity,
  factorBaselines: Record<string, string> = {},
): Promise<FlaggedWeek[]> {
  const src = `${table}__flag_src`;
  const work = `${table}__flag_work`;
  const present = new Set((await describeTable(db, table)).map((c) => c.name));
  await db.exec(`CREATE OR REPLACE TEMP TABLE ${ident(src)} AS SELECT row_number() OVER () AS __row, TRY_CAST(${ident(mapping.date)} AS DATE) AS __date, ${keyExpr(mapping)} AS __key, * FROM ${ident(table)}`);
  try {
    await kpiOutlierTable(db, src, work, mapping, cleaning, { rule, factorBaselines }, present);
    return await readFlaggedWeeks(db, work, mapping, cleaning);
  } finally {
    await db.exec(`DROP TABLE IF EXISTS ${ident(work)}`);
    await db.exec(`DROP TABLE IF EXISTS ${ident(src)}`);
  }
}
