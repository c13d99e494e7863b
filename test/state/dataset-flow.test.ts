import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { DataClient } from '../../src/clients/data-client.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { runPipeline } from '../../src/data/pipeline.ts';
import { DatasetState } from '../../src/state/dataset.svelte.ts';

// The app's data flow in node: DatasetState over a DataClient on the node DuckDB, from the
// bytes of a dropped file to the model's Dataset, against the headless runner on the same file.

const FILE = 'robyn_simulated_weekly.csv';
const bytes = new Uint8Array(readFileSync(`public/demo/${FILE}`));
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

/** The Robyn CSV with tv_S set to 0 in every week: a constant channel, which the checks block. */
function withDeadChannel(): Uint8Array {
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/);
  const header = lines[0]!.split(',');
  const j = header.findIndex((h) => h.replace(/"/g, '') === 'tv_S');
  const out = [lines[0], ...lines.slice(1).filter(Boolean).map((l) => l.split(',').map((v, k) => (k === j ? '0' : v)).join(','))];
  return new TextEncoder().encode(out.join('\n'));
}

// Generous timeout: two DuckDB pipelines on a shared 2-core machine.
describe('DatasetState: dropped file -> mapping -> checks -> cleaning -> Dataset (node DuckDB)', { timeout: 240_000 }, () => {
  it('builds the same Dataset as the headless runner', async () => {
    const ds = newState();
    await ds.loadBytes(FILE, bytes);
    expect(ds.load.phase).toBe('loaded');
    expect(ds.load.ingest?.rowCount).toBe(208);
    const m = ds.mapping.mapping;
    expect(m.date_col).toBe('DATE');
    expect(m.kpi_col).toBe('revenue');
    expect(Object.values(m.channel_map).map((c) => c.spend).sort()).toEqual(['facebook_S', 'ooh_S', 'print_S', 'search_S', 'tv_S']);
    expect(ds.canCheck).toBe(true);
    expect(ds.checks.phase).toBe('idle');

    await ds.runChecks();
    expect(ds.checks.error).toBeNull();
    expect(ds.checks.phase).toBe('done');
    expect(ds.checks.report?.blocked).toBe(false);
    const d = ds.dataset!;
    expect(d.dates.length).toBe(208);
    expect(d.dates[0]).toBe('2015-11-23');
    expect(d.channels.map((c) => c.name).sort()).toEqual(['facebook', 'ooh', 'print', 'search', 'tv']);
    expect(ds.cleaning.lineage).not.toBeNull();

    // Agreement of two paths through the same stages: the runner on the config the state exports.
    const db = await openNodeDb();
    try {
      const r = await runPipeline(db, { name: FILE, bytes }, ds.settings.config, { now: NOW, mapping: 'config' });
      expect(r.blocked).toBe(false);
      expect(r.results.map((x) => [x.id, x.severity])).toEqual(ds.checks.report!.results.map((x) => [x.id, x.severity]));
      expect(r.lineage.map((e) => [e.rule, e.column, e.cellsChanged])).toEqual(ds.cleaning.lineage!.map((e) => [e.rule, e.column, e.cellsChanged]));
      expect(r.dataset!.dates).toEqual(d.dates);
      expect(Array.from(r.dataset!.target.values)).toEqual(Array.from(d.target.values));
      r.dataset!.channels.forEach((c, k) => expect(Array.from(c.spend)).toEqual(Array.from(d.channels[k]!.spend)));
    } finally {
      await db.close();
    }
  });

  it('a mapping edit drops the results; a blocked dataset gets a Dataset only while the block is overridden', async () => {
    const ds = newState();
    await ds.loadBytes('dead_tv.csv', withDeadChannel());
    await ds.runChecks();
    expect(ds.checks.report?.blocked).toBe(true);
    const block = ds.checks.report!.results.find((r) => r.severity === 'block')!;
    expect(block.id).toBe('data.constant_columns');
    expect(block.detail).toContain('tv_S');
    expect(ds.dataset).toBeNull();

    expect(ds.override(block.id, '  ')).toMatch(/needs a reason/);
    expect(ds.override(block.id, 'tv was off for the whole period; keep it to compare with other files')).toBeNull();
    await ds.settled();
    expect(ds.checks.report?.blocked).toBe(false);
    expect(ds.dataset?.dates.length).toBe(208);

    await ds.removeOverride(block.id);
    expect(ds.checks.report?.blocked).toBe(true);
    expect(ds.dataset).toBeNull();

    ds.setRole('tv_S', 'ignore');
    expect(ds.checks.phase).toBe('idle');
    expect(ds.checks.report).toBeNull();
    expect(ds.settings.config.data.channel_map.tv).toBeUndefined();
    await ds.runChecks();
    expect(ds.checks.report?.blocked).toBe(false);
    expect(ds.dataset?.channels.map((c) => c.name).sort()).toEqual(['facebook', 'ooh', 'print', 'search']);
  });

  it('with the checks on screen, they rerun by themselves after an edit', async () => {
    const ds = newState();
    await ds.loadBytes(FILE, bytes);
    ds.watchChecks(true);
    await ds.settled();
    expect(ds.dataset?.channels.length).toBe(5);
    ds.setRole('search_S', 'ignore');
    await ds.settled();
    expect(ds.checks.phase).toBe('done');
    expect(ds.dataset?.channels.length).toBe(4);
  });

  it('an unreadable file lands in load.error with the file named, never a throw', async () => {
    const ds = newState();
    await ds.loadBytes('empty.csv', new Uint8Array(0));
    expect(ds.load.phase).toBe('failed');
    expect(ds.load.error?.file).toBe('empty.csv');
    expect(ds.load.error?.message).toMatch(/empty/i);
    expect(ds.mapping.roles).toEqual([]);
    expect(ds.canCheck).toBe(false);
  });
});
