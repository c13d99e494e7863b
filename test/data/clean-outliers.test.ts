import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';
import { cleanTable, cleaningChanged, isEventControlName, listFlaggedKpiWeeks, type FlaggedWeek, type LineageEntry } from '../../src/data/clean/index.ts';
import { cleaningConfigSchema, withCapAllFlagged, withCapWeek, type CleaningConfigInput } from '../../src/core/spec/config-cleaning.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../../src/core/spec/config-validation.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { configFromYaml, configToYaml } from '../../src/core/spec/config-yaml.ts';
import { DATA_CHECKS, describeTable } from '../../src/data/checks/index.ts';
import type { CheckMapping } from '../../src/data/checks/types.ts';
import { healthyRows, makeTable, week } from './checks-fixtures.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
}, 60_000);
afterAll(async () => db.close());

/** Type-7 quantile (DuckDB's quantile_cont): linear interpolation at position q (n - 1) of the sorted values. */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const i = Math.floor(pos);
  return i + 1 < s.length ? s[i]! + (pos - i) * (s[i + 1]! - s[i]!) : s[i]!;
}

// 104 healthy weeks (KPI 1400-1800) with four KPI spikes:
//   week 20: 7000 in a promotion week (factor "events" = promo, baseline "none")
//   week 30: 6000, an error: no promotion, no spend burst -> the one week capped by default
//   week 40: 5500 on a burst of channel b's spend (b = 400 against 50-90)
//   week 80: 6500 in a holiday week (numeric control named "holiday" = 1)
// and a burst of channel a's spend (a = 900) in week 60 without a KPI spike: spend is never capped by default.
const N = 104;
const rows = healthyRows(N, (i, r) => {
  r.events = i === 20 ? 'promo' : 'none';
  r.holiday = i === 80 ? 1 : 0;
  if (i === 20) r.y = 7000;
  if (i === 30) r.y = 6000;
  if (i === 40) {
    r.y = 5500;
    r.b = 400;
  }
  if (i === 60) r.a = 900;
  if (i === 80) r.y = 6500;
});
const m: CheckMapping = { date: 'd', kpi: 'y', channels: [{ name: 'a', spend: 'a' }, { name: 'b', spend: 'b' }], controls: ['c', 'holiday'], factors: ['events'], keys: [] };
const BASELINES = { events: 'none' };
// The cap: p99 of the KPI over weeks no promotion / event marks (weeks 20 and 80 left out).
const CAP = quantile(rows.filter((_, i) => i !== 20 && i !== 80).map((r) => Number(r.y)), 0.99);

const cfg = (outliers: CleaningConfigInput['outliers'] = {}) => cleaningConfigSchema.parse({ outliers });
const values = async (t: string, col: string) => ((await db.query<{ v: number }>(`SELECT "${col}" AS v FROM "${t}" ORDER BY d`)) as { v: number }[]).map((r) => Number(r.v));
const kpiEntry = (l: LineageEntry[]) => l.find((e) => e.step === 'winsorize' && e.column === 'y')!;
const byDate = (f: FlaggedWeek[]) => Object.fromEntries(f.map((w) => [w.date, w]));
let n = 0;
const clean = (c = cfg()) => cleanTable(db, 'spikes', m, c, { output: `spikes_c${n++}`, factorBaselines: BASELINES });

