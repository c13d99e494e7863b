import { quantileSorted } from '../diagnostics/quantile.ts';
import type { DrawTable } from '../model/draws.ts';

/** One channel's ROI posterior: mean and the 5/25/50/75/95% quantiles (R type 7), ROI unit (KPI per unit of spend). */
export interface RoiInterval {
  channel: string;
  mean: number;
  /** 90% interval: q05 .. q95; 50% interval: q25 .. q75. */
  q05: number;
  q25: number;
  q50: number;
  q75: number;
  q95: number;
  /** Draws pooled over chains (> 0). */
  draws: number;
}

/**
 * ROI per channel from a fit's draw tables (the `roi[channel]` columns), all chains pooled.
 * @param tables per chain; every table has the same `names`
 * @param channels channel names, output order; a channel without a `roi[..]` column throws
 * @throws when a channel has no ROI column or there are no draws
 */
export function roiIntervals(tables: readonly DrawTable[], channels: readonly string[]): RoiInterval[] {
  const names = tables[0]?.names ?? [];
  const total = tables.reduce((s, t) => s + t.nDraws, 0);
  if (total === 0) throw new Error('The fit has no draws: ROI intervals need at least one.');
  return channels.map((channel) => {
    const p = names.indexOf(`roi[${channel}]`);
    if (p < 0) throw new Error(`The fit has no ROI column for channel '${channel}' (columns: ${names.filter((n) => n.startsWith('roi[')).join(', ') || 'none'}).`);
    const col = new Float64Array(total);
    let i = 0;
    let sum = 0;
    for (const t of tables) {
      const w = t.names.length;
      for (let d = 0; d < t.nDraws; d++) {
        const v = t.values[d * w + p]!;
        col[i++] = v;
        sum += v;
      }
    }
    col.sort();
    const q = (x: number) => quantileSorted(col, x);
    return { channel, mean: sum / total, q05: q(0.05), q25: q(0.25), q50: q(0.5), q75: q(0.75), q95: q(0.95), draws: total };
  });
}
