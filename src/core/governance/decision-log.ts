import { z } from 'zod';
import type { WeeklyTable } from './canonical.ts';

/*
 * The decision log (section E): what was decided on which run and scenario, by whom, with the
 * expected range; at the follow-up, a later run's data says whether the outcome landed in it.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD').refine((s) => !Number.isNaN(Date.parse(s)), 'expected a real calendar date');
const text = (what: string, max = 2000) => z.string().max(max, `${what}: at most ${max} characters`);

/** One decision log entry; `outcome` is filled at the follow-up. */
export const decisionEntrySchema = z
  .object({
    id: z.string().min(1).max(100),
    /** The run whose results informed the decision. */
    runId: z.string().min(1),
    /** The plan/scenario selected (its id in the run bundle's plans). */
    scenarioId: z.string().min(1),
    /** The scenario's human name. */
    scenario: text('scenario', 200),
    decision: text('decision').min(1, 'decision: say what was decided'),
    owner: text('owner', 200).min(1, 'owner: name who decided'),
    date: isoDate,
    /** Expected outcome over the follow-up window: the KPI column aggregated over its weeks. */
    expected: z
      .object({
        kpi: z.string().min(1),
        aggregate: z.enum(['sum', 'mean']),
        low: z.number(),
        high: z.number(),
        assumptions: text('assumptions'),
      })
      .strict()
      .refine((e) => e.low <= e.high, { message: 'expected.low must not exceed expected.high', path: ['high'] }),
    constraints: text('constraints').default(''),
    risks: text('risks').default(''),
    followUp: z
      .object({ date: isoDate, windowStart: isoDate, windowEnd: isoDate })
      .strict()
      .refine((w) => w.windowStart <= w.windowEnd, { message: 'the follow-up window must start before it ends', path: ['windowEnd'] }),
    outcome: z
      .object({ status: z.enum(['hit', 'miss']), realised: z.number(), weeks: z.number().int().positive(), checkedAt: z.string(), runId: z.string().min(1) })
      .strict()
      .optional(),
  })
  .strict();

/** A validated decision log entry. */
export type DecisionEntry = z.infer<typeof decisionEntrySchema>;

/** The follow-up of one decision against a later run's data. */
export interface FollowUpResult {
  /** pending: the data does not cover the window yet (or has gaps in it). */
  status: 'pending' | 'hit' | 'miss';
  /** Weeks of the window present with a finite KPI value. */
  coveredWeeks: number;
  /** Weeks the window spans. */
  neededWeeks: number;
  /** The KPI aggregated over the window (NaN while pending). */
  realised: number;
  detail: string;
}

const DAY_MS = 86_400_000;

/**
 * Compares a decision's expected range with the realised KPI over its follow-up window.
 * @param table a later run's cleaned weekly table (must hold entry.expected.kpi)
 */
export function evaluateFollowUp(entry: DecisionEntry, table: WeeklyTable): FollowUpResult {
  const { kpi, aggregate, low, high } = entry.expected;
  const { windowStart, windowEnd } = entry.followUp;
  const needed = Math.floor((Date.parse(windowEnd) - Date.parse(windowStart)) / (7 * DAY_MS)) + 1;
  const col = table.columns[kpi];
  if (!col) return { status: 'pending', coveredWeeks: 0, neededWeeks: needed, realised: NaN, detail: `the later data has no column ${kpi}: the outcome cannot be measured until it is mapped` };
  let sum = 0;
  let n = 0;
  table.dates.forEach((d, i) => {
    if (d >= windowStart && d <= windowEnd && Number.isFinite(col[i]!)) {
      sum += col[i]!;
      n++;
    }
  });
  if (n < needed) return { status: 'pending', coveredWeeks: n, neededWeeks: needed, realised: NaN, detail: `${n} of ${needed} weeks from ${windowStart} to ${windowEnd} have ${kpi} data` };
  const realised = aggregate === 'sum' ? sum : sum / n;
  const hit = realised >= low && realised <= high;
  return {
    status: hit ? 'hit' : 'miss',
    coveredWeeks: n,
    neededWeeks: needed,
    realised,
    detail: `${aggregate} of ${kpi} over ${windowStart} to ${windowEnd} (${n} weeks) is ${realised}, ${hit ? 'inside' : realised < low ? 'below' : 'above'} the expected range ${low} to ${high}`,
  };
}

/** The entry with its outcome recorded (unchanged while the follow-up is pending). */
export function recordOutcome(entry: DecisionEntry, result: FollowUpResult, laterRunId: string, checkedAt: Date): DecisionEntry {
  if (result.status === 'pending') return entry;
  return { ...entry, outcome: { status: result.status, realised: result.realised, weeks: result.coveredWeeks, checkedAt: checkedAt.toISOString(), runId: laterRunId } };
}

const CSV_COLUMNS = [
  ['id', (e) => e.id],
  ['date', (e) => e.date],
  ['decision', (e) => e.decision],
  ['owner', (e) => e.owner],
  ['run_id', (e) => e.runId],
  ['scenario_id', (e) => e.scenarioId],
  ['scenario', (e) => e.scenario],
  ['expected_kpi', (e) => e.expected.kpi],
  ['expected_aggregate', (e) => e.expected.aggregate],
  ['expected_low', (e) => e.expected.low],
  ['expected_high', (e) => e.expected.high],
  ['assumptions', (e) => e.expected.assumptions],
  ['constraints', (e) => e.constraints],
  ['risks', (e) => e.risks],
  ['follow_up_date', (e) => e.followUp.date],
  ['window_start', (e) => e.followUp.windowStart],
  ['window_end', (e) => e.followUp.windowEnd],
  ['outcome', (e) => e.outcome?.status ?? 'pending'],
  ['realised', (e) => e.outcome?.realised ?? ''],
  ['checked_at', (e) => e.outcome?.checkedAt ?? ''],
  ['outcome_run_id', (e) => e.outcome?.runId ?? ''],
] as const satisfies readonly (readonly [string, (e: DecisionEntry) => string | number])[];

/** One CSV cell: RFC 4180 quoting, and text starting with = + - @ prefixed by ' so a spreadsheet never runs it as a formula. */
export function csvCell(v: string | number): string {
  let s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  if (/[",\r\n]/.test(s)) s = `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** The log as CSV (header row, one row per entry, CRLF line ends). */
export function decisionsToCsv(entries: readonly DecisionEntry[]): string {
  const rows = [CSV_COLUMNS.map(([h]) => h).join(','), ...entries.map((e) => CSV_COLUMNS.map(([, get]) => csvCell(get(e))).join(','))];
  return `${rows.join('\r\n')}\r\n`;
}

/** The log as JSON: `{ "version": 1, "decisions": [...] }`, pretty-printed. */
export function decisionsToJson(entries: readonly DecisionEntry[]): string {
  return `${JSON.stringify({ version: 1, decisions: entries }, null, 2)}\n`;
}

/**
 * Reads an exported log back, every entry validated.
 * @throws Error naming the entry index and fields at fault
 */
export function decisionsFromJson(textIn: string): DecisionEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(textIn, (k, v: unknown) => {
      if (k === '__proto__' || k === 'constructor' || k === 'prototype') throw new Error(`the key "${k}" is not allowed in a decision log`);
      return v;
    });
  } catch (e) {
    throw new Error(`the decision log is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = z.object({ version: z.literal(1), decisions: z.array(decisionEntrySchema) }).strict().safeParse(raw);
  if (!parsed.success) {
    throw new Error(`the decision log is not valid: ${parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return parsed.data.decisions;
}
