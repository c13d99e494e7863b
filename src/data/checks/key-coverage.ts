import type { CheckResult } from '../../core/check/result.ts';
import { based, nameSome, round } from './sql.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.key_coverage`: with geo / product keys mapped, the weeks each key covers out of all the
 * weeks in the table. Warns naming keys below `coverage_frequency.min_weeks_required` or missing
 * more than `max_missing_weeks_pct` of the weeks; info for national data.
 */
export async function checkKeyCoverage(ctx: CheckContext): Promise<CheckResult> {
  const cfg = ctx.config.coverage_frequency;
  if (ctx.mapping.keys.length === 0) {
    return { id: 'data.key_coverage', severity: 'info', title: 'National data', detail: 'No geo or product keys are mapped.', evidence: { keys: 0 } };
  }
  const rows = await ctx.db.query<{ key: string; weeks: number; total: number }>(
    `WITH b AS (SELECT * FROM ${based(ctx)} x WHERE __date IS NOT NULL), t AS (SELECT count(DISTINCT __date) AS total FROM b)
     SELECT __key AS key, CAST(count(DISTINCT __date) AS INTEGER) AS weeks, CAST(any_value(t.total) AS INTEGER) AS total FROM b, t GROUP BY __key ORDER BY weeks, key`,
  );
  const keys = rows.map((r) => {
    const weeks = Number(r.weeks);
    const total = Number(r.total);
    return { key: r.key, weeks, missingWeeks: total - weeks, missingPct: round((100 * (total - weeks)) / total, 2)! };
  });
  const flagged = keys.filter((k) => k.weeks < cfg.min_weeks_required || k.missingPct > cfg.max_missing_weeks_pct);
  const evidence = { keyColumns: ctx.mapping.keys, keys: keys.length, totalWeeks: rows[0] ? Number(rows[0].total) : 0, flagged: flagged.slice(0, ctx.options.maxNamed), worst: keys.slice(0, ctx.options.maxNamed) };
  if (flagged.length === 0) {
    return { id: 'data.key_coverage', severity: 'info', title: `${keys.length} keys with full coverage`, detail: `Every ${ctx.mapping.keys.join(' / ')} covers the weeks of the table.`, evidence };
  }
  return {
    id: 'data.key_coverage',
    severity: 'warn',
    title: 'Keys with short or gappy history',
    detail: `${flagged.length} of ${keys.length} keys: ${nameSome(flagged.map((k) => `${k.key} (${k.weeks} weeks, ${k.missingPct}% missing)`), 5)}.`,
    evidence,
    fix: 'Filter these keys out in the grain settings, or fill their missing weeks (zero spend where nothing ran).',
  };
}
