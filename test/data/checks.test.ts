import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';
import { DATA_CHECKS, applyOverrides, runAllChecks, validationScore, type DataCheckId } from '../../src/data/checks/index.ts';
import type { CheckMapping, CheckOptions } from '../../src/data/checks/types.ts';
import { DEFAULT_VALIDATION_CONFIG, validationConfigSchema, type ValidationConfigInput } from '../../src/core/spec/config-validation.ts';
import type { CheckResult } from '../../src/core/check/result.ts';
import { HEALTHY_MAPPING, healthyRows, makeTable, week } from './checks-fixtures.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});
afterAll(async () => db.close());

/** Runs all checks and returns the result of one id. */
async function check(table: string, id: DataCheckId, mapping: CheckMapping = HEALTHY_MAPPING, cfg: ValidationConfigInput = {}, options: CheckOptions = {}): Promise<CheckResult> {
  const rep = await runAllChecks(db, table, mapping, validationConfigSchema.parse(cfg), options);
  const r = rep.results.find((x) => x.id === id);
  if (!r) throw new Error(`no result ${id}`);
  return r;
}

describe('healthy table', () => {
  it('passes every check (all info) and scores 1', async () => {
    await makeTable(db, 'healthy', healthyRows(120));
    const rep = await runAllChecks(db, 'healthy', HEALTHY_MAPPING, DEFAULT_VALIDATION_CONFIG, { now: week(121) });
    expect(rep.results.map((r) => r.id)).toEqual(Object.keys(DATA_CHECKS));
    expect(rep.results.filter((r) => r.severity !== 'info').map((r) => `${r.id}: ${r.detail}`)).toEqual([]);
    expect(rep.score).toBe(1);
    expect(rep.blocked).toBe(false);
  });
});

describe('columns and types', () => {
  it('blocks a mapped column that is missing, suggesting the case-insensitive match', async () => {
    await makeTable(db, 'cols', healthyRows(60));
    const rep = await runAllChecks(db, 'cols', { ...HEALTHY_MAPPING, kpi: 'Y' }, DEFAULT_VALIDATION_CONFIG);
    expect(rep.results.map((r) => r.id)).toEqual(['data.columns']);
    expect(rep.results[0]!.severity).toBe('block');
    expect(rep.results[0]!.detail).toContain('did you mean "y"');
    expect(rep.score).toBe(0);
  });
  it('blocks a column mapped in two roles', async () => {
    await makeTable(db, 'cols2', healthyRows(60));
    const r = await check('cols2', 'data.columns', { ...HEALTHY_MAPPING, controls: ['a'] });
    expect(r.severity).toBe('block');
    expect(r.evidence.doubled).toEqual([{ column: 'a', roles: ['spend', 'control'] }]);
  });
  it('names the rows whose KPI or date does not parse', async () => {
    await makeTable(db, 'types', healthyRows(60, (i, r) => {
      r.y = String(r.y);
      if (i === 4) r.y = '1.2k';
      if (i === 9) r.d = '2020-13-45';
    }));
    const r = await check('types', 'data.types');
    expect(r.severity).toBe('block');
    expect(r.evidence.problems).toEqual([
      { column: 'd', expected: 'date', count: 1, rows: [{ row: 10, value: '2020-13-45' }] },
      { column: 'y', expected: 'number', count: 1, rows: [{ row: 5, value: '1.2k' }] },
    ]);
  });
});

describe('coverage and periods', () => {
  it('blocks 40 weeks, warns 80, passes 104', async () => {
    for (const [n, sev] of [[40, 'block'], [80, 'warn'], [104, 'info']] as const) {
      await makeTable(db, 'cov', healthyRows(n));
      const r = await check('cov', 'data.coverage');
      expect(r.severity, `${n} weeks`).toBe(sev);
      expect(r.evidence.weeks).toBe(n);
    }
  });
  it('counts missing weeks and names the gap (3 of 113 weeks = 2.65% > 2% warns)', async () => {
    const rows = healthyRows(113).filter((_, i) => i < 50 || i > 52);
    await makeTable(db, 'gap', rows);
    const r = await check('gap', 'data.coverage');
    expect(r.severity).toBe('warn');
    expect(r.evidence).toMatchObject({ weeks: 110, missingWeeks: 3, missingPct: 2.65, gaps: [{ after: week(49), before: week(53), missingWeeks: 3 }] });
  });
  it('blocks daily data', async () => {
    const rows = healthyRows(400).map((r, i) => ({ ...r, d: new Date(Date.UTC(2020, 0, 6 + i)).toISOString().slice(0, 10) }));
    await makeTable(db, 'daily', rows);
    const r = await check('daily', 'data.periods');
    expect(r.severity).toBe('block');
    expect(r.evidence.medianStepDays).toBe(1);
  });
  it('warns and names a week start shifted by a day', async () => {
    await makeTable(db, 'shift', healthyRows(60, (i, r) => {
      if (i === 20) r.d = '2020-05-26'; // a Tuesday instead of Monday 2020-05-25
    }));
    const r = await check('shift', 'data.periods');
    expect(r.severity).toBe('warn');
    expect(r.evidence.irregular).toEqual([
      { date: week(19), next: '2020-05-26', days: 8 },
      { date: '2020-05-26', next: week(21), days: 6 },
    ]);
    expect(r.evidence.weekdays).toBe(2);
  });
});