describe('KPI outliers: cap only the weeks that are wrong', () => {
  beforeAll(async () => makeTable(db, 'spikes', rows), 60_000);

  it('the fixture: the four spikes are the only KPI outliers by the check rule, and the cap sits below each of them', async () => {
    const ys = rows.map((r) => Number(r.y));
    const med = quantile(ys, 0.5);
    const mad = quantile(ys.map((y) => Math.abs(y - med)), 0.5);
    const flagged = ys.flatMap((y, i) => (Math.abs(y - med) / (1.4826 * mad) > 3.5 ? [i] : []));
    expect(flagged).toEqual([20, 30, 40, 80]);
    expect(CAP).toBeLessThan(5500);
    expect(CAP).toBeGreaterThan(Math.max(...ys.filter((_, i) => ![20, 30, 40, 80].includes(i))));
    expect(isEventControlName('holiday')).toBe(true);
    expect(isEventControlName('competitor_sales_B')).toBe(false);
    expect(isEventControlName('isPromo')).toBe(true);
    expect(isEventControlName('newsletter')).toBe(false);
  });

  it('with the defaults caps exactly week 30 and leaves the promotion, holiday and spend-burst weeks, listed as exempt', async () => {
    const r = await clean();
    const y = await values(r.table, 'y');
    const want = rows.map((row, i) => (i === 30 ? CAP : Number(row.y)));
    y.forEach((v, i) => expect(v, week(i)).toBeCloseTo(want[i]!, 9));
    expect(y.filter((v, i) => v !== Number(rows[i]!.y))).toHaveLength(1);
    // spend is never capped by default, not even channel a's burst of 900 in week 60
    expect(await values(r.table, 'a')).toEqual(rows.map((row) => Number(row.a)));
    expect(await values(r.table, 'b')).toEqual(rows.map((row) => Number(row.b)));
    expect(r.lineage.filter((e) => e.step === 'winsorize').map((e) => e.column)).toEqual(['y']);

    const f = byDate(r.flagged);
    expect(Object.keys(f)).toEqual([week(20), week(30), week(40), week(80)]);
    expect(f[week(30)]).toMatchObject({ value: 6000, flagged: true, side: 'high', status: 'capped', exemptions: [], requested: null });
    expect(f[week(30)]!.capValue).toBeCloseTo(CAP, 9);
    expect(f[week(30)]!.after).toBeCloseTo(CAP, 9);
    expect(f[week(20)]).toMatchObject({ value: 7000, status: 'exempt', after: 7000, exemptions: [{ kind: 'promo', reason: '"events" = promo' }] });
    expect(f[week(80)]).toMatchObject({ value: 6500, status: 'exempt', after: 6500, exemptions: [{ kind: 'promo', reason: '"holiday" = 1.0' }] });
    expect(f[week(40)]).toMatchObject({ value: 5500, status: 'exempt', after: 5500, exemptions: [{ kind: 'spend_burst', channel: 'b', column: 'b', spend: 400 }] });
    expect((f[week(40)]!.exemptions[0] as { robustZ: number }).robustZ).toBeGreaterThan(3.5);

    const e = kpiEntry(r.lineage);
    expect(e).toMatchObject({ rule: 'cap_flagged', cellsChanged: 1, params: { kpiRule: 'flagged', method: 'robust_z', threshold: 3.5, percentile: 99 } });
    expect(e.changes).toHaveLength(1);
    expect(e.changes[0]).toMatchObject({ date: week(30), before: 6000 });
    expect(e.detail).toMatch(/Capped 1 week/);
    expect(e.detail).toMatch(/3 flagged week\(s\) exempt because .*"events" = promo.*spend burst of b.*"holiday" = 1/);
    expect(cleaningChanged(r.lineage)).toBe(true);
  });

  it.each(['robust_z', 'iqr'] as const)('agrees with the outlier check (%s) on which KPI weeks are outliers and their robust z', async (method) => {
    const validation = { ...DEFAULT_VALIDATION_CONFIG, value_sanity: { ...DEFAULT_VALIDATION_CONFIG.value_sanity, outlier_method: method } };
    const columns = await describeTable(db, 'spikes');
    const check = await DATA_CHECKS['data.outliers']({ db, table: 'spikes', mapping: m, config: validation, columns, options: { maxNamed: 50 } });
    const kpi = (check.evidence as { columns: { role: string; weeks: { date: string; robustZ: number }[] }[] }).columns.find((c) => c.role === 'kpi')!;
    const listed = await listFlaggedKpiWeeks(db, 'spikes', m, cfg(), validation.value_sanity, BASELINES);
    expect(listed.map((w) => w.date)).toEqual(kpi.weeks.map((w) => w.date).sort());
    expect(listed.length).toBeGreaterThanOrEqual(4);
    for (const w of kpi.weeks) expect(listed.find((l) => l.date === w.date)!.robustZ!).toBeCloseTo(w.robustZ, 2);
    // the standalone listing and cleanTable's read the same decision
    expect(listed).toEqual((await cleanTable(db, 'spikes', m, cfg(), { output: `spikes_${method}`, outlierRule: validation.value_sanity, factorBaselines: BASELINES })).flagged);
  });

  it('"cap this week" caps an exempt week; "cap all flagged" caps every flagged week; both are in the lineage', async () => {
    const one = await clean(withCapWeek(cfg(), week(20)));
    const y1 = await values(one.table, 'y');
    expect(y1[20]).toBeCloseTo(CAP, 9);
    expect(y1[30]).toBeCloseTo(CAP, 9);
    expect([y1[40], y1[80]]).toEqual([5500, 6500]);
    expect(byDate(one.flagged)[week(20)]).toMatchObject({ status: 'capped', requested: 'cap_weeks' });
    expect(kpiEntry(one.lineage)).toMatchObject({ cellsChanged: 2, params: { capWeeks: [week(20)], capAllFlagged: false } });
    expect(kpiEntry(one.lineage).detail).toMatch(/asked in cap_weeks/);

    const all = await clean(withCapAllFlagged(cfg(), true));
    const y2 = await values(all.table, 'y');
    for (const i of [20, 30, 40, 80]) expect(y2[i], week(i)).toBeCloseTo(CAP, 9);
    expect(y2.filter((v, i) => v !== Number(rows[i]!.y))).toHaveLength(4);
    expect(kpiEntry(all.lineage)).toMatchObject({ cellsChanged: 4, params: { capAllFlagged: true } });
    expect(all.flagged.map((w) => w.requested)).toEqual(['cap_all_flagged', 'cap_all_flagged', 'cap_all_flagged', 'cap_all_flagged']);

    // a cap_weeks entry that names no week is said, not silently ignored
    const none = await clean(cfg({ cap_weeks: ['1999-01-04'] }));
    expect(kpiEntry(none.lineage).params.unmatchedCapWeeks).toEqual(['1999-01-04']);
    expect(kpiEntry(none.lineage).detail).toMatch(/cap_weeks entries matching no week: 1999-01-04/);
  });

  it('without the exemptions the promotion and burst weeks are capped too (the exemptions are what leaves them)', async () => {
    const r = await clean(cfg({ exempt_spend_bursts: false }));
    const y = await values(r.table, 'y');
    expect(y[40]).toBeCloseTo(CAP, 9);
    expect([y[20], y[80]]).toEqual([7000, 6500]);
    const ev = await clean(cfg({ events_from_controls: false }));
    // no event marks: every week makes the cap, between 6000 and 6500 (position 0.99 x 103 = 101.97)
    const capEv = quantile(rows.map((row) => Number(row.y)), 0.99);
    expect(capEv).toBeCloseTo(6000 + 0.97 * 500, 9);
    const y2 = await values(ev.table, 'y');
    for (const i of [20, 80]) expect(y2[i], week(i)).toBeCloseTo(capEv, 9);
    // week 30 is flagged but not beyond this cap: left, and listed as inside the cap
    expect([y2[30], y2[40]]).toEqual([6000, 5500]);
    expect(byDate(ev.flagged)[week(30)]).toMatchObject({ status: 'inside_cap', exemptions: [] });
  });

  it('an explicit spend-cap rule still caps spend at its percentile and is recorded', async () => {
    const r = await clean(cfg({ column_percentiles: { a: 95 } }));
    const a = await values(r.table, 'a');
    const capA = quantile(rows.filter((_, i) => i !== 20 && i !== 80).map((row) => Number(row.a)), 0.95);
    const want = rows.map((row, i) => (i === 20 || i === 80 ? Number(row.a) : Math.min(Number(row.a), capA)));
    a.forEach((v, i) => expect(v, week(i)).toBeCloseTo(want[i]!, 9));
    const changed = want.filter((v, i) => v !== Number(rows[i]!.a)).length;
    expect(changed).toBeGreaterThan(1);
    const e = r.lineage.find((l) => l.column === 'a')!;
    expect(e).toMatchObject({ step: 'winsorize', rule: 'winsorize', cellsChanged: changed, params: { percentile: 95 } });
    expect((e.params.caps as { upper: number }[])[0]!.upper).toBeCloseTo(capA, 9);
    expect(e.detail).toMatch(/column_percentiles\.a/);
    expect(r.lineage.find((l) => l.column === 'b')).toBeUndefined();
    // spend in apply_to caps every spend column
    const both = await clean(cfg({ apply_to: ['kpi', 'spend'] }));
    expect(both.lineage.filter((l) => l.step === 'winsorize').map((l) => l.column)).toEqual(['y', 'a', 'b']);
    expect((await values(both.table, 'b'))[40]).toBeLessThan(400);
  });

  it('says "no outlier weeks" and changes nothing on a series without a spike', async () => {
    await makeTable(db, 'calm', healthyRows(N, (_, r) => void (r.events = 'none', r.holiday = 0)));
    const r = await cleanTable(db, 'calm', m, cfg(), { factorBaselines: BASELINES });
    expect(r.flagged).toEqual([]);
    expect(r.lineage).toHaveLength(1);
    expect(r.lineage[0]).toMatchObject({ rule: 'cap_flagged', cellsChanged: 0, detail: 'No week of "y" capped: no outlier weeks (robust z beyond 3.5).' });
    expect(cleaningChanged(r.lineage)).toBe(false);
  });
});

