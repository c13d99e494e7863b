import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataClient } from '../../src/clients/data-client.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { configFromYaml } from '../../src/core/spec/config-yaml.ts';
import { DatasetState } from '../../src/state/dataset.svelte.ts';

// The Checks screen's one-click caps as state methods, in node on the node DuckDB: a cap writes
// the config (and its YAML), cleaning reruns and its lineage says why; the undo removes it; the
// raw variant hands the file's own values to the comparison fit.

const text = readFileSync('public/demo/robyn_simulated_weekly.csv', 'utf8');
const NOW = '2019-12-01';
const clients: DataClient[] = [];
const newState = () => {
  const c = new DataClient(openNodeDb);
  clients.push(c);
  return new DatasetState(c, () => NOW);
};
afterAll(async () => {
  for (const c of clients) await c.close();
});

/** The Robyn CSV with revenue multiplied by `factor` in the week starting `date` (the 2nd CSV field). */
function spiked(date: string, factor: number): { bytes: Uint8Array; before: number; after: number } {
  let before = NaN;
  const lines = text.trim().split(/\r?\n/).map((l) => {
    if (!l.startsWith(`"${date}"`)) return l;
    const cells = l.split(',');
    before = Number(cells[1]);
    cells[1] = String(before * factor);
    return cells.join(',');
  });
  if (!Number.isFinite(before)) throw new Error(`no week ${date}`);
  return { bytes: new TextEncoder().encode(lines.join('\n')), before, after: before * factor };
}

const kpiRow = (ds: DatasetState) => ds.cleaning.lineage!.find((e) => e.rule === 'cap_flagged')!;
const weekIndex = (ds: DatasetState, date: string) => ds.dataset!.dates.indexOf(date);

