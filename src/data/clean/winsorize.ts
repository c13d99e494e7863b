import { describeTable } from '../checks/index.ts';
import { isoDate } from '../checks/sql.ts';
import { ident } from '../db.ts';
import { formatNumber } from '../../core/format/number.ts';
import { eventReasonSql, eventSources } from './events.ts';
import { TableChain } from './table-chain.ts';
import { columnStats, numericRoles, rowCount, toChanges, type CleanContext, type LineageEntry } from './lineage.ts';
import { kpiOutlierHelpers, kpiOutlierTable, readFlaggedWeeks, type FlaggedWeek } from './outlier-weeks.ts';

/** What the outlier step did: lineage entries and the KPI weeks it flagged or was asked to cap. */
export interface WinsorizeResult {
  lineage: LineageEntry[];
  flagged: FlaggedWeek[];
}

/**
 * The outlier step on a working table (helper columns `__row`, `__date`, `__key`). The KPI (when
 * `kpi` is in `apply_to`) follows `kpi_rule` (see kpiOutlierTable): by default only weeks the
 * outlier check flags, beyond the percentile, not exempt (promotion / event week, a channel's
 * spend burst) unless `cap_weeks` / `cap_all_flagged` ask; its lineage entry is always written,
 * so "no week capped" is said with its reason. Every other column of a role in `apply_to`, or
 * listed in `column_percentiles` (explicit rules), is capped at its percentile (per key, over
 * non-promotion weeks; floored at `lower_percentile` when set) in every non-promotion week
 * beyond it. Writes `dst`.
 */
export async function winsorize(ctx: CleanContext, src: string, dst: string): Promise<WinsorizeResult> {
  const { db, config, mapping } = ctx;
  const cfg = config.outliers;
  const out: LineageEntry[] = [];
  let flagged: FlaggedWeek[] = [];
  if (cfg.policy === 'none') {
    await db.exec(`CREATE OR REPLACE TABLE ${ident(dst)} AS SELECT * FROM ${ident(src)}`);
    return { lineage: out, flagged };
  }
  const roles = numericRoles(mapping);
  const cols = [...roles.filter((r) => cfg.apply_to.includes(r.role)).map((r) => r.column), ...Object.keys(cfg.column_percentiles).filter((c) => c === mapping.kpi || roles.some((r) => r.column === c))]
    .filter((c, i, a) => a.indexOf(c) === i && !cfg.exclude_columns.includes(c));
  const present = new Set((await describeTable(db, src)).map((c) => c.name));
  const promo = cfg.exempt_promo_periods ? `(${eventReasonSql(eventSources(mapping, cfg, ctx.outliers.factorBaselines, present), src)}) IS NOT NULL` : 'false';
  const rows = await rowCount(db, src);
  const chain = new TableChain(db, src, dst);
  for (const [j, col] of cols.entries()) {
    const x = ident(col);
    const work = `${dst}__w${j}`;
    const next = `${dst}__wn${j}`;
    if (col === mapping.kpi) {
      await kpiOutlierTable(db, chain.current, work, mapping, config, ctx.outliers, present);
      flagged = await readFlaggedWeeks(db, work, mapping, config);
      await db.exec(`CREATE OR REPLACE TABLE ${ident(next)} AS SELECT * EXCLUDE (${kpiOutlierHelpers(mapping).join(', ')}) REPLACE (CAST(__new AS DOUBLE) AS ${x}) FROM ${ident(work)} ORDER BY __row`);
      const entry = await kpiEntry(ctx, work, chain.current, next, flagged, rows);
      if (entry) out.push(entry);
      chain.advance(next, work);
      continue;
    }
    const p = cfg.column_percentiles[col] ?? cfg.winsorize_percentile;
    const lo = cfg.lower_percentile;
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
    await db.exec(`CREATE OR REPLACE TABLE ${ident(next)} AS SELECT * EXCLUDE (__promo, __hi, __lo, __new) REPLACE (CAST(__new AS DOUBLE) AS ${x}) FROM ${ident(work)} ORDER BY __row`);
    const changed = Number(cnt?.changed ?? 0);
    const exempt = Number(cnt?.exempt ?? 0);
    if (changed > 0 || exempt > 0) {
      const caps = await capsOf(ctx, work);
      const changes = await db.query<{ date: string | null; key: string; before: number; after: number }>(
        `SELECT ${isoDate('__date')} AS date, __key AS key, ${x} AS before, __new AS after FROM ${ident(work)} WHERE __new IS DISTINCT FROM ${x} ORDER BY __key, __date LIMIT ${ctx.maxChanges}`,
      );
      out.push({
        step: 'winsorize',
        rule: 'winsorize',
        column: col,
        detail: `Capped ${changed} week(s) of "${col}" at its ${p}th percentile (${capText(caps)})${lo !== null ? ` and floored at its ${lo}th` : ''}${exempt ? `; ${exempt} promotion week(s) beyond the cap left as they are` : ''} (explicit rule: ${cfg.column_percentiles[col] !== undefined ? `cleaning.outliers.column_percentiles.${col}` : 'its role is in cleaning.outliers.apply_to'}).`,
        rowsBefore: rows,
        rowsAfter: rows,
        cellsChanged: changed,
        before: await columnStats(db, chain.current, col),
        after: await columnStats(db, next, col),
        params: { percentile: p, lowerPercentile: lo, caps, exemptPromoWeeks: exempt },
        changes: toChanges(changes),
      });
    }
    chain.advance(next, work);
  }
  await chain.finish();
  return { lineage: out, flagged };
}

