import { describe, expect, it } from 'vitest';
import { syntheticResponseModel } from '../../src/core/synthetic/response-model.ts';
import { evaluateScenarios, parseScenarioCsv, scenarioCsvTemplate } from '../../src/core/optimizer/scenarios.ts';
import { optimizePlan } from '../../src/core/optimizer/plan.ts';

const m = syntheticResponseModel(
  [
    { name: 'tv', beta: 0.3, alpha: 0.6, K: 1, S: 1, scale: 100, weekly: 100 },
    { name: 'paid, search', beta: 0.15, alpha: 0.2, K: 0.5, S: 0.8, scale: 50, weekly: 80 },
  ],
  { D: 80 },
);

describe('scenarios', () => {
  it('the current plan as a scenario has zero delta; the recommended one reproduces the optimizer figures', async () => {
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const [cur, rec] = evaluateScenarios(m, [
      { name: 'current', spend: Array.from(m.current) },
      { name: 'recommended', spend: r.recommended },
    ]);
    expect(cur.vsCurrent.delta.mean).toBe(0);
    expect(cur.vsCurrent.probBeatsBase).toBe(0);
    expect(rec.vsCurrent.delta).toEqual(r.comparison.delta);
    expect(rec.vsCurrent.probBeatsBase).toBe(r.comparison.probBeatsBase);
    expect(rec.vsCurrent.delta.q05).toBeLessThanOrEqual(rec.vsCurrent.delta.q25);
    expect(rec.vsCurrent.delta.q75).toBeLessThanOrEqual(rec.vsCurrent.delta.q95);
  });

  it('more spend in every channel predicts more KPI in every draw', () => {
    const [up] = evaluateScenarios(m, [{ name: 'up', spend: Array.from(m.current, (v) => v * 1.5) }]);
    expect(up.vsCurrent.probBeatsBase).toBe(1);
    expect(up.vsCurrent.delta.q05).toBeGreaterThan(0);
  });

  it('CSV template round-trips, quoted names and columns in any order included', () => {
    const rows = [{ name: 'current', spend: [1300, 1040] }, { name: 'plan "B", bold', spend: [2000.5, 340] }];
    const csv = scenarioCsvTemplate(m.channels, rows);
    expect(csv.split('\n')[0]).toBe('scenario,tv,"paid, search"');
    expect(parseScenarioCsv(csv, m.channels)).toEqual(rows);
    expect(parseScenarioCsv('"paid, search",scenario,tv\r\n5,a,7\r\n', m.channels)).toEqual([{ name: 'a', spend: [7, 5] }]);
  });

  it('bad CSV gets a message naming the row and column', () => {
    const head = 'scenario,tv,"paid, search"\n';
    expect(() => parseScenarioCsv(head + 'a,12,abc\n', m.channels)).toThrow(/Row 2, column "paid, search": "abc" is not a spend/);
    expect(() => parseScenarioCsv(head + 'a,12,-3\n', m.channels)).toThrow(/Row 2, column "paid, search"/);
    expect(() => parseScenarioCsv(head + 'a,1,2\na,3,4\n', m.channels)).toThrow(/Row 3: scenario name "a" is used twice/);
    expect(() => parseScenarioCsv('scenario,tv,radio\nx,1,2\n', m.channels)).toThrow(/"radio" in row 1 is not a channel/);
    expect(() => parseScenarioCsv('scenario,tv\nx,1\n', m.channels)).toThrow(/lacks a column for "paid, search"/);
    expect(() => parseScenarioCsv('tv,"paid, search"\n1,2\n', m.channels)).toThrow(/no "scenario" column/);
    expect(() => evaluateScenarios(m, [{ name: 'short', spend: [1] }])).toThrow(/"short" has 1 spends/);
  });
});
