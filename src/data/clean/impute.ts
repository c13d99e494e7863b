import { isoDate } from '../checks/sql.ts';
import { ident } from '../db.ts';
import { TableChain } from './table-chain.ts';
import { columnStats, rowCount, toChanges, type CleanContext, type LineageEntry } from './lineage.ts';

/** Rules of the campaign-aware missing-spend policy, in the order they are tried per week. */
export const SPEND_GAP_RULES = {
  exposure_x_median_cpu: 'tracking outage: exposure > 0 that week, spend = exposure x the median cost per unit of weeks with both > 0',
  paused_zero_exposure: 'paused campaign: exposure is 0 that week, so spend is a true 0',
  paused_long_run: 'paused campaign: spend is missing for a run of >= pause_min_weeks weeks, so it is a true 0',
  neighbour_interpolation: 'tracking outage: a short gap without exposure, linear interpolation between the nearest weeks with spend (the one neighbour at an edge)',
  paused_no_neighbours: 'no week of this channel has spend to interpolate from: 0',
  zero_fill: 'missing spend is 0 (policy zero_fill)',
  interpolate: 'linear interpolation between the nearest weeks with a value (the one neighbour at an edge)',
} as const;
export type GapRule = keyof typeof SPEND_GAP_RULES;

/**
 * One column's gap filling as SQL over `src`, ordered by week within each geo / product key:
 * `gap` marks the cells to fill, `rule` names the rule per gap cell and `value` its new value.
 * Helper columns: __i (week index), __pv/__pi and __nv/__ni (previous / next non-gap value and
 * index), __runlen (length of the run of gaps the cell is in), __cpu (median cost per unit).
 */
function gapSql(src: string, col: string, exposure: string | null, gap: string, rule: string, value: string): string {
  const x = ident(col);
  const e = exposure ? `TRY_CAST(${ident(exposure)} AS DOUBLE)` : 'NULL::DOUBLE';
  const win = (frame: string) => `OVER (PARTITION BY __key ORDER BY __i ROWS BETWEEN ${frame})`;
  return `
    WITH o AS (SELECT *, row_number() OVER (PARTITION BY __key ORDER BY __date, __row) AS __i, ${e} AS __e FROM ${ident(src)}),
         g AS (SELECT *, coalesce(${gap}, false) AS __gap FROM o),
         r AS (SELECT *, sum(CASE WHEN __gap THEN 0 ELSE 1 END) OVER (PARTITION BY __key ORDER BY __i) AS __grp FROM g),
         c AS (SELECT __key, median(${x} / __e) FILTER (WHERE ${x} > 0 AND __e > 0) AS __cpu FROM o GROUP BY __key),
         w AS (SELECT r.*, c.__cpu,
                 count(*) FILTER (WHERE __gap) OVER (PARTITION BY r.__key, __grp) AS __runlen,
                 max(CASE WHEN NOT __gap THEN __i END) ${win('UNBOUNDED PRECEDING AND 1 PRECEDING')} AS __pi,
                 last_value(CASE WHEN NOT __gap THEN ${x} END IGNORE NULLS) ${win('UNBOUNDED PRECEDING AND 1 PRECEDING')} AS __pv,
                 min(CASE WHEN NOT __gap THEN __i END) ${win('1 FOLLOWING AND UNBOUNDED FOLLOWING')} AS __ni,
                 first_value(CASE WHEN NOT __gap THEN ${x} END IGNORE NULLS) ${win('1 FOLLOWING AND UNBOUNDED FOLLOWING')} AS __nv
               FROM r JOIN c USING (__key)),
         f AS (SELECT *, CASE WHEN __gap THEN ${rule} END AS __rule FROM w)
    SELECT *, CASE WHEN __gap THEN ${value} ELSE ${x} END AS __new FROM f`;
}

const INTERP = `CASE WHEN __pv IS NOT NULL AND __nv IS NOT NULL THEN __pv + (__nv - __pv) * (__i - __pi) / (__ni - __pi) ELSE coalesce(__pv, __nv) END`;

/**
 * Missing data on a working table (helper columns `__row`, `__date`, `__key`), per geo / product key:
 * spend by `missing_data.policy` (`campaign_aware`: the rules of SPEND_GAP_RULES in order;
 * `zero_fill`; `none`), numeric controls and the KPI by linear interpolation when configured.
 * Writes `dst`; one lineage entry per (column, rule) that changed cells.
 */
