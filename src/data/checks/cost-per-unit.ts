import type { CheckResult } from '../../core/check/result.ts';
import { based, isoDate, nameSome, num, round } from './sql.ts';
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
  for (const c of withExposure) {
    const s = num(c.spend);
    const e = num(c.exposure);
    const rows = await ctx.db.query<{ date: string | null; key: string; cpu: number | null; ratio: number | null; problem: string; med: number | null }>(
      `WITH v AS (SELECT __row, __date, __key, ${s} AS s, ${e} AS e FROM ${based(ctx)} b),
            m AS (SELECT median(s / e) FILTER (WHERE s > 0 AND e > 0) AS med FROM v),
            f AS (SELECT v.*, m.med, CASE WHEN s > 0 AND e > 0 THEN s / e END AS cpu FROM v, m)
       SELECT ${isoDate('__date')} AS date, __key AS key, cpu, cpu / med AS ratio, med,
              CASE WHEN s > 0 AND e = 0 THEN 'spend without exposure' WHEN s = 0 AND e > 0 THEN 'exposure without spend'
                   WHEN cpu / med > ${t} THEN 'cost per unit too high' ELSE 'cost per unit too low' END AS problem
       FROM f WHERE (s > 0 AND e = 0) OR (s = 0 AND e > 0) OR (med > 0 AND (cpu / med > ${t} OR cpu / med < ${1 / t}))
       ORDER BY __date, __key`,
    );
    const [m] = await ctx.db.query<{ med: number | null }>(`SELECT median(${s} / ${e}) FILTER (WHERE ${s} > 0 AND ${e} > 0) AS med FROM ${based(ctx)} b`);
    const mismatch = rows.filter((r) => r.problem.includes('without'));
    channels.push({
      channel: c.name,
      medianCostPerUnit: round(m?.med ?? null, 8),
      offWeeks: rows.length - mismatch.length,
      mismatchWeeks: mismatch.length,
      weeks: rows.slice(0, ctx.options.maxNamed).map((r) => ({ date: r.date, ...(r.key ? { key: r.key } : {}), costPerUnit: round(r.cpu, 8), ratio: round(r.ratio, 3), problem: r.problem })),
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
        .map((c) => `${c.channel}: ${c.offWeeks} week(s) outside x${t} of the median, ${c.mismatchWeeks} with spend or exposure alone: ${nameSome(c.weeks.map((w) => `${w.date} (${w.problem}${w.ratio !== null ? `, x${w.ratio}` : ''})`), 4)}`)
        .join('; ') + '.',
    evidence,
    fix: 'Check these weeks for tracking breaks, currency or unit changes, or rebates; cleaning can impute spend from exposure x median cost per unit.',
  };
}
