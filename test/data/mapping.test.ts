import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { ingestFile } from '../../src/data/ingest.ts';
import { channelName, proposeMapping, type MappingProposal } from '../../src/data/mapping.ts';
import { profileTable } from '../../src/data/profile.ts';

const DATA = 'public/demo/';

describe('mapping proposal', () => {
  let db: Db;
  const propose = async (file: string): Promise<MappingProposal> => {
    await ingestFile(db, { name: file, bytes: new Uint8Array(readFileSync(DATA + file)) }, { table: 'm' });
    return proposeMapping(await profileTable(db, 'm'));
  };
  const roleOf = (p: MappingProposal, col: string) => p.roles.find((r) => r.column === col)!;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());

  it('maps the Robyn demo as the Stan reference spec does, with no edits', async () => {
    const spec = JSON.parse(readFileSync('test/fixtures/reference/robyn_spec.json', 'utf8'));
    const p = await propose('robyn_simulated_weekly.csv');
    expect(p.problems).toEqual([]);
    expect(p.data.date_col).toBe(spec.date);
    expect(p.data.kpi_col).toBe(spec.target);
    expect(Object.values(p.data.channel_map).map((c) => c.spend).sort()).toEqual([...spec.channels].sort());
    expect(p.data.controls).toEqual(spec.controls);
    expect(p.data.factor_controls).toEqual(spec.factor_controls);
    expect(p.data.channel_map.facebook).toEqual({ spend: 'facebook_S', exposure: 'facebook_I' });
    expect(p.data.channel_map.search).toEqual({ spend: 'search_S', exposure: 'search_clicks_P' });
    // newsletter is organic (no spend, so no ROI): out of the model, as in the Stan reference.
    expect(roleOf(p, 'newsletter').role).toBe('organic');
    expect(p.data.ignored).toEqual(['newsletter']);
    expect(p.data.keys).toEqual({});
    expect(roleOf(p, 'tv_S').reason).toMatch(/ends in _S and values are non-negative currency-like/);
    expect(roleOf(p, 'events').reason).toMatch(/'na' \(206 of 208 rows\)/);
  });

  it.each(['meridian_national_media.csv', 'meridian_geo_media.csv'])('maps %s (time, conversions, Channel*_spend with impressions, *_control)', async (file) => {
    const p = await propose(file);
    expect(p.problems).toEqual([]);
    expect(p.data.date_col).toBe('time');
    expect(p.data.kpi_col).toBe('conversions');
    expect(p.data.channel_map).toEqual(Object.fromEntries([0, 1, 2, 3].map((k) => [`Channel${k}`, { spend: `Channel${k}_spend`, exposure: `Channel${k}_impression` }])));
    expect(p.data.controls).toEqual(['competitor_activity_score_control', 'sentiment_score_control']);
    expect(p.data.factor_controls).toEqual({});
    expect(roleOf(p, 'revenue_per_conversion').role).toBe('ignore');
    if (file.includes('geo')) {
      expect(p.data.keys).toEqual({ geo: 'geo' });
      expect(roleOf(p, 'geo').reason).toMatch(/each date appears once per value/);
      expect(roleOf(p, 'population').role).toBe('ignore');
    } else expect(p.data.keys).toEqual({});
  });

  it('maps reach/frequency and organic columns of the other Meridian files out of the channels', async () => {
    const rf = await propose('meridian_national_media_rf.csv');
    expect(rf.data.channel_map.Channel3).toEqual({ spend: 'Channel3_spend', exposure: 'Channel3_impression' });
    expect(rf.data.ignored).toEqual(expect.arrayContaining(['Channel3_reach', 'Channel3_frequency']));
    const all = await propose('meridian_national_all_channels.csv');
    expect(Object.keys(all.data.channel_map)).toHaveLength(5);
    expect(roleOf(all, 'Organic_channel0_impression').role).toBe('organic');
    expect(all.data.controls).toEqual(['competitor_sales_control', 'sentiment_score_control', 'Promo']);
  });

  it('reports what it cannot find instead of guessing', async () => {
    const p = await propose('robyn_prophet_holidays_DE.csv');
    expect(p.data.date_col).toBe('ds');
    expect(p.problems.join(' ')).toMatch(/No KPI column/);
    expect(p.problems.join(' ')).toMatch(/No spend column/);
  });

  it('keeps a spend column with text cells as spend, so the checks can name the cells', async () => {
    await ingestFile(db, { name: 't.csv', bytes: new TextEncoder().encode('date,revenue,tv_spend\n2024-01-01,1,2\n2024-01-08,2,n/a\n2024-01-15,3,4\n2024-01-22,3,5\n2024-01-29,3,6\n') }, { table: 't' });
    const p = proposeMapping(await profileTable(db, 't'));
    expect(roleOf(p, 'tv_spend')).toMatchObject({ role: 'spend', channel: 'tv' });
    expect(roleOf(p, 'tv_spend').reason).toMatch(/read as text/);
  });

  it('strips channel suffixes', () => {
    expect(['tv_S', 'search_clicks_P', 'facebook_I', 'Channel0_spend', 'Channel3_reach', 'display_impressions', 'x1'].map(channelName)).toEqual([
      'tv', 'search', 'facebook', 'Channel0', 'Channel3', 'display', 'x1',
    ]);
  });
});
