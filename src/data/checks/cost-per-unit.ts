import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { dateOf, isoDate, keyExpr, nameSome, num, round } from './sql.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.cost_per_unit`: for channels with an exposure column, cost per unit = spend / exposure
 * (CPM x 1000, CPC) in weeks where both are > 0. Warns naming the weeks where it leaves
 * [median / t, median x t], t = `value_sanity.cost_per_unit_tolerance` (3), and weeks with
 * spend but no exposure or exposure but no spend (a tracking break on one side).
 */
export async function checkCostPerUnit(ctx: CheckContext): Promise<CheckResult> {
  const t = ctx.config.value_sanity.cost_per_unit_tolerance;
  const withExposure = ctx.mapping.channels.filter((c): c is typeof c & { exposure: string } => !!c.exposure);
  if (withExposure.length === 0) {
    return { id: 'data.cost_per_unit', severity: 'info', title: 'No exposure columns', detail: 'Cost per unit needs impressions or clicks next to spend.', evidence: { channels: 0 } };
  }
  const channels: {
    channel: string;
    medianCostPerUnit: number | null;
    offWeeks: number;
    mismatchWeeks: number;
    weeks: { date: string | null; key?: string; costPerUnit: number | null; ratio: number | null; problem: string }[];
  }[] = [];
  const m = ctx.mapping;
  const all = withExposure.map((_, i) => i);
  const cpu = (i: number) => `CASE WHEN __s${i} > 0 AND __e${i} > 0 THEN __s${i} / __e${i} END`;
  const off = (i: number) => `(__s${i} > 0 AND __e${i} = 0) OR (__s${i} = 0 AND __e${i} > 0) OR (__med${i} > 0 AND (${cpu(i)} / __med${i} > ${t} OR ${cpu(i)} / __med${i} < ${1 / t}))`;
  // One query for every channel: the medians in one scan, then the flagged rows with each
  // channel's counts and its first rows by date and key (labels built for flagged rows only).
  const rows = await ctx.db.query<{ c: number | null; date: string | null; key: string; cpu: number | null; ratio: number | null; problem: string; n: number; mismatch: number } & Record<string, number | null>>(
    `WITH v AS NOT MATERIALIZED (
       SELECT row_number() OVER () AS __row, ${dateOf(m.date)} AS __date, ${[...m.keys.map(ident), ...withExposure.flatMap((c, i) => [`${num(c.spend)} AS __s${i}`, `${num(c.exposure)} AS __e${i}`])].join(', ')} FROM ${ident(ctx.table)}),
     m AS MATERIALIZED (SELECT ${all.map((i) => `median(__s${i} / __e${i}) FILTER (WHERE __s${i} > 0 AND __e${i} > 0) AS __med${i}`).join(', ')} FROM v),
     f AS MATERIALIZED (SELECT * FROM v, m WHERE ${all.map((i) => `(${off(i)})`).join(' OR ')}),
     o AS (${all
       .map(
         (i) =>
           `SELECT ${i} AS __c, __row, __date, ${[...m.keys.map(ident), `${cpu(i)} AS __cpu`, `__med${i} AS __med`].join(', ')},
                   CASE WHEN __s${i} > 0 AND __e${i} = 0 THEN 'spend without exposure' WHEN __s${i} = 0 AND __e${i} > 0 THEN 'exposure without spend'
                        WHEN ${cpu(i)} / __med${i} > ${t} THEN 'cost per unit too high' ELSE 'cost per unit too low' END AS __problem
            FROM f WHERE ${off(i)}`,
       )
       .join(' UNION ALL ')}),
     k AS (SELECT *, ${keyExpr(m)} AS __key FROM o),
     r AS (SELECT __c AS c, __date, __row, ${isoDate('__date')} AS date, __key AS key, __cpu AS cpu, __cpu / __med AS ratio, __problem AS problem,
                  CAST(count(*) OVER (PARTITION BY __c) AS INTEGER) AS n,
                  CAST(count(*) FILTER (WHERE __problem LIKE '%without%') OVER (PARTITION BY __c) AS INTEGER) AS mismatch
           FROM k QUALIFY row_number() OVER (PARTITION BY __c ORDER BY __date, __key, __row) <= ${ctx.options.maxNamed})
     SELECT ${all.map((i) => `m.__med${i} AS med${i}`).join(', ')}, r.c, r.date, r.key, r.cpu, r.ratio, r.problem, r.n, r.mismatch
     FROM m LEFT JOIN r ON true ORDER BY r.c, r.__date, r.key, r.__row`,
  );
  for (const [i, c] of withExposure.entries()) {
    const mine = rows.filter((r) => r.c !== null && Number(r.c) === i);
    const n = mine.length ? Number(mine[0]!.n) : 0;
    const mismatch = mine.length ? Number(mine[0]!.mismatch) : 0;
    channels.push({
      channel: c.name,
      medianCostPerUnit: round(rows[0]?.[`med${i}`] ?? null, 8),
      offWeeks: n - mismatch,
      mismatchWeeks: mismatch,
      weeks: mine.map((r) => ({ date: r.date, ...(r.key ? { key: r.key } : {}), costPerUnit: round(r.cpu, 8), ratio: round(r.ratio, 3), problem: r.problem })),
    });
  }
  const flagged = channels.filter((c) => c.offWeeks + c.mismatchWeeks > 0);
  const evidence = { tolerance: t, channels };
  if (flagged.length === 0) {
    return {
      id: 'data.cost_per_unit',
      severity: 'info',
      title: 'Cost per unit is stable',
      detail: `Every week of ${channels.map((c) => c.channel).join(', ')} is within x${t} of its median cost per unit.`,
      evidence,
    };
  }
  return {
    id: 'data.cost_per_unit',
    severity: 'warn',
    title: 'Unstable cost per unit',
    detail:
      flagged
        .map((c) => `${c.channel}: ${c.offWeeks} week(s) outside x${t} of the median, ${c.mismatchWeeks} with spend or exposure alone: ${nameSome(c.weeks.map((w) => `${w.date ?? 'a row whose date does not parse'} (${w.problem}${w.ratio !== null ? `, x${w.ratio}` : ''})`), 4, c.offWeeks + c.mismatchWeeks)}`)
        .join('; ') + '.',
    evidence,
    fix: 'Check these weeks for tracking breaks, currency or unit changes, or rebates; cleaning can impute spend from exposure x median cost per unit.',
  };
}
