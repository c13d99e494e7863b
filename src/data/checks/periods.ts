import type { CheckResult } from '../../core/check/result.ts';
import { nameSome } from './sql.ts';
import { dateFacts, medianStepDays, periodUnit } from './table-facts.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.periods`: the dates form a weekly grid. Blocks when the typical step between
 * consecutive dates is not 7 days (daily or monthly data must be aggregated at ingest);
 * warns naming the dates whose step is not a multiple of 7 days, and when week starts fall on
 * more than one weekday. Whole missing weeks are counted by `data.coverage`, duplicate dates by
 * `data.duplicates`.
 */
export async function checkPeriods(ctx: CheckContext): Promise<CheckResult> {
  const dates = await dateFacts(ctx);
  const steps = dates.slice(1).map((d, i) => ({ date: dates[i]!.iso, next: d.iso, days: d.day - dates[i]!.day }));
  // SQL mode() over the dated rows: the weekday with most rows, ties to the one seen first
  const byDay = new Map<string, { rows: number; firstRow: number }>();
  for (const d of dates) {
    const w = byDay.get(d.weekday);
    if (!w) byDay.set(d.weekday, { rows: d.rows, firstRow: d.firstRow });
    else {
      w.rows += d.rows;
      w.firstRow = Math.min(w.firstRow, d.firstRow);
    }
  }
  let mode: string | null = null;
  for (const [day, w] of byDay) {
    const best = mode === null ? null : byDay.get(mode)!;
    if (!best || w.rows > best.rows || (w.rows === best.rows && w.firstRow < best.firstRow)) mode = day;
  }
  const wd = { weekdays: byDay.size, mode };
  const medianStep = medianStepDays(dates);
  const irregular = steps.filter((s) => Number(s.days) % 7 !== 0);
  const evidence = {
    steps: steps.length,
    medianStepDays: medianStep,
    weekdays: Number(wd?.weekdays ?? 0),
    usualWeekday: wd?.mode ?? null,
    irregularCount: irregular.length,
    irregular: irregular.slice(0, ctx.options.maxNamed).map((s) => ({ date: s.date, next: s.next, days: Number(s.days) })),
  };
  if (medianStep !== null && medianStep !== 7) {
    const unit = periodUnit(dates);
    const coarse = medianStep > 7;
    const span = `${dates.length} dates from ${dates[0]!.iso} to ${dates.at(-1)!.iso}`;
    return {
      id: 'data.periods',
      severity: 'block',
      title: unit === 'month' || unit === 'quarter' ? `The data is ${unit}ly, not weekly` : 'The data is not weekly',
      detail: coarse
        ? `${span}${unit === 'period' ? '' : `, one per ${unit}`}: the typical step between dates is ${medianStep} days, not 7. The model is weekly, and ${unit === 'period' ? 'coarser' : `${unit}ly`} totals cannot be split into weeks without inventing the pattern inside each ${unit === 'period' ? 'period' : unit}.`
        : `${span}: the typical step between dates is ${medianStep} days, not 7.`,
      evidence: { ...evidence, unit },
      fix: coarse ? 'Export the data by week (one row per week, at least 52 weeks) from the source system.' : 'Choose weekly aggregation at ingest (daily rows are summed into weeks).',
    };
  }
  if (irregular.length > 0 || evidence.weekdays > 1) {
    const parts: string[] = [];
    if (irregular.length) parts.push(`${irregular.length} step(s) are not whole weeks: ${nameSome(irregular.map((s) => `${s.date} -> ${s.next} (${s.days} d)`), 5)}`);
    if (evidence.weekdays > 1) parts.push(`week starts fall on ${evidence.weekdays} different weekdays (mostly ${evidence.usualWeekday})`);
    return {
      id: 'data.periods',
      severity: 'warn',
      title: 'Irregular periods',
      detail: parts.join('; ') + '.',
      evidence,
      fix: 'Align every row to the same week start (e.g. Monday) before loading, or re-aggregate at ingest.',
    };
  }
  return {
    id: 'data.periods',
    severity: 'info',
    title: 'Regular weekly periods',
    detail: `Every step between dates is a whole number of weeks; week starts are on ${evidence.usualWeekday ?? 'n/a'}.`,
    evidence,
  };
}
