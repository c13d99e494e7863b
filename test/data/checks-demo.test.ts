import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';
import { runAllChecks } from '../../src/data/checks/index.ts';
import { toCheckMapping } from '../../src/data/mapping.ts';
import { DEFAULT_VALIDATION_CONFIG } from '../../src/core/spec/config-validation.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
  for (const [name, file] of [
    ['robyn', 'robyn_simulated_weekly.csv'],
    ['meridian_geo', 'meridian_geo_media.csv'],
    ['meridian_national', 'meridian_national_media.csv'],
  ]) {
    await db.registerFile(file!, readFileSync(`public/demo/${file}`));
    await db.exec(`CREATE TABLE ${name} AS SELECT * FROM read_csv('${file}')`);
  }
});
afterAll(async () => db.close());

describe('demo datasets', () => {
  it('Robyn: no block; warns only on outliers, flighted zero-spend channels and facebook cost per unit', async () => {
    const mapping = toCheckMapping({
        date_col: 'DATE',
        kpi_col: 'revenue',
        channel_map: {
          tv_S: { spend: 'tv_S' },
          ooh_S: { spend: 'ooh_S' },
          print_S: { spend: 'print_S' },
          facebook_S: { spend: 'facebook_S', exposure: 'facebook_I' },
          search_S: { spend: 'search_S', exposure: 'search_clicks_P' },
        },
        controls: ['competitor_sales_B', 'newsletter'],
        factor_controls: { events: 'na' },
        ignored: [],
        keys: {},
      });
    const rep = await runAllChecks(db, 'robyn', mapping, DEFAULT_VALIDATION_CONFIG, { now: '2019-12-01' });
    const bySev = (s: string) => rep.results.filter((r) => r.severity === s).map((r) => r.id);
    expect(bySev('block')).toEqual([]);
    expect(bySev('warn')).toEqual(['data.outliers', 'data.zero_spend', 'data.cost_per_unit']);
    // Flighted channels: tv/ooh/print/facebook are at zero 106-123 of 208 weeks (README), search 32.
    const zero = rep.results.find((r) => r.id === 'data.zero_spend')!.evidence.channels as { channel: string; zeroWeeks: number }[];
    expect(zero.map((z) => [z.channel, z.zeroWeeks])).toEqual([
      ['tv_S', 116],
      ['ooh_S', 123],
      ['print_S', 121],
      ['facebook_S', 107],
      ['search_S', 32],
    ]);
    // 208 weeks / (2 + 4 + 4*5 + (2 controls + 2 event dummies) + 1 = 31) = 6.7 weeks per parameter.
    expect(rep.results.find((r) => r.id === 'data.data_param_ratio')!.evidence).toMatchObject({ weeks: 208, parameters: 31 });
    // Contract checks (weight 3, 10 of them with data.kpi_values) all pass; 3 of 8 advisory checks warn: (30 + 6.5) / 38.
    expect(rep.score).toBeCloseTo(36.5 / 38, 12);
    expect(rep.belowMinScore).toBe(false);
  });

  it('Meridian national: every check passes; constant CPM per channel is stable', async () => {
    const channels = [0, 1, 2, 3].map((i) => ({ name: `Channel${i}`, spend: `Channel${i}_spend`, exposure: `Channel${i}_impression` }));
    const rep = await runAllChecks(
      db,
      'meridian_national',
      { date: 'time', kpi: 'conversions', channels, controls: ['competitor_activity_score_control', 'sentiment_score_control'], factors: [], keys: [] },
      DEFAULT_VALIDATION_CONFIG,
      { now: '2024-02-01' },
    );
    expect(rep.results.filter((r) => r.severity !== 'info').map((r) => r.id)).toEqual([]);
    expect(rep.results.find((r) => r.id === 'data.cost_per_unit')!.severity).toBe('info');
    expect(rep.results.find((r) => r.id === 'data.coverage')!.evidence).toMatchObject({ weeks: 156, missingWeeks: 0 });
  });

  it('Meridian geo: 20 geos x 156 weeks, full key coverage, no duplicates per geo-week', async () => {
    const channels = [0, 1, 2, 3].map((i) => ({ name: `Channel${i}`, spend: `Channel${i}_spend`, exposure: `Channel${i}_impression` }));
    const rep = await runAllChecks(
      db,
      'meridian_geo',
      { date: 'time', kpi: 'conversions', channels, controls: ['competitor_activity_score_control', 'sentiment_score_control'], factors: [], keys: ['geo'] },
      DEFAULT_VALIDATION_CONFIG,
      { now: '2024-02-01' },
    );
    expect(rep.results.filter((r) => r.severity === 'block')).toEqual([]);
    expect(rep.results.find((r) => r.id === 'data.key_coverage')!.evidence).toMatchObject({ keys: 20, totalWeeks: 156, flagged: [] });
    expect(rep.results.find((r) => r.id === 'data.duplicates')!.severity).toBe('info');
  });
});