// Generous timeout: several DuckDB pipelines on a shared 2-core machine.
describe('DatasetState: one-click KPI caps and the raw variant (node DuckDB)', { timeout: 300_000 }, () => {
  it('a spike on a TV burst week is flagged and exempt; cap this week caps it, the YAML holds it, undo restores it', async () => {
    // 2016-10-03: tv_S robust z 5.4 over its active weeks (a burst), no event
    const s = spiked('2016-10-03', 4);
    const ds = newState();
    await ds.loadBytes('tv_burst_spike.csv', s.bytes);
    await ds.runChecks();
    expect(ds.checks.report?.blocked).toBe(false);
    const w = ds.cleaning.flagged.find((x) => x.date === '2016-10-03')!;
    expect(w.flagged).toBe(true);
    expect(w.value).toBeCloseTo(s.after, 3);
    expect(w.status).toBe('exempt');
    expect(w.exemptions.map((e) => (e.kind === 'spend_burst' ? e.channel : e.kind))).toEqual(['tv']);
    expect(ds.dataset!.target.values[weekIndex(ds, '2016-10-03')]).toBeCloseTo(s.after, 3);
    expect(kpiRow(ds).cellsChanged).toBe(0);

    await ds.capWeek('2016-10-03');
    expect(ds.checks.phase).toBe('done');
    expect(ds.settings.config.cleaning.outliers.cap_weeks).toEqual(['2016-10-03']);
    const capped = ds.cleaning.flagged.find((x) => x.date === '2016-10-03')!;
    expect(capped.status).toBe('capped');
    expect(capped.requested).toBe('cap_weeks');
    expect(capped.capValue).not.toBeNull();
    expect(capped.capValue!).toBeLessThan(s.after);
    expect(ds.dataset!.target.values[weekIndex(ds, '2016-10-03')]).toBeCloseTo(capped.capValue!, 6);
    expect(kpiRow(ds).cellsChanged).toBe(1);
    expect(kpiRow(ds).detail).toContain('2016-10-03');
    expect(kpiRow(ds).detail).toContain('asked in cap_weeks');
    expect(ds.cleaning.changed).toBe(true);
    // the YAML round trip: the exported config parses back with the cap
    const back = configFromYaml(ds.configYaml());
    expect(back.ok && back.value.cleaning.outliers.cap_weeks).toEqual(['2016-10-03']);

    // the raw variant keeps the file's own value while the cleaned Dataset stays capped
    const raw = await ds.rawDataset();
    expect(raw.error).toBeNull();
    expect(raw.dataset!.target.values[raw.dataset!.dates.indexOf('2016-10-03')]).toBeCloseTo(s.after, 3);
    expect(ds.dataset!.target.values[weekIndex(ds, '2016-10-03')]).toBeCloseTo(capped.capValue!, 6);

    await ds.uncapWeek('2016-10-03');
    expect(ds.settings.config.cleaning.outliers.cap_weeks).toEqual([]);
    expect(ds.cleaning.flagged.find((x) => x.date === '2016-10-03')!.status).toBe('exempt');
    expect(ds.dataset!.target.values[weekIndex(ds, '2016-10-03')]).toBeCloseTo(s.after, 3);

    await ds.setCapAllFlagged(true);
    expect(ds.settings.config.cleaning.outliers.cap_all_flagged).toBe(true);
    const all = ds.cleaning.flagged.find((x) => x.date === '2016-10-03')!;
    expect(all.status).toBe('capped');
    expect(all.requested).toBe('cap_all_flagged');
    await ds.setCapAllFlagged(false);
    expect(ds.cleaning.flagged.find((x) => x.date === '2016-10-03')!.status).toBe('exempt');
  });

  it('a spike in an ordinary week is capped by the default rule; the raw variant keeps it', async () => {
    // 2017-02-06: no event, every channel's spend within 1.4 robust z of its median
    const s = spiked('2017-02-06', 4);
    const ds = newState();
    await ds.loadBytes('spike.csv', s.bytes);
    await ds.runChecks();
    expect(ds.cleaning.flagged.map((x) => [x.date, x.status, x.requested])).toEqual([['2017-02-06', 'capped', null]]);
    const cap = ds.cleaning.flagged[0]!.capValue!;
    expect(ds.dataset!.target.values[weekIndex(ds, '2017-02-06')]).toBeCloseTo(cap, 6);
    const raw = await ds.rawDataset();
    expect(raw.dataset!.target.values[raw.dataset!.dates.indexOf('2017-02-06')]).toBeCloseTo(s.after, 3);
    expect(raw.dataset!.dates).toEqual(ds.dataset!.dates);
  });

  it('on the plain Robyn demo no KPI week is flagged or capped, and the lineage says so', async () => {
    const ds = newState();
    await ds.loadBytes('robyn_simulated_weekly.csv', new TextEncoder().encode(text));
    await ds.runChecks();
    expect(ds.cleaning.flagged).toEqual([]);
    expect(kpiRow(ds).cellsChanged).toBe(0);
    expect(kpiRow(ds).detail).toMatch(/No week of "revenue" capped/);
    // a cap on a clean file before checks ran only writes the config
    const idle = newState();
    await idle.capWeek('2017-02-06');
    expect(idle.settings.config.cleaning.outliers.cap_weeks).toEqual(['2017-02-06']);
    expect(idle.cleaning.lineage).toBeNull();
    expect((await idle.rawDataset()).error).toMatch(/No cleaned dataset/);
  });
});

describe('CleaningCompareState without a cleaned dataset', () => {
  it('says why it cannot start and has no ROI to show', async () => {
    const { CleaningCompareState } = await import('../../src/state/cleaning-compare.svelte.ts');
    const { DEFAULT_MODEL_SPEC } = await import('../../src/core/spec/model-spec.ts');
    const { DEFAULT_FIT_SETTINGS } = await import('../../src/core/inference/fit-settings.ts');
    const cmp = new CleaningCompareState();
    const ds = newState();
    await cmp.start(ds, DEFAULT_MODEL_SPEC, { ...DEFAULT_FIT_SETTINGS });
    expect(cmp.error).toMatch(/No cleaned dataset yet/);
    expect(cmp.running).toBe(false);
    expect(cmp.roi).toBeNull();
    expect(cmp.isFor(ds.dataset)).toBe(false);
  });
});
