import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { num, round } from './sql.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.zero_spend`: share of weeks with zero spend per channel. Above
 * `identifiability.max_zero_spend_weeks_pct` (50%) warns: a flighted channel is measured from
 * few active weeks, so its effect is estimated with wide intervals. A channel that never spent
 * is `data.constant_columns`' business.
 */
export async function checkZeroSpend(ctx: CheckContext): Promise<CheckResult> {
  const ch = ctx.mapping.channels;
  const limit = ctx.config.identifiability.max_zero_spend_weeks_pct;
  if (ch.length === 0) return { id: 'data.zero_spend', severity: 'info', title: 'No channels mapped', detail: '', evidence: {} };
  const [row] = await ctx.db.query<Record<string, number>>(
    `SELECT ${ch.map((c, i) => `CAST(count(*) FILTER (WHERE ${num(c.spend)} = 0) AS INTEGER) AS z${i}, CAST(count(${num(c.spend)}) AS INTEGER) AS n${i}`).join(', ')} FROM ${ident(ctx.table)}`,
  );
  const channels = ch.map((c, i) => {
    const zero = Number(row?.[`z${i}`] ?? 0);
    const n = Number(row?.[`n${i}`] ?? 0);
    return { channel: c.name, zeroWeeks: zero, weeks: n, zeroPct: n ? round((100 * zero) / n, 2)! : 0 };
  });
  const flagged = channels.filter((c) => c.zeroPct > limit);
  const evidence = { channels, limitPct: limit };
  if (flagged.length === 0) {
    return { id: 'data.zero_spend', severity: 'info', title: 'Channels are active most weeks', detail: channels.map((c) => `${c.channel} ${c.zeroPct}% zero`).join(', ') + '.', evidence };
  }
  return {
    id: 'data.zero_spend',
    severity: 'warn',
    title: 'Channels with many zero-spend weeks',
    detail: flagged.map((c) => `${c.channel}: ${c.zeroWeeks} of ${c.weeks} weeks at zero (${c.zeroPct}%)`).join('; ') + `; warn above ${limit}%.`,
    evidence,
    fix: 'Expect wide intervals for these channels; a prior from a lift test (calibration) or more active weeks narrows them.',
  };
}