describe('KPI outliers per geo', () => {
  // Two geos of healthy weeks (Geo2's KPI 10x Geo1's): a spike in Geo2's week 30 only.
  const geo = (g: string, scale: number) => healthyRows(N, (i, r) => {
    r.geo = g;
    r.events = 'none';
    r.holiday = 0;
    r.y = Number(r.y) * scale;
    if (g === 'Geo2' && i === 30) r.y = 60_000;
  });
  const g1 = geo('Geo1', 1);
  const g2 = geo('Geo2', 10);
  const gm: CheckMapping = { ...m, keys: ['geo'] };
  beforeAll(async () => makeTable(db, 'geos', [...g1, ...g2]), 60_000);

  it('caps the spike at its own geo\'s percentile; "cap this week" in one key caps that key\'s week only', async () => {
    const r = await cleanTable(db, 'geos', gm, cfg(), { factorBaselines: BASELINES });
    const cap2 = quantile(g2.map((x) => Number(x.y)), 0.99);
    expect(r.flagged).toHaveLength(1);
    expect(r.flagged[0]).toMatchObject({ date: week(30), key: 'Geo2', value: 60_000, status: 'capped' });
    expect(r.flagged[0]!.after).toBeCloseTo(cap2, 9);
    const out = await db.query<{ geo: string; y: number }>(`SELECT geo, y FROM "${r.table}" ORDER BY geo, d`);
    const want = [...g1.map((x) => Number(x.y)), ...g2.map((x, i) => (i === 30 ? cap2 : Number(x.y)))];
    out.forEach((o, i) => expect(Number(o.y), `${o.geo} ${i % N}`).toBeCloseTo(want[i]!, 9));

    // Geo1's largest week is no outlier, but it is beyond Geo1's p99 (position 102.97 of 103): asked for, it is capped
    const ys1 = g1.map((x) => Number(x.y));
    const top = ys1.indexOf(Math.max(...ys1));
    const asked = await cleanTable(db, 'geos', gm, withCapWeek(cfg(), week(top), 'Geo1'), { output: 'geos_asked', factorBaselines: BASELINES });
    const w = asked.flagged.find((f) => f.key === 'Geo1')!;
    expect(w).toMatchObject({ date: week(top), flagged: false, requested: 'cap_weeks', status: 'capped' });
    expect(w.after).toBeCloseTo(quantile(ys1, 0.99), 9);
    const geo2Top = await db.query<{ y: number }>(`SELECT y FROM geos_asked WHERE geo = 'Geo2' AND d = DATE '${week(top)}'`);
    expect(Number(geo2Top[0]!.y)).toBe(Number(g2[top]!.y));
  });
});

