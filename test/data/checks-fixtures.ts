import type { Db } from '../../src/data/db.ts';
import { ident, literal } from '../../src/data/db.ts';
import type { CheckMapping } from '../../src/data/checks/types.ts';

/** ISO date of week i (0-based) counted from Monday 2020-01-06. */
export function week(i: number, start = '2020-01-06'): string {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 7 * i);
  return d.toISOString().slice(0, 10);
}

type Cell = number | string | null | boolean;

/** Creates (or replaces) a table from plain rows; every row has the same keys. */
export async function makeTable(db: Db, name: string, rows: Record<string, Cell>[]): Promise<void> {
  const cols = Object.keys(rows[0]!);
  const lit = (v: Cell) => (v === null ? 'NULL' : typeof v === 'number' ? (Number.isInteger(v) ? `${v}.0` : `${v}`) : typeof v === 'boolean' ? String(v) : literal(v));
  const values = rows.map((r) => `(${cols.map((c) => lit(r[c] ?? null)).join(', ')})`).join(',\n');
  await db.exec(`CREATE OR REPLACE TABLE ${ident(name)} AS SELECT * FROM (VALUES ${values}) v(${cols.map(ident).join(', ')})`);
}

/** A smooth deterministic wiggle in [0, 1] for week i (no randomness needed). */
export function wiggle(i: number, phase = 0): number {
  return 0.5 + 0.5 * Math.sin(1.7 * i + phase) * Math.cos(0.31 * i + 2 * phase);
}

/**
 * n healthy weeks: KPI `y`, channels `a` and `b` (spend; `b` with exposure `b_imp` at a constant
 * cost per unit of 0.01), control `c`. Override any cell via `patch(i, row)`.
 */
export function healthyRows(n: number, patch?: (i: number, row: Record<string, Cell>) => void): Record<string, Cell>[] {
  return Array.from({ length: n }, (_, i) => {
    const a = Math.round(100 + 80 * wiggle(i));
    const b = Math.round(50 + 40 * wiggle(i, 1.3));
    const row: Record<string, Cell> = { d: week(i), y: Math.round(1000 + 3 * a + 2 * b + 50 * wiggle(i, 2.1)), a, b, b_imp: b * 100, c: Math.round(10 * wiggle(i, 0.7) * 100) / 100 };
    patch?.(i, row);
    return row;
  });
}

/** Mapping of healthyRows. */
export const HEALTHY_MAPPING: CheckMapping = {
  date: 'd',
  kpi: 'y',
  channels: [
    { name: 'a', spend: 'a' },
    { name: 'b', spend: 'b', exposure: 'b_imp' },
  ],
  controls: ['c'],
  factors: [],
  keys: [],
};
