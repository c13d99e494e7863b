import type { CheckResult } from '../../core/check/result.ts';
import { ident } from '../db.ts';
import { num, round } from './sql.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.spend_share`: each channel's share of total spend over the whole history (info).
 * A channel below `identifiability.min_spend_share_pct` (1%) warns: its effect will be
 * indistinguishable from noise.
 */
export async function checkSpendShare(ctx: CheckContext): Promise<CheckResult> {
  const ch = ctx.mapping.channels;
  const limit = ctx.config.identifiability.min_spend_share_pct;
  if (ch.length === 0) return { id: 'data.spend_share', severity: 'info', title: 'No channels mapped', detail: '', evidence: {} };
  const [row] = await ctx.db.query<Record<string, number | null>>(
    `SELECT ${ch.map((c, i) => `sum(${num(c.spend)}) AS s${i}`).join(', ')} FROM ${ident(ctx.table)}`,
  );
  const sums = ch.map((_, i) => Number(row?.[`s${i}`] ?? 0));
  const total = sums.reduce((a, b) => a + b, 0);
  const channels = ch.map((c, i) => ({ channel: c.name, spend: round(sums[i]!, 2), sharePct: total > 0 ? round((100 * sums[i]!) / total, 2)! : 0 }));
  const small = channels.filter((c) => c.sharePct < limit);
  const evidence = { totalSpend: round(total, 2), channels, limitPct: limit };
  const shares = channels.map((c) => `${c.channel} ${c.sharePct}%`).join(', ');
  if (small.length === 0) {
    return { id: 'data.spend_share', severity: 'info', title: 'Spend share per channel', detail: `${shares}.`, evidence };
  }
  return {
    id: 'data.spend_share',
    severity: 'warn',
    title: 'Channels with a tiny share of spend',
    detail: `${small.map((c) => `${c.channel} (${c.sharePct}%)`).join(', ')} below ${limit}% of total spend. All: ${shares}.`,
    evidence,
    fix: 'Consider merging tiny channels into a related one; otherwise expect very wide intervals for them.',
  };
}
