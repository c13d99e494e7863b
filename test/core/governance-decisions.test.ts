import { describe, expect, it } from 'vitest';
import { csvCell, decisionEntrySchema, decisionsFromJson, decisionsToCsv, decisionsToJson, evaluateFollowUp, recordOutcome, type DecisionEntry } from '../../src/core/governance/decision-log.ts';
import { headRows, readRobyn } from './governance-fixtures.ts';

const { table: FULL } = readRobyn();
const WINDOW = ['2019-09-02', '2019-09-09', '2019-09-16', '2019-09-23', '2019-09-30'];
const REALISED = WINDOW.map((d) => FULL.columns.revenue![FULL.dates.indexOf(d)]!).reduce((a, b) => a + b, 0);

function entry(low: number, high: number): DecisionEntry {
  return decisionEntrySchema.parse({
    id: 'd-1',
    runId: 'run-2019-06',
    scenarioId: 'plan-3',
    scenario: 'Move 10% of TV to search',
    decision: 'Shift 10% of TV budget to search for Q3',
    owner: 'Head of growth',
    date: '2019-06-03',
    expected: { kpi: 'revenue', aggregate: 'sum', low, high, assumptions: 'competitor spend flat; no price change' },
    constraints: 'TV contract minimum 60%',
    risks: 'search saturation above 40k/week',
    followUp: { date: '2019-10-07', windowStart: '2019-09-02', windowEnd: '2019-09-30' },
  });
}

describe('decision log follow-up', () => {
  it('is pending until a later run covers the window, then hit or miss against the expected range', () => {
    expect(WINDOW.every((d) => FULL.dates.includes(d))).toBe(true);
    const e = entry(0.9 * REALISED, 1.1 * REALISED);
    const early = evaluateFollowUp(e, headRows(FULL, 180)); // ends 2019-04-29
    expect(early).toMatchObject({ status: 'pending', coveredWeeks: 0, neededWeeks: 5 });
    expect(early.realised).toBeNaN();
    expect(recordOutcome(e, early, 'run-2019-05', new Date())).toBe(e);
    const hit = evaluateFollowUp(e, FULL);
    expect(hit).toMatchObject({ status: 'hit', coveredWeeks: 5, neededWeeks: 5 });
    expect(hit.realised).toBeCloseTo(REALISED, 6);
    const done = recordOutcome(e, hit, 'run-2019-11', new Date('2019-11-18T09:00:00Z'));
    expect(done.outcome).toEqual({ status: 'hit', realised: hit.realised, weeks: 5, checkedAt: '2019-11-18T09:00:00.000Z', runId: 'run-2019-11' });
    const miss = evaluateFollowUp(entry(1.1 * REALISED, 1.3 * REALISED), FULL);
    expect(miss.status).toBe('miss');
    expect(miss.detail).toContain('below the expected range');
    // a gap in the window keeps it pending rather than judging on 4 of 5 weeks
    const gap = { dates: FULL.dates, columns: { revenue: FULL.columns.revenue!.slice() } };
    gap.columns.revenue[FULL.dates.indexOf('2019-09-16')] = NaN;
    expect(evaluateFollowUp(e, gap)).toMatchObject({ status: 'pending', coveredWeeks: 4 });
  });

  it('validates entries with clear messages', () => {
    const bad = decisionEntrySchema.safeParse({ ...entry(1, 2), expected: { kpi: 'revenue', aggregate: 'sum', low: 5, high: 2, assumptions: '' }, date: '2019-02-30x' });
    expect(bad.success).toBe(false);
    const msgs = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs).toContain('date: expected a date as YYYY-MM-DD');
    expect(msgs).toContain('expected.high: expected.low must not exceed expected.high');
  });
});

describe('decision log export', () => {
  it('CSV quotes commas, quotes and newlines and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"\nbye')).toBe('"say ""hi""\nbye"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell(-5)).toBe('-5');
    const e = recordOutcome(entry(1, 2), evaluateFollowUp(entry(1, 2), FULL), 'run-2019-11', new Date('2019-11-18T09:00:00Z'));
    const csv = decisionsToCsv([e, entry(1, 2)]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('id,date,decision,owner,run_id,scenario_id,scenario,expected_kpi,expected_aggregate,expected_low,expected_high,assumptions,constraints,risks,follow_up_date,window_start,window_end,outcome,realised,checked_at,outcome_run_id');
    expect(lines[1]).toContain(',miss,');
    expect(lines[1]).toContain(',competitor spend flat; no price change,');
    expect(lines[2]!.endsWith(',pending,,,')).toBe(true);
  });

  it('JSON round-trips and refuses hostile or invalid logs', () => {
    const list = [entry(1, 2), recordOutcome(entry(1, 2), evaluateFollowUp(entry(1, 2), FULL), 'r', new Date('2019-11-18T00:00:00Z'))];
    expect(decisionsFromJson(decisionsToJson(list))).toEqual(list);
    expect(() => decisionsFromJson('{"version":1,"decisions":[{"__proto__":{}}]}')).toThrow('the key "__proto__" is not allowed');
    expect(() => decisionsFromJson('{"version":1,"decisions":[{"id":"x"}]}')).toThrow(/decisions\.0\.runId/);
    expect(() => decisionsFromJson('not json')).toThrow('the decision log is not valid JSON');
  });
});
