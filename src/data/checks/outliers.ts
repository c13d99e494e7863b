import type { CheckResult } from '../../core/check/result.ts';
import { based, isoDate, nameSome, num, round } from './sql.ts';
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
  const rule =
    vs.outlier_method === 'robust_z'
      ? `mad > 0 AND abs(x - med) / (1.4826 * mad) > ${vs.robust_z_threshold}`
      : `q3 > q1 AND (x < q1 - ${vs.iqr_multiplier} * (q3 - q1) OR x > q3 + ${vs.iqr_multiplier} * (q3 - q1))`;
  const found: { column: string; role: string; count: number; weeks: { date: string | null; key?: string; value: number | null; robustZ: number | null }[] }[] = [];
  for (const c of cols) {
    const rows = await ctx.db.query<{ date: string | null; key: string; x: number; z: number | null; n: number }>(
      `WITH v AS (SELECT __row, __date, __key, ${num(c.column)} AS x FROM ${based(ctx)} b WHERE ${num(c.column)} IS NOT NULL ${c.activeOnly ? `AND ${num(c.column)} > 0` : ''}),
            s AS (SELECT __key, median(x) AS med, quantile_cont(x, 0.25) AS q1, quantile_cont(x, 0.75) AS q3 FROM v GROUP BY __key),
            a AS (SELECT v.__key, median(abs(v.x - s.med)) AS mad FROM v JOIN s USING (__key) GROUP BY v.__key),
            f AS (SELECT v.*, s.med, s.q1, s.q3, a.mad FROM v JOIN s USING (__key) JOIN a USING (__key))
       SELECT ${isoDate('__date')} AS date, __key AS key, x, CASE WHEN mad > 0 THEN (x - med) / (1.4826 * mad) END AS z, CAST(count(*) OVER () AS INTEGER) AS n
       FROM f WHERE ${rule} ORDER BY abs(x - med) DESC LIMIT ${ctx.options.maxNamed}`,
    );
    if (rows.length === 0) continue;
    found.push({
      column: c.column,
      role: c.role,
      count: Number(rows[0]!.n),
      weeks: rows.map((r) => ({ date: r.date, ...(r.key ? { key: r.key } : {}), value: round(r.x, 4), robustZ: round(r.z, 2) })),
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
    detail: found.map((f) => `"${f.column}" has ${f.count} outlying week(s): ${nameSome(f.weeks.map((w) => `${w.date}${w.key ? ` [${w.key}]` : ''}`), 5)}`).join('; ') + '.',
    evidence,
    fix: 'Check these weeks at the source. Real promotions: mark them (cleaning.outliers.promo_dates or a promo column) and add a control; errors: winsorise in cleaning.',
  };
}
