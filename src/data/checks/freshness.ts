import type { CheckResult } from '../../core/check/result.ts';
import { literal } from '../db.ts';
import { dateFacts } from './table-facts.ts';
import type { CheckContext } from './types.ts';

/**
 * `data.freshness`: days from the last week start to `options.now` (the caller's date; checks
 * never read the wall clock). Above `freshness.max_age_days` (35) warns: the model describes an
 * old market. Without `now`, info "not checked". A last date after `now` warns too.
 */
export async function checkFreshness(ctx: CheckContext): Promise<CheckResult> {
  const limit = ctx.config.freshness.max_age_days;
  const last = (await dateFacts(ctx)).at(-1)?.iso ?? null;
  if (!ctx.options.now || !last) {
    return { id: 'data.freshness', severity: 'info', title: 'Freshness not checked', detail: 'No reference date was given.', evidence: { last, now: ctx.options.now ?? null } };
  }
  const [a] = await ctx.db.query<{ age: number | null }>(
    `SELECT CAST(date_diff('day', DATE ${literal(last)}, TRY_CAST(${literal(ctx.options.now)} AS DATE)) AS INTEGER) AS age`,
  );
  const age = a?.age === null || a?.age === undefined ? null : Number(a.age);
  const evidence = { last, now: ctx.options.now, ageDays: age, maxAgeDays: limit };
  if (age === null) {
    return { id: 'data.freshness', severity: 'info', title: 'Freshness not checked', detail: `Reference date "${ctx.options.now}" is not a date.`, evidence };
  }
  if (age < 0) {
    return {
      id: 'data.freshness',
      severity: 'warn',
      title: 'Dates in the future',
      detail: `The last week starts ${last}, ${-age} days after ${ctx.options.now}.`,
      evidence,
      fix: 'Check the date column (a planned or forecast period may have been exported).',
    };
  }
  if (age > limit) {
    return {
      id: 'data.freshness',
      severity: 'warn',
      title: 'The data is stale',
      detail: `The last week starts ${last}, ${age} days before ${ctx.options.now} (warn above ${limit}).`,
      evidence,
      fix: 'Refresh the export so the model reflects the current market.',
    };
  }
  return { id: 'data.freshness', severity: 'info', title: 'The data is recent', detail: `The last week starts ${last}, ${age} days before ${ctx.options.now}.`, evidence };
}
