import type { CheckResult, Severity } from '../../core/check/result.ts';
import { nameSome, round } from './sql.ts';
import { dateFacts, periodUnit } from './table-facts.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.coverage`: distinct weeks of history and missing weeks between the first and last date.
 * Blocks below `min_weeks_required` (52) or above `block_missing_weeks_pct` (20%) missing;
 * warns below `preferred_weeks` (104) or above `max_missing_weeks_pct` (2%).
 * Missing weeks = sum over consecutive dates of round(gap days / 7) - 1.
 */
export async function checkCoverage(ctx: CheckContext): Promise<CheckResult> {
  const cfg = ctx.config.coverage_frequency;
  // consecutive distinct dates, as SQL's lead() over the sorted distinct dates would pair them
  const dates = await dateFacts(ctx);
  const gaps: { after: string; before: string; missing: number }[] = [];
  for (let i = 1; i < dates.length; i++) {
    const steps = Math.round((dates[i]!.day - dates[i - 1]!.day) / 7);
    if (steps > 1) gaps.push({ after: dates[i - 1]!.iso, before: dates[i]!.iso, missing: steps - 1 });
  }
  const span = { weeks: dates.length, first: dates[0]?.iso ?? null, last: dates.at(-1)?.iso ?? null };
  const weeks = Number(span?.weeks ?? 0);
  const missingWeeks = gaps.reduce((s, g) => s + Number(g.missing), 0);
  const missingPct = weeks + missingWeeks > 0 ? (100 * missingWeeks) / (weeks + missingWeeks) : 0;
  const evidence = {
    weeks,
    first: span?.first ?? null,
    last: span?.last ?? null,
    missingWeeks,
    missingPct: round(missingPct, 2),
    gaps: gaps.slice(0, ctx.options.maxNamed).map((g) => ({ after: g.after, before: g.before, missingWeeks: Number(g.missing) })),
    thresholds: { ...cfg },
  };
  const unit = periodUnit(dates);
  if (unit !== 'week') {
    // Counting monthly dates as weeks says "36 weeks, 74% missing": name the grain instead (data.periods blocks on it).
    return {
      id: 'data.coverage',
      severity: 'block',
      title: `${weeks} ${unit}s of history, not weeks`,
      detail: `${weeks} dates from ${evidence.first} to ${evidence.last}, ${unit === 'period' ? 'spaced more than a week apart' : `one per ${unit}`}: the model needs at least ${cfg.min_weeks_required} weekly rows (${cfg.preferred_weeks} preferred).`,
      evidence: { ...evidence, unit, missingWeeks: null, missingPct: null, gaps: [] },
      fix: `Export the data by week: at least ${cfg.min_weeks_required} consecutive weeks.`,
    };
  }
  let severity: Severity = 'info';
  const why: string[] = [];
  if (weeks < cfg.min_weeks_required) {
    severity = 'block';
    why.push(`${weeks} weeks is below the required ${cfg.min_weeks_required}`);
  } else if (weeks < cfg.preferred_weeks) {
    severity = 'warn';
    why.push(`${weeks} weeks is below the preferred ${cfg.preferred_weeks} (two years separate seasonality from media)`);
  }
  if (missingPct > cfg.block_missing_weeks_pct) {
    severity = 'block';
    why.push(`${round(missingPct, 1)}% of weeks are missing (block above ${cfg.block_missing_weeks_pct}%)`);
  } else if (missingPct > cfg.max_missing_weeks_pct) {
    if (severity === 'info') severity = 'warn';
    why.push(`${round(missingPct, 1)}% of weeks are missing (warn above ${cfg.max_missing_weeks_pct}%)`);
  }
  const gapText = gaps.length ? ` Gaps after: ${nameSome(gaps.map((g) => `${g.after} (${g.missing} wk)`), 5)}.` : '';
  if (severity === 'info') {
    return {
      id: 'data.coverage',
      severity,
      title: `${weeks} weeks of history`,
      detail: `${weeks} weeks from ${evidence.first} to ${evidence.last}, ${missingWeeks} missing.${gapText}`,
      evidence,
    };
  }
  return {
    id: 'data.coverage',
    severity,
    title: severity === 'block' ? 'Not enough weekly history to fit' : 'Short or gappy weekly history',
    detail: `${why.join('; ')}.${gapText}`,
    evidence,
    fix:
      severity === 'block'
        ? `Provide at least ${cfg.min_weeks_required} consecutive weeks (${cfg.preferred_weeks} preferred) and fill the missing weeks.`
        : 'Add more history if you have it, and fill missing weeks (zero spend where nothing ran).',
  };
}
