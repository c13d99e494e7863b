import type { CheckResult } from '../../core/check/result.ts';
import type { Db } from '../db.ts';
import { ident } from '../db.ts';
import { num, round } from './sql.ts';
import { once } from './table-facts.ts';
import type { CheckContext, CheckMapping } from './types.ts';

/**
 * Pearson correlation matrix of numeric columns over rows where all are present.
 * @returns [n][n], r in [-1, 1]; NaN where a column has zero variance.
 */
export async function correlationMatrix(db: Db, table: string, columns: readonly string[]): Promise<number[][]> {
  const n = columns.length;
  const r: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : NaN)));
  if (n < 2) return r;
  const pairs: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  const complete = columns.map((c) => `${num(c)} IS NOT NULL`).join(' AND ');
  const [row] = await db.query<Record<string, number | null>>(
    `SELECT ${pairs.map(([i, j]) => `corr(${num(columns[i]!)}, ${num(columns[j]!)}) AS c${i}_${j}`).join(', ')} FROM ${ident(table)} WHERE ${complete}`,
  );
  for (const [i, j] of pairs) {
    const v = row?.[`c${i}_${j}`];
    const x = v === null || v === undefined ? NaN : Number(v);
    r[i]![j] = x;
    r[j]![i] = x;
  }
  return r;
}

/** Columns of the VIF matrix: channel spend, then numeric controls. */
export function vifColumns(m: CheckMapping): { name: string; column: string }[] {
  return [...m.channels.map((c) => ({ name: c.name, column: c.spend })), ...m.controls.map((c) => ({ name: c, column: c }))];
}

/**
 * correlationMatrix of `columns`, once per run (ctx.memo). The channel matrix is read off the
 * VIF matrix (channels + controls) when both are computed over the same complete rows, which
 * holds when no control is empty where every channel is present: then one scan serves both.
 */
export function sharedCorrelation(ctx: CheckContext, columns: readonly string[]): Promise<number[][]> {
  const whole = (cols: readonly string[]) => once(ctx, `corr:${JSON.stringify(cols)}`, () => correlationMatrix(ctx.db, ctx.table, cols));
  const wide = vifColumns(ctx.mapping).map((c) => c.column);
  const at = columns.map((c) => wide.indexOf(c));
  if (!ctx.memo || wide.length === columns.length || at.some((i) => i < 0) || new Set(wide).size !== wide.length) return whole(columns);
  return once(ctx, `corr:${JSON.stringify(columns)}`, async () => {
    const complete = (cols: readonly string[]) => cols.map((c) => `${num(c)} IS NOT NULL`).join(' AND ');
    const [n] = await ctx.db.query<{ narrow: number; wide: number }>(
      `SELECT CAST(count(*) FILTER (WHERE ${complete(columns)}) AS DOUBLE) AS narrow, CAST(count(*) FILTER (WHERE ${complete(wide)}) AS DOUBLE) AS wide FROM ${ident(ctx.table)}`,
    );
    if (Number(n?.narrow) !== Number(n?.wide)) return correlationMatrix(ctx.db, ctx.table, columns);
    const r = await whole(wide);
    return at.map((i) => at.map((j) => r[i]![j]!));
  });
}

/**
 * `data.channel_correlation`: pairwise Pearson correlation of channel spend. |r| above
 * `identifiability.max_channel_correlation` (0.9) warns: the model cannot split credit between
 * channels that move together, so their separate ROIs are not identified.
 */
export async function checkChannelCorrelation(ctx: CheckContext): Promise<CheckResult> {
  const names = ctx.mapping.channels.map((c) => c.name);
  const limit = ctx.config.identifiability.max_channel_correlation;
  const r = await sharedCorrelation(ctx, ctx.mapping.channels.map((c) => c.spend));
  const pairs: { a: string; b: string; r: number | null }[] = [];
  for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) pairs.push({ a: names[i]!, b: names[j]!, r: round(r[i]![j]!, 4) });
  const flagged = pairs.filter((p) => p.r !== null && Math.abs(p.r) > limit);
  const maxAbs = pairs.reduce((mx, p) => (p.r !== null && Math.abs(p.r) > mx ? Math.abs(p.r) : mx), 0);
  const evidence = { limit, maxAbs: round(maxAbs, 4), pairs, flagged };
  if (flagged.length === 0) {
    return {
      id: 'data.channel_correlation',
      severity: 'info',
      title: 'Channels move independently enough',
      detail: `Largest |r| between two channels is ${round(maxAbs, 2)} (warn above ${limit}).`,
      evidence,
    };
  }
  return {
    id: 'data.channel_correlation',
    severity: 'warn',
    title: 'Channels that move together',
    detail: flagged.map((p) => `${p.a} ~ ${p.b}: r = ${round(p.r, 3)}`).join('; ') + `; warn above ${limit}.`,
    evidence,
    fix: 'Read these channels\' ROIs together, not separately; consider merging them, an informative prior from a lift test, or a planned test that moves one alone.',
  };
}
