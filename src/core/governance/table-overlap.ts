import type { WeeklyTable } from './canonical.ts';

/** Tolerance under which two values of a column count as the same (governance.data). */
export interface ValueTolerance {
  backfill_rel_tolerance: number;
  backfill_abs_tolerance: number;
}

/** Did a value change beyond |new - old| > rel |old| + abs? A value appearing or vanishing (NaN) is a change. */
export function valueChanged(a: number, b: number, th: ValueTolerance): boolean {
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  if (na || nb) return na !== nb;
  return Math.abs(b - a) > th.backfill_rel_tolerance * Math.abs(a) + th.backfill_abs_tolerance;
}

/** Row pairs (previous index, current index) of the dates in both tables, in current date order. */
export function overlapRows(prev: WeeklyTable, cur: WeeklyTable): [number, number][] {
  const at = new Map(prev.dates.map((d, i) => [d, i]));
  const out: [number, number][] = [];
  cur.dates.forEach((d, j) => {
    const i = at.get(d);
    if (i !== undefined) out.push([i, j]);
  });
  return out;
}

/**
 * Are two series the same on the overlapping weeks? Returns the number of weeks matched, or 0
 * when any week differs or when the series is too uninformative to call it a match (constant,
 * e.g. all zero, or fewer than max(4, half the overlap) present values).
 */
export function sameSeries(a: Float64Array, b: Float64Array, rows: readonly [number, number][], th: ValueTolerance): number {
  let matched = 0;
  const seen = new Set<number>();
  for (const [i, j] of rows) {
    if (valueChanged(a[i]!, b[j]!, th)) return 0;
    if (!Number.isNaN(a[i]!)) {
      matched++;
      if (seen.size < 2) seen.add(a[i]!);
    }
  }
  return seen.size >= 2 && matched >= Math.max(4, rows.length / 2) ? matched : 0;
}

/**
 * Refuses a table governance cannot compare, naming it: a column whose length differs from the
 * dates, or dates that are not ISO (YYYY-MM-DD), strictly ascending and unique.
 * @param which `previous` or `current`, for the message
 */
export function assertWeeklyTable(t: WeeklyTable, which: string): void {
  const n = t.dates.length;
  for (const [name, col] of Object.entries(t.columns)) {
    if (col.length !== n) throw new Error(`${which} table: column "${name}" has ${col.length} values for ${n} dates; pass the cleaned table with one value per week`);
  }
  for (let i = 0; i < n; i++) {
    const d = t.dates[i]!;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new Error(`${which} table: date ${JSON.stringify(d)} in row ${i + 1} is not YYYY-MM-DD`);
    if (i > 0 && d <= t.dates[i - 1]!) throw new Error(`${which} table: dates must be unique and ascending, but row ${i + 1} (${d}) follows ${t.dates[i - 1]}`);
  }
}