describe('duplicates', () => {
  it('warns on exact copies and names the rows', async () => {
    const rows = healthyRows(60);
    rows.splice(11, 0, { ...rows[10]! });
    await makeTable(db, 'dup', rows);
    const r = await check('dup', 'data.duplicates');
    expect(r.severity).toBe('warn');
    expect(r.evidence).toMatchObject({ exactCopies: 1, conflictingPeriods: 0, exact: [{ date: week(10), rows: [11, 12] }] });
  });
  it('blocks conflicting rows for one week and names them', async () => {
    const rows = healthyRows(60);
    rows.push({ ...rows[30]!, a: 999 });
    await makeTable(db, 'dup2', rows);
    const r = await check('dup2', 'data.duplicates');
    expect(r.severity).toBe('block');
    expect(r.evidence.conflicting).toEqual([{ date: week(30), rows: [31, 61] }]);
    expect(r.detail).toContain(`${week(30)} rows 31+61`);
  });
});

describe('missing, negative and constant values', () => {
  it('warns on a spend gap, blocks a missing KPI or a spend column > 20% empty', async () => {
    await makeTable(db, 'miss', healthyRows(60, (i, r) => {
      if (i === 7) r.a = null;
    }));
    const r1 = await check('miss', 'data.missing_values');
    expect(r1.severity).toBe('warn');
    expect(r1.evidence.columns).toEqual([{ column: 'a', role: 'spend', missing: 1, pct: 1.67, weeks: [week(7)], severity: 'warn' }]);
    await makeTable(db, 'miss2', healthyRows(60, (i, r) => {
      if (i === 3) r.y = null;
      if (i % 4 === 0) r.b = null;
    }));
    const r2 = await check('miss2', 'data.missing_values');
    expect(r2.severity).toBe('block');
    expect((r2.evidence.columns as { column: string; severity: string; missing: number }[]).map((c) => [c.column, c.missing, c.severity])).toEqual([
      ['y', 1, 'block'],
      ['b', 15, 'block'],
    ]);
  });
  it('names negative and non-numeric spend rows', async () => {
    await makeTable(db, 'neg', healthyRows(60, (i, r) => {
      r.a = String(r.a);
      if (i === 4) r.a = '-25';
      if (i === 12) r.a = 'n/a';
    }));
    const r = await check('neg', 'data.spend_values');
    expect(r.severity).toBe('block');
    expect(r.evidence.rows).toEqual([
      { row: 5, date: week(4), column: 'a', value: '-25', problem: 'negative' },
      { row: 13, date: week(12), column: 'a', value: 'n/a', problem: 'not a number' },
    ]);
  });
  it('blocks a constant control and warns on a constant exposure', async () => {
    await makeTable(db, 'const', healthyRows(60, (_, r) => {
      r.c = 3;
    }));
    const r = await check('const', 'data.constant_columns');
    expect(r.severity).toBe('block');
    expect(r.evidence.constant).toEqual([{ column: 'c', role: 'control', value: '3.0', severity: 'block' }]);
    await makeTable(db, 'const2', healthyRows(60, (_, r) => {
      r.b_imp = 7;
    }));
    expect((await check('const2', 'data.constant_columns')).severity).toBe('warn');
  });
});