describe('the outliers config in YAML', () => {
  it('round-trips kpi_rule, the exemptions, cap_weeks (national and per key) and cap_all_flagged', () => {
    let c = defaultConfig();
    expect(c.cleaning.outliers).toMatchObject({ kpi_rule: 'flagged', apply_to: ['kpi'], exempt_spend_bursts: true, events_from_controls: true, cap_weeks: [], cap_all_flagged: false });
    c = { ...c, cleaning: withCapAllFlagged(withCapWeek(withCapWeek(withCapWeek(c.cleaning, '2019-02-25'), '2019-03-04', 'Geo1'), '2019-02-25'), true) };
    c = { ...c, cleaning: { ...c.cleaning, outliers: { ...c.cleaning.outliers, exempt_spend_bursts: false, events_from_controls: false, column_percentiles: { tv_S: 95 } } } };
    expect(c.cleaning.outliers.cap_weeks).toEqual(['2019-02-25', { date: '2019-03-04', key: 'Geo1' }]);
    const text = configToYaml(c);
    expect(text).toMatch(/cap_weeks:\n\s+- "?2019-02-25"?\n\s+- date: "?2019-03-04"?\n\s+key: Geo1/);
    const back = configFromYaml(text);
    expect(back.ok && back.value).toEqual(c);
  });

  it('reads hand-written entries and names a bad one by its path', () => {
    const r = configFromYaml('cleaning:\n  outliers:\n    cap_weeks: [2019-02-25, { date: 2019-03-04, key: Geo1 }]\n    cap_all_flagged: true\n');
    expect(r.ok && r.value.cleaning.outliers).toMatchObject({ cap_weeks: ['2019-02-25', { date: '2019-03-04', key: 'Geo1' }], cap_all_flagged: true });
    const bad = configFromYaml('cleaning:\n  outliers:\n    cap_weeks: [25/02/2019]\n');
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]!.path).toBe('cleaning.outliers.cap_weeks.0');
    const rule = configFromYaml('cleaning:\n  outliers:\n    kpi_rule: all\n');
    expect(!rule.ok && rule.issues[0]!.path).toBe('cleaning.outliers.kpi_rule');
  });
});
