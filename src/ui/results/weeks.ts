/** The x values of a weekly chart: dates when the weeks are known, else week numbers 1..N. */
export interface WeekAxis {
  values: (Date | number)[];
  /** axis label */ label: string;
  /** a week as a table cell: ISO date or its number */ cell(t: number): string | number;
}

/**
 * Weeks of a fit as chart x values.
 * @param dates ISO `YYYY-MM-DD` week starts [N], or null
 */
export function weekAxis(dates: readonly string[] | null, N: number): WeekAxis {
  if (dates && dates.length === N) {
    return { values: dates.map((d) => new Date(`${d}T00:00:00Z`)), label: 'week starting', cell: (t) => dates[t] };
  }
  return { values: Array.from({ length: N }, (_, t) => t + 1), label: 'week', cell: (t) => t + 1 };
}

/** Characters of the longest label, for a left margin that fits ordinal tick labels (~6 px each). */
export function marginFor(labels: readonly string[], min = 40): number {
  return Math.max(min, 12 + 6 * Math.max(0, ...labels.map((l) => l.length)));
}

/**
 * The x axis of a weekly chart. Plot writes dates as two-line ticks (month over year), so the
 * axis label goes below them, where the last tick cannot run into it.
 */
export function weekX(weeks: WeekAxis): { x: { label: string; type: 'utc' | 'linear'; labelOffset?: number }; marginBottom: number } {
  return weeks.values[0] instanceof Date
    ? { x: { label: weeks.label, type: 'utc', labelOffset: 44 }, marginBottom: 50 }
    : { x: { label: weeks.label, type: 'linear' }, marginBottom: 32 };
}