describe('outliers, zero spend, spend share', () => {
  it('names a KPI spike with both methods', async () => {
    await makeTable(db, 'out', healthyRows(60, (i, r) => {
      if (i === 25) r.y = 50_000;
    }));
    for (const method of ['robust_z', 'iqr'] as const) {
      const r = await check('out', 'data.outliers', HEALTHY_MAPPING, { value_sanity: { outlier_method: method } });
      expect(r.severity).toBe('warn');
      expect(r.evidence.columns).toMatchObject([{ column: 'y', count: 1, weeks: [{ date: week(25), value: 50_000 }] }]);
    }
  });
  it('warns above 50% zero-spend weeks with exact shares', async () => {
    await makeTable(db, 'zero', healthyRows(100, (i, r) => {
      if (i % 5 < 3) r.a = 0; // 60% zero
      if (i % 10 === 0) r.b = 0; // 10% zero
    }));
    const r = await check('zero', 'data.zero_spend');
    expect(r.severity).toBe('warn');
    expect(r.evidence.channels).toEqual([
      { channel: 'a', zeroWeeks: 60, weeks: 100, zeroPct: 60 },
      { channel: 'b', zeroWeeks: 10, weeks: 100, zeroPct: 10 },
    ]);
    expect(r.detail).not.toContain('b:');
  });
  it('reports spend shares and warns on a channel below 1% (0.5%)', async () => {
    await makeTable(db, 'share', healthyRows(60, (_, r) => {
      r.a = 995;
      r.b = 5;
      r.b_imp = 500;
    }));
    const r = await check('share', 'data.spend_share');
    expect(r.severity).toBe('warn');
    expect(r.evidence).toMatchObject({ totalSpend: 60_000, channels: [{ channel: 'a', sharePct: 99.5 }, { channel: 'b', sharePct: 0.5 }] });
  });
});

describe('identifiability', () => {
  it('warns on correlation 1.0 between two channels, and VIF flags them as collinear', async () => {
    await makeTable(db, 'corr', healthyRows(60, (_, r) => {
      r.b = 2 * (r.a as number) + 5;
      r.b_imp = (r.b as number) * 100;
    }));
    const r = await check('corr', 'data.channel_correlation');
    expect(r.severity).toBe('warn');
    expect(r.evidence.flagged).toEqual([{ a: 'a', b: 'b', r: 1 }]);
    const v = await check('corr', 'data.vif');
    expect(v.severity).toBe('warn');
    expect(v.evidence.columns).toMatchObject([
      { column: 'a', vif: null, collinear: true },
      { column: 'b', vif: null, collinear: true },
      { column: 'c', collinear: false },
    ]);
  });
  it('VIF of two columns equals 1 / (1 - r^2)', async () => {
    const rows = healthyRows(60);
    await makeTable(db, 'vif2', rows);
    const m: CheckMapping = { ...HEALTHY_MAPPING, controls: [] };
    const a = rows.map((r) => r.a as number);
    const b = rows.map((r) => r.b as number);
    const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
    const ma = mean(a);
    const mb = mean(b);
    const cov = a.reduce((s, v, i) => s + (v - ma) * (b[i]! - mb), 0);
    const r = cov / Math.sqrt(a.reduce((s, v) => s + (v - ma) ** 2, 0) * b.reduce((s, v) => s + (v - mb) ** 2, 0));
    const v = await check('vif2', 'data.vif', m);
    const cols = v.evidence.columns as { vif: number }[];
    expect(cols[0]!.vif).toBeCloseTo(1 / (1 - r * r), 3);
    expect(cols[1]!.vif).toBeCloseTo(1 / (1 - r * r), 3);
  });
  it('data-to-parameter ratio: 60 weeks for 2+4+4*5+(2+2)+1 = 31 parameters blocks (1.94 < 2)', async () => {
    const rows = healthyRows(60, (i, r) => {
      r.e = 10 + ((i * 7) % 13);
      r.f = 20 + ((i * 5) % 11);
      r.g = 5 + ((i * 3) % 7);
      r.c2 = (i * 11) % 17;
      r.ev = ['x', 'y', 'z'][i % 3]!;
    });
    await makeTable(db, 'ratio', rows);
    const m: CheckMapping = {
      ...HEALTHY_MAPPING,
      channels: ['a', 'b', 'e', 'f', 'g'].map((c) => ({ name: c, spend: c })),
      controls: ['c', 'c2'],
      factors: ['ev'],
    };
    const r = await check('ratio', 'data.data_param_ratio', m);
    expect(r.evidence).toMatchObject({ weeks: 60, parameters: 31, controlColumns: 4 });
    expect(r.severity).toBe('block');
    const r2 = await check('ratio', 'data.data_param_ratio', m, {}, { parameterCount: 10 });
    expect(r2.severity).toBe('info');
  });
});

