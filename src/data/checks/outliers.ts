import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { dateOf, isoDate, keyExpr, nameSome, num, round } from './sql.ts';
import { keyIdOf } from './table-facts.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.outliers`: weeks far from their column's bulk, per geo / product key. KPI and controls use
 * all weeks; spend uses its active (> 0) weeks, since a flighted channel's zeros are not its bulk.
 * `robust_z`: |x - median| / (1.4826 MAD) > `robust_z_threshold` (3.5; skipped when MAD = 0);
 * `iqr`: x outside [Q1 - k IQR, Q3 + k IQR], k = `iqr_multiplier` (3). Warns naming the weeks.
 */
export async function checkOutliers(ctx: CheckContext): Promise<CheckResult> {
  const m = ctx.mapping;
  const vs = ctx.config.value_sanity;
  const cols = [
    { column: m.kpi, role: 'kpi', activeOnly: false },
    ...m.channels.map((c) => ({ column: c.spend, role: 'spend', activeOnly: true })),
    ...m.controls.map((c) => ({ column: c, role: 'control', activeOnly: false })),
  ];
  const iqr = vs.outlier_method === 'iqr';
  const rule = (i: number) =>
    iqr
      ? `__q3_${i} > __q1_${i} AND (__x${i} < __q1_${i} - ${vs.iqr_multiplier} * (__q3_${i} - __q1_${i}) OR __x${i} > __q3_${i} + ${vs.iqr_multiplier} * (__q3_${i} - __q1_${i}))`
      : `__mad${i} > 0 AND abs(__x${i} - __med${i}) / (1.4826 * __mad${i}) > ${vs.robust_z_threshold}`;
  const valid = (i: number) => `__x${i} IS NOT NULL${cols[i]!.activeOnly ? ` AND __x${i} > 0` : ''}`;
  const all = cols.map((_, i) => i);
  const keys = m.keys.map(ident);
  // One query for every column: per key the median (and quartiles for iqr) of each column's
  // valid values, then the median absolute deviation, then the rows outside the rule, each
  // column's count and its first rows by distance from the median. The key's label is built
  // only for the named rows.
  const rows = await ctx.db.query<{ c: number; row: number; date: string | null; key: string; x: number; z: number | null; n: number }>(
    `WITH v AS NOT MATERIALIZED (
       SELECT row_number() OVER () AS __row, ${dateOf(m.date)} AS __date, ${await keyIdOf(ctx)} AS __kid, ${[...keys, ...cols.map((c, i) => `${num(c.column)} AS __x${i}`)].join(', ')} FROM ${ident(ctx.table)}),
     s AS (SELECT __kid, ${all.map((i) => `median(__x${i}) FILTER (WHERE ${valid(i)}) AS __med${i}${iqr ? `, quantile_cont(__x${i}, 0.25) FILTER (WHERE ${valid(i)}) AS __q1_${i}, quantile_cont(__x${i}, 0.75) FILTER (WHERE ${valid(i)}) AS __q3_${i}` : ''}`).join(', ')}
           FROM v GROUP BY __kid),
     a AS (SELECT __kid, ${all.map((i) => `median(abs(__x${i} - __med${i})) FILTER (WHERE ${valid(i)}) AS __mad${i}`).join(', ')} FROM v JOIN s USING (__kid) GROUP BY __kid),
     f AS MATERIALIZED (SELECT * FROM v JOIN s USING (__kid) JOIN a USING (__kid) WHERE ${all.map((i) => `(${valid(i)} AND ${rule(i)})`).join(' OR ')}),
     o AS (${all
       .map((i) => `SELECT ${i} AS __c, __row, __date, ${[...keys, `__x${i} AS __x`, `__med${i} AS __med`, `__mad${i} AS __mad`].join(', ')} FROM f WHERE ${valid(i)} AND ${rule(i)}`)
       .join(' UNION ALL ')}),
     t AS (SELECT *, CAST(count(*) OVER (PARTITION BY __c) AS INTEGER) AS __n FROM o
           QUALIFY row_number() OVER (PARTITION BY __c ORDER BY abs(__x - __med) DESC, __row) <= ${ctx.options.maxNamed})
     SELECT __c AS c, __row::DOUBLE AS row, ${isoDate('__date')} AS date, ${keyExpr(m)} AS key, __x AS x, CASE WHEN __mad > 0 THEN (__x - __med) / (1.4826 * __mad) END AS z, __n AS n
     FROM t ORDER BY __c, abs(__x - __med) DESC, __row`,
  );
  const found: { column: string; role: string; count: number; weeks: { row: number; date: string | null; key?: string; value: number | null; robustZ: number | null }[] }[] = [];
  for (const [i, c] of cols.entries()) {
    const mine = rows.filter((r) => Number(r.c) === i);
    if (mine.length === 0) continue;
    found.push({
      column: c.column,
      role: c.role,
      count: Number(mine[0]!.n),
      weeks: mine.map((r) => ({ row: Number(r.row), date: r.date, ...(r.key ? { key: r.key } : {}), value: round(r.x, 4), robustZ: round(r.z, 2) })),
    });
  }
  const evidence = {
    method: vs.outlier_method,
    threshold: vs.outlier_method === 'robust_z' ? vs.robust_z_threshold : vs.iqr_multiplier,
    columns: found,
  };
  if (found.length === 0) {
    return { id: 'data.outliers', severity: 'info', title: 'No outlying weeks', detail: `${cols.length} columns checked (${vs.outlier_method}).`, evidence };
  }
  return {
    id: 'data.outliers',
    severity: 'warn',
    title: 'Outlying weeks',
    detail: found.map((f) => `"${f.column}" has ${f.count} outlying week(s): ${nameSome(f.weeks.map((w) => `${w.date ?? `row ${w.row} (date does not parse)`}${w.key ? ` [${w.key}]` : ''}`), 5, f.count)}`).join('; ') + '.',
    evidence,
    fix: 'Check these weeks at the source. Real promotions: mark them (cleaning.outliers.promo_dates or a promo column) and add a control; errors: winsorise in cleaning.',
  };
}