export async function impute(ctx: CleanContext, src: string, dst: string): Promise<LineageEntry[]> {
  const { db, config, mapping } = ctx;
  const cfg = config.missing_data;
  const out: LineageEntry[] = [];
  const rows = await rowCount(db, src);
  const jobs: { column: string; exposure: string | null; gap: string; rule: string; value: string }[] = [];
  for (const ch of mapping.channels) {
    const x = ident(ch.spend);
    if (cfg.policy === 'none') break;
    if (cfg.policy === 'zero_fill') {
      jobs.push({ column: ch.spend, exposure: null, gap: `${x} IS NULL`, rule: `'zero_fill'`, value: '0' });
      continue;
    }
    const gap = ch.exposure && cfg.zero_spend_with_exposure_is_outage ? `${x} IS NULL OR (${x} = 0 AND __e > 0)` : `${x} IS NULL`;
    const rule = `CASE WHEN __e > 0 AND __cpu IS NOT NULL THEN 'exposure_x_median_cpu'
                       WHEN __e = 0 THEN 'paused_zero_exposure'
                       WHEN __runlen >= ${cfg.pause_min_weeks} THEN 'paused_long_run'
                       WHEN __pv IS NOT NULL OR __nv IS NOT NULL THEN 'neighbour_interpolation'
                       ELSE 'paused_no_neighbours' END`;
    const value = `CASE __rule WHEN 'exposure_x_median_cpu' THEN __e * __cpu WHEN 'neighbour_interpolation' THEN ${INTERP} ELSE 0 END`;
    jobs.push({ column: ch.spend, exposure: ch.exposure ?? null, gap, rule, value });
  }
  const interp = [...(cfg.controls === 'interpolate' ? mapping.controls : []), ...(cfg.kpi === 'interpolate' ? [mapping.kpi] : [])];
  for (const c of interp) jobs.push({ column: c, exposure: null, gap: `${ident(c)} IS NULL`, rule: `'interpolate'`, value: INTERP });

  const chain = new TableChain(db, src, dst);
  for (const [j, job] of jobs.entries()) {
    const work = `${dst}__gap${j}`;
    await db.exec(`CREATE OR REPLACE TABLE ${ident(work)} AS ${gapSql(chain.current, job.column, job.exposure, job.gap, job.rule, job.value)}`);
    const byRule = await db.query<{ rule: GapRule; n: number; changed: number }>(
      `SELECT __rule AS rule, CAST(count(*) AS INTEGER) AS n, CAST(count(*) FILTER (WHERE __new IS DISTINCT FROM ${ident(job.column)}) AS INTEGER) AS changed
       FROM ${ident(work)} WHERE __gap GROUP BY __rule ORDER BY __rule`,
    );
    const next = `${dst}__imp${j}`;
    const before = byRule.length ? await columnStats(db, chain.current, job.column) : null;
    await db.exec(
      `CREATE OR REPLACE TABLE ${ident(next)} AS SELECT * EXCLUDE (__i, __e, __gap, __grp, __cpu, __runlen, __pi, __pv, __ni, __nv, __rule, __new)
         REPLACE (CAST(__new AS DOUBLE) AS ${ident(job.column)}) FROM ${ident(work)} ORDER BY __row`,
    );
    const after = byRule.length ? await columnStats(db, next, job.column) : null;
    for (const r of byRule) {
      const changes = await db.query<{ date: string | null; key: string; before: number | null; after: number | null; cpu: number | null; runlen: number }>(
        `SELECT ${isoDate('__date')} AS date, __key AS key, ${ident(job.column)} AS before, __new AS after, __cpu AS cpu, CAST(__runlen AS INTEGER) AS runlen
         FROM ${ident(work)} WHERE __gap AND __rule = '${r.rule}' ORDER BY __key, __i LIMIT ${ctx.maxChanges}`,
      );
      const cpus = [...new Set(changes.map((c) => c.cpu).filter((v): v is number => v !== null))];
      out.push({
        step: 'impute',
        rule: r.rule,
        column: job.column,
        detail: `${r.n} week(s) of "${job.column}": ${SPEND_GAP_RULES[r.rule] ?? r.rule}.`,
        rowsBefore: rows,
        rowsAfter: rows,
        cellsChanged: Number(r.changed),
        before,
        after,
        params: {
          weeks: Number(r.n),
          ...(r.rule === 'exposure_x_median_cpu' ? { exposure: job.exposure, medianCostPerUnit: cpus.length === 1 ? cpus[0] : cpus } : {}),
          ...(r.rule === 'paused_long_run' ? { pauseMinWeeks: cfg.pause_min_weeks } : {}),
        },
        changes: toChanges(changes),
      });
    }
    chain.advance(next, work);
  }
  await chain.finish();
  return out;
}