type Caps = { key?: string; upper: number | null; lower: number | null }[];

async function capsOf(ctx: CleanContext, work: string): Promise<Caps> {
  const caps = await ctx.db.query<{ key: string; hi: number | null; lo: number | null }>(`SELECT DISTINCT __key AS key, __hi AS hi, __lo AS lo FROM ${ident(work)} ORDER BY key`);
  return caps.map((c) => ({ ...(c.key ? { key: c.key } : {}), upper: c.hi === null ? null : Number(c.hi), lower: c.lo === null ? null : Number(c.lo) }));
}

function capText(caps: Caps): string {
  return caps.length === 1 ? (caps[0]!.upper === null ? 'none' : formatNumber(caps[0]!.upper, 6)) : `per key (${caps.length})`;
}

const weekName = (w: FlaggedWeek) => `${w.date}${w.key ? ` [${w.key}]` : ''}`;
const zText = (z: number | null) => (z === null ? '' : ` (robust z ${formatNumber(z, 3)})`);

/** Why a flagged week is exempt, in words: `promotion week ("events" = event2)`, `spend burst of tv (robust z 6.01)`. */
export function exemptionText(w: FlaggedWeek): string {
  return w.exemptions.map((e) => (e.kind === 'promo' ? `promotion week (${e.reason})` : `spend burst of ${e.channel}${zText(e.robustZ)}`)).join(' and ');
}

