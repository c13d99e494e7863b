import type { CheckResult } from '../../core/check/result.ts';
import { nameSome, round } from './sql.ts';
import { dateFacts, keyFacts } from './table-facts.ts';
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
  const total = (await dateFacts(ctx)).length;
  // keys with at least one dated row, by distinct dates then label (the shared key facts' order)
  const keys = (await keyFacts(ctx)).keys
    .filter((k) => k.dates > 0)
    .map((k) => ({ key: k.label, weeks: k.dates, missingWeeks: total - k.dates, missingPct: round((100 * (total - k.dates)) / total, 2)! }));
  const flagged = keys.filter((k) => k.weeks < cfg.min_weeks_required || k.missingPct > cfg.max_missing_weeks_pct);
  const evidence = { keyColumns: ctx.mapping.keys, keys: keys.length, totalWeeks: keys.length ? total : 0, flagged: flagged.slice(0, ctx.options.maxNamed), worst: keys.slice(0, ctx.options.maxNamed) };
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