describe('freshness, cost per unit, keys', () => {
  it('measures age against the given date, never the clock', async () => {
    await makeTable(db, 'fresh', healthyRows(60));
    const last = week(59);
    expect((await check('fresh', 'data.freshness', HEALTHY_MAPPING, {}, { now: week(62) })).evidence).toMatchObject({ last, ageDays: 21 });
    expect((await check('fresh', 'data.freshness', HEALTHY_MAPPING, {}, { now: week(62) })).severity).toBe('info');
    const stale = await check('fresh', 'data.freshness', HEALTHY_MAPPING, {}, { now: week(75) });
    expect(stale.severity).toBe('warn');
    expect(stale.evidence.ageDays).toBe(112);
    expect((await check('fresh', 'data.freshness')).title).toBe('Freshness not checked');
  });
  it('names the week whose cost per unit is 10x the median, and delivery without spend', async () => {
    await makeTable(db, 'cpu', healthyRows(60, (i, r) => {
      if (i === 14) r.b_imp = (r.b as number) * 10; // CPU 0.1 vs 0.01
      if (i === 40) {
        r.b = 0;
        r.b_imp = 5000;
      }
    }));
    const r = await check('cpu', 'data.cost_per_unit');
    expect(r.severity).toBe('warn');
    const ch = (r.evidence.channels as { channel: string; medianCostPerUnit: number; offWeeks: number; mismatchWeeks: number; weeks: unknown[] }[])[0]!;
    expect(ch).toMatchObject({ channel: 'b', medianCostPerUnit: 0.01, offWeeks: 1, mismatchWeeks: 1 });
    expect(ch.weeks).toEqual([
      { date: week(14), costPerUnit: 0.1, ratio: 10, problem: 'cost per unit too high' },
      { date: week(40), costPerUnit: null, ratio: null, problem: 'exposure without spend' },
    ]);
  });
  it('per-key coverage names a geo with half the weeks; duplicates are per geo and week', async () => {
    const rows = [
      ...healthyRows(60).map((r) => ({ ...r, geo: 'North' })),
      ...healthyRows(60).filter((_, i) => i >= 30).map((r) => ({ ...r, geo: 'South' })),
    ];
    await makeTable(db, 'geo', rows);
    const m = { ...HEALTHY_MAPPING, keys: ['geo'] };
    const r = await check('geo', 'data.key_coverage', m);
    expect(r.severity).toBe('warn');
    expect(r.evidence.flagged).toEqual([{ key: 'South', weeks: 30, missingWeeks: 30, missingPct: 50 }]);
    expect((await check('geo', 'data.duplicates', m)).severity).toBe('info');
    expect((await check('geo', 'data.duplicates')).severity).toBe('block');
  });
});

describe('score and overrides', () => {
  const res = (id: string, severity: CheckResult['severity']): CheckResult => ({ id, severity, title: '', detail: 'd.', evidence: {} });
  it('weighs contract checks 3, advisory 1; info 1, warn 0.5, block 0', () => {
    expect(validationScore([])).toBe(1);
    // (3*0 + 3*1 + 1*0.5 + 1*1) / (3+3+1+1) = 4.5 / 8
    expect(validationScore([res('data.coverage', 'block'), res('data.types', 'info'), res('data.outliers', 'warn'), res('data.vif', 'info')])).toBe(4.5 / 8);
  });
  it('downgrades an overridden block to warn, records the reason, and refuses an empty reason', () => {
    const results = [res('data.duplicates', 'block'), res('data.outliers', 'warn'), res('data.vif', 'info')];
    const at = '2024-05-01T10:00:00Z';
    const out = applyOverrides(results, [{ id: 'data.duplicates', reason: 'Two sources split the week; summing is right.', at }]);
    expect(out[0]).toMatchObject({ severity: 'warn', evidence: { override: { reason: 'Two sources split the week; summing is right.', at, originalSeverity: 'block' } } });
    expect(out[1]).toBe(results[1]);
    expect(results[0]!.severity).toBe('block');
    expect(validationScore(out)).toBeGreaterThan(validationScore(results));
    expect(() => applyOverrides(results, [{ id: 'data.duplicates', reason: '  ', at }])).toThrow(/reason/);
  });
  it('runAllChecks applies overrides: an overridden coverage block no longer blocks the fit', async () => {
    await makeTable(db, 'short', healthyRows(40));
    const plain = await runAllChecks(db, 'short', HEALTHY_MAPPING, DEFAULT_VALIDATION_CONFIG);
    expect(plain.blocked).toBe(true);
    const over = await runAllChecks(db, 'short', HEALTHY_MAPPING, DEFAULT_VALIDATION_CONFIG, {
      overrides: [
        { id: 'data.coverage', reason: 'Pilot market, 40 weeks is all there is.', at: '2024-05-01' },
        { id: 'data.data_param_ratio', reason: 'Accepting wide intervals for the pilot.', at: '2024-05-01' },
      ],
    });
    expect(over.results.filter((r) => r.severity === 'block')).toEqual([]);
    expect(over.blocked).toBe(false);
  });
});
