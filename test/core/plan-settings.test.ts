import { describe, expect, it } from 'vitest';
import { syntheticResponseModel } from '../../src/core/synthetic/response-model.ts';
import { optimizePlan } from '../../src/core/optimizer/plan.ts';
import { evaluateScenarios } from '../../src/core/optimizer/scenarios.ts';
import { defaultPlanSettings, modelOptionsOf, noBounds, objectiveLabel, planRequestOf } from '../../src/core/optimizer/plan-settings.ts';
import { PLAN_CSV_COLUMNS, planCsv, planCsvRows, responseBands } from '../../src/core/optimizer/plan-report.ts';

const m = syntheticResponseModel(
  [
    { name: 'tv', beta: 0.3, alpha: 0.6, K: 1, S: 1, scale: 100, weekly: 100 },
    { name: 'search', beta: 0.15, alpha: 0.2, K: 0.5, S: 0.8, scale: 50, weekly: 80 },
    { name: 'radio', beta: 0.05, alpha: 0.3, K: 2, S: 2.5, scale: 40, weekly: 40 },
  ],
  { D: 80 },
);

describe('plan form -> optimizer request', () => {
  it('empty fields are no limits; percent fields become fractions; the level becomes a fraction', () => {
    const s = defaultPlanSettings();
    s.objective = 'cvar';
    s.levelPct = 10;
    s.bounds = { tv: { ...noBounds(), maxChange: 20, minShare: 10 }, search: { ...noBounds(), locked: true }, radio: noBounds() };
    const r = planRequestOf(s, m.channels);
    expect(r.mode).toEqual({ kind: 'fixedBudget', total: undefined });
    expect(r.objective).toEqual({ kind: 'cvar', level: 0.1 });
    expect(r.bounds).toEqual({ tv: { maxChange: 0.2, minShare: 0.1 }, search: { locked: true } });
    expect(r.draws).toBeUndefined();
    expect(objectiveLabel(r.objective!)).toBe('CVaR 10%');
    expect(objectiveLabel({ kind: 'quantile', level: 0.05 })).toBe('5% quantile');
  });

  it('bad fields get an error naming the field (and channel)', () => {
    const s = defaultPlanSettings();
    s.bounds = { radio: { ...noBounds(), maxShare: 140 } };
    expect(() => planRequestOf(s, m.channels)).toThrow(/radio: max share \(%\): "140" is not valid/);
    const t = defaultPlanSettings();
    t.mode = 'targetRoi';
    expect(() => planRequestOf(t, m.channels)).toThrow(/Target ROI: empty is not valid/);
    const p = defaultPlanSettings();
    p.metric = 'profit';
    p.revenuePerKpi = 2;
    expect(() => planRequestOf(p, m.channels)).toThrow(/profit needs the revenue per KPI unit and a margin/);
    const h = defaultPlanSettings();
    h.horizon = 0;
    expect(() => modelOptionsOf(h)).toThrow(/Horizon \(weeks\)/);
    h.horizon = 26;
    h.marginPct = 40;
    expect(modelOptionsOf(h)).toMatchObject({ horizon: 26, margin: 0.4 });
  });

  it('the form limits bind the optimizer: a locked channel keeps its spend, a 10% max change holds, the budget is spent', async () => {
    const s = defaultPlanSettings();
    s.budget = 1.1 * Array.from(m.current).reduce((a, b) => a + b, 0);
    s.bounds = { tv: { ...noBounds(), maxChange: 10 }, search: { ...noBounds(), locked: true } };
    const r = await optimizePlan(m, planRequestOf(s, m.channels));
    expect(r.recommended[1]).toBeCloseTo(m.current[1], 9);
    expect(r.recommended[0]).toBeLessThanOrEqual(1.1 * m.current[0] * (1 + 1e-9));
    expect(r.recommended[0]).toBeGreaterThanOrEqual(0.9 * m.current[0] * (1 - 1e-9));
    expect(r.recommended.reduce((a, b) => a + b, 0)).toBeCloseTo(s.budget, 6);
  });
});

describe('plan report', () => {
  it('response bands agree with the scenario evaluation at the current plan and rise with spend', () => {
    const bands = responseBands(m, 'kpi', undefined, [{ label: 'current', spend: m.current }], { draws: 1000 });
    const [cur] = evaluateScenarios(m, [{ name: 'current', spend: Array.from(m.current) }]);
    const sum = bands.reduce((s, b) => s + b.marks[0].value.mean, 0);
    expect(sum).toBeCloseTo(cur.vsCurrent.base.mean, 8);
    for (const b of bands) {
      expect(b.value[0].mean).toBeCloseTo(0, 12);
      expect(b.spend.at(-1)).toBeCloseTo(2 * m.current[m.channels.indexOf(b.channel)], 9);
      for (let g = 1; g < b.value.length; g++) expect(b.value[g].mean).toBeGreaterThan(b.value[g - 1].mean);
      const mid = b.value[12];
      expect(mid.q05).toBeLessThanOrEqual(mid.q25);
      expect(mid.q75).toBeLessThanOrEqual(mid.q95);
    }
  });

  it('plan CSV: one row per channel, totals equal to the sums, P(beats current), carryover parts apart', async () => {
    const r = await optimizePlan(m, { mode: { kind: 'fixedBudget' } });
    const rows = planCsvRows(r, 'expected');
    expect(rows.every((row) => row.length === PLAN_CSV_COLUMNS.length)).toBe(true);
    expect(rows.map((row) => row[0])).toEqual(['tv', 'search', 'radio', 'total', 'history_carryover', 'after_horizon']);
    const col = (name: (typeof PLAN_CSV_COLUMNS)[number]) => PLAN_CSV_COLUMNS.indexOf(name);
    const total = rows[3];
    expect(total[col('recommended_spend')]).toBeCloseTo(r.recommended.reduce((a, b) => a + b, 0), 9);
    expect(total[col('delta_mean')]).toBe(r.comparison.delta.mean);
    expect(total[col('prob_beats_current')]).toBe(r.comparison.probBeatsBase);
    expect(rows[5][col('value_mean')]).toBe(r.comparison.afterHorizon.mean);
    const csv = planCsv([{ label: 'expected', result: r }]);
    expect(csv.split(/\r?\n/)[0]).toBe(PLAN_CSV_COLUMNS.join(','));
  });
});