/** The KPI's lineage entry: always in `flagged` mode (saying why nothing was capped), when anything happened in `percentile` mode. */
async function kpiEntry(ctx: CleanContext, work: string, before: string, after: string, flagged: FlaggedWeek[], rows: number): Promise<LineageEntry | null> {
  const { db, config, mapping } = ctx;
  const cfg = config.outliers;
  const col = mapping.kpi;
  const x = ident(col);
  const p = cfg.column_percentiles[col] ?? cfg.winsorize_percentile;
  const lo = cfg.lower_percentile;
  const rule = ctx.outliers.rule;
  const ruleText = rule.outlier_method === 'iqr' ? `outside ${rule.iqr_multiplier} x IQR` : `robust z beyond ${rule.robust_z_threshold}`;
  const capped = flagged.filter((w) => w.status === 'capped');
  const exempt = flagged.filter((w) => w.status === 'exempt');
  const inside = flagged.filter((w) => w.status === 'inside_cap');
  const [cnt] = await db.query<{ promo: number }>(`SELECT CAST(count(*) FILTER (WHERE __event IS NOT NULL AND __beyond AND NOT __cap) AS INTEGER) AS promo FROM ${ident(work)}`);
  const exemptPromoWeeks = cfg.exempt_promo_periods ? Number(cnt?.promo ?? 0) : 0;
  const requestedWeeks = new Set(flagged.filter((w) => w.requested === 'cap_weeks').map((w) => `${w.date}|${w.key ?? ''}`));
  const unmatched = cfg.cap_weeks.filter((c) => (typeof c === 'string' ? ![...requestedWeeks].some((k) => k.startsWith(`${c}|`)) : !requestedWeeks.has(`${c.date}|${c.key}`)));
  if (cfg.kpi_rule === 'percentile' && capped.length === 0 && exemptPromoWeeks === 0 && unmatched.length === 0) return null;
  const caps = await capsOf(ctx, work);
  const parts: string[] = [];
  if (cfg.kpi_rule === 'percentile') {
    parts.push(`Capped ${capped.length} week(s) of "${col}" at its ${p}th percentile (${capText(caps)})${lo !== null ? ` and floored at its ${lo}th` : ''} (kpi_rule percentile: every non-promotion week beyond it)`);
    if (exemptPromoWeeks) parts.push(`${exemptPromoWeeks} promotion week(s) beyond the cap left as they are`);
  } else if (capped.length) {
    const why = capped.map((w) => `${weekName(w)}${zText(w.robustZ)}${w.requested === 'cap_weeks' ? ', asked in cap_weeks' : w.requested === 'cap_all_flagged' && w.exemptions.length ? ', cap_all_flagged' : ''}`);
    parts.push(`Capped ${capped.length} week(s) of "${col}" at its ${p}th percentile${lo !== null ? ` (floored at its ${lo}th)` : ''}: outliers by the outlier check's rule (${ruleText}) beyond the cap, not exempt or asked to be capped: ${why.join(', ')}`);
  } else {
    parts.push(flagged.length === 0 ? `No week of "${col}" capped: no outlier weeks (${ruleText})` : `No week of "${col}" capped`);
  }
  if (cfg.kpi_rule === 'flagged') {
    if (exempt.length) parts.push(`${exempt.length} flagged week(s) exempt because ${exempt.map((w) => `${weekName(w)}: ${exemptionText(w)}`).join('; ')} (cap them with cleaning.outliers.cap_weeks or cap_all_flagged)`);
    if (inside.length) parts.push(`${inside.length} flagged week(s) not beyond the ${inside.some((w) => w.side === 'low') && lo === null ? 'cap (no lower cap is set)' : 'cap'}: ${inside.map(weekName).join(', ')}`);
  }
  if (unmatched.length) parts.push(`cap_weeks entries matching no week: ${unmatched.map((c) => (typeof c === 'string' ? c : `${c.date} [${c.key}]`)).join(', ')}`);
  const changes = await db.query<{ date: string | null; key: string; before: number; after: number }>(
    `SELECT ${isoDate('__date')} AS date, __key AS key, ${x} AS before, __new AS after FROM ${ident(work)} WHERE __cap ORDER BY __key, __date LIMIT ${ctx.maxChanges}`,
  );
  return {
    step: 'winsorize',
    rule: cfg.kpi_rule === 'flagged' ? 'cap_flagged' : 'winsorize',
    column: col,
    detail: parts.join('; ') + '.',
    rowsBefore: rows,
    rowsAfter: rows,
    cellsChanged: capped.filter((w) => w.after !== w.value).length,
    before: await columnStats(db, before, col),
    after: await columnStats(db, after, col),
    params: {
      kpiRule: cfg.kpi_rule,
      method: rule.outlier_method,
      threshold: rule.outlier_method === 'iqr' ? rule.iqr_multiplier : rule.robust_z_threshold,
      percentile: p,
      lowerPercentile: lo,
      caps,
      exemptPromoWeeks,
      capWeeks: cfg.cap_weeks,
      capAllFlagged: cfg.cap_all_flagged,
      unmatchedCapWeeks: unmatched,
      flagged,
    },
    changes: toChanges(changes),
  };
}
