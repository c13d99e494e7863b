import { isoDate } from '../checks/sql.ts';
import { ident, literal } from '../db.ts';
import { TableChain } from './table-chain.ts';
import { columnStats, numericRoles, rowCount, toChanges, type CleanContext, type LineageEntry } from './lineage.ts';

/**
 * SQL truth value of "this row is a promotion week": the promo column is non-zero / true /
 * non-empty (not '', '0', 'false', 'no', 'na', 'none', 'n/a'), or the week is in `promo_dates`.
 * `false` when nothing marks promotions.
 */
export function promoSql(promoColumn: string | null, promoDates: readonly string[]): string {
  const parts: string[] = [];
  if (promoColumn) {
    const c = ident(promoColumn);
    parts.push(
      `coalesce(CASE WHEN TRY_CAST(${c} AS DOUBLE) IS NOT NULL THEN TRY_CAST(${c} AS DOUBLE) <> 0
                     ELSE lower(trim(CAST(${c} AS VARCHAR))) NOT IN ('', 'false', 'no', 'na', 'none', 'n/a') END, false)`,
    );
  }
  if (promoDates.length) parts.push(`__date IN (${promoDates.map((d) => `DATE ${literal(d)}`).join(', ')})`);
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}

/**
 * Winsorisation on a working table (helper columns `__date`, `__key`): each column of the roles in
 * `outliers.apply_to` (minus `exclude_columns`) is capped above at its p-th percentile
 * (quantile_cont, linear interpolation; p = `column_percentiles[column]` or
 * `winsorize_percentile`) and, when `lower_percentile` is set, floored below. Percentiles are
 * taken per geo / product key over the non-promotion weeks; with `exempt_promo_periods`,
 * promotion weeks are left as they are. Writes `dst`; one lineage entry per column changed.
 */
export async function winsorize(ctx: CleanContext, src: string, dst: string): Promise<LineageEntry[]> {
  const { db, config, mapping } = ctx;
  const cfg = config.outliers;
  const out: LineageEntry[] = [];
  if (cfg.policy === 'none') {
    await db.exec(`CREATE OR REPLACE TABLE ${ident(dst)} AS SELECT * FROM ${ident(src)}`);
    return out;
  }
  const cols = numericRoles(mapping)
    .filter((r) => cfg.apply_to.includes(r.role) && !cfg.exclude_columns.includes(r.column))
    .map((r) => r.column)
    .filter((c, i, a) => a.indexOf(c) === i);
  const promo = cfg.exempt_promo_periods ? promoSql(cfg.promo_column, cfg.promo_dates) : 'false';
  const rows = await rowCount(db, src);
  const chain = new TableChain(db, src, dst);
  for (const [j, col] of cols.entries()) {
    const x = ident(col);
    const p = cfg.column_percentiles[col] ?? cfg.winsorize_percentile;
    const lo = cfg.lower_percentile;
    const work = `${dst}__w${j}`;
    await db.exec(
      `CREATE OR REPLACE TABLE ${ident(work)} AS
       WITH b AS (SELECT *, ${promo} AS __promo FROM ${ident(chain.current)}),
            q AS (SELECT __key, quantile_cont(${x}, ${p / 100}) AS __hi, ${lo === null ? 'NULL::DOUBLE' : `quantile_cont(${x}, ${lo / 100})`} AS __lo
                  FROM b WHERE NOT __promo AND ${x} IS NOT NULL GROUP BY __key)
       SELECT b.*, q.__hi, q.__lo,
              CASE WHEN __promo OR ${x} IS NULL THEN ${x} WHEN ${x} > __hi THEN __hi WHEN __lo IS NOT NULL AND ${x} < __lo THEN __lo ELSE ${x} END AS __new
       FROM b LEFT JOIN q USING (__key)`,
    );
    const [cnt] = await db.query<{ changed: number; exempt: number }>(
      `SELECT CAST(count(*) FILTER (WHERE __new IS DISTINCT FROM ${x}) AS INTEGER) AS changed,
              CAST(count(*) FILTER (WHERE __promo AND (${x} > __hi OR ${x} < __lo)) AS INTEGER) AS exempt FROM ${ident(work)}`,
    );
    const next = `${dst}__wn${j}`;
    await db.exec(`CREATE OR REPLACE TABLE ${ident(next)} AS SELECT * EXCLUDE (__promo, __hi, __lo, __new) REPLACE (CAST(__new AS DOUBLE) AS ${x}) FROM ${ident(work)} ORDER BY __row`);
    const changed = Number(cnt?.changed ?? 0);
    const exempt = Number(cnt?.exempt ?? 0);
    if (changed > 0 || exempt > 0) {
      const caps = await db.query<{ key: string; hi: number | null; lo: number | null }>(
        `SELECT DISTINCT __key AS key, __hi AS hi, __lo AS lo FROM ${ident(work)} ORDER BY key`,
      );
      const changes = await db.query<{ date: string | null; key: string; before: number; after: number }>(
        `SELECT ${isoDate('__date')} AS date, __key AS key, ${x} AS before, __new AS after FROM ${ident(work)} WHERE __new IS DISTINCT FROM ${x} ORDER BY __key, __date LIMIT ${ctx.maxChanges}`,
      );
      const capText = caps.length === 1 ? `${Number(Number(caps[0]!.hi).toPrecision(6))}` : `per key (${caps.length})`;
      out.push({
        step: 'winsorize',
        rule: 'winsorize',
        column: col,
        detail: `Capped ${changed} week(s) of "${col}" at its ${p}th percentile (${capText})${lo !== null ? ` and floored at its ${lo}th` : ''}${exempt ? `; ${exempt} promotion week(s) beyond the cap left as they are` : ''}.`,
        rowsBefore: rows,
        rowsAfter: rows,
        cellsChanged: changed,
        before: await columnStats(db, chain.current, col),
        after: await columnStats(db, next, col),
        params: {
          percentile: p,
          lowerPercentile: lo,
          caps: caps.map((c) => ({ ...(c.key ? { key: c.key } : {}), upper: c.hi === null ? null : Number(c.hi), lower: c.lo === null ? null : Number(c.lo) })),
          exemptPromoWeeks: exempt,
        },
        changes: toChanges(changes),
      });
    }
    chain.advance(next, work);
  }
  await chain.finish();
  return out;
}
