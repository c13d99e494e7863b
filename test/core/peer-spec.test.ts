import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePeerSpec, peerSpecToData } from '../../src/core/spec/peer-spec.ts';
import { formatSpecIssues } from '../../src/core/spec/parse.ts';

describe('peer spec JSON {date, target, channels, controls, factor_controls, revenue_per_kpi?}', () => {
  it('the reference spec maps each channel by its spend column', () => {
    const r = parsePeerSpec(JSON.parse(readFileSync('test/fixtures/reference/robyn_spec.json', 'utf8')));
    if (!r.ok) throw new Error(formatSpecIssues(r.issues));
    expect(peerSpecToData(r.value, 'robyn.csv')).toEqual({
      file: 'robyn.csv',
      date_col: 'DATE',
      kpi_col: 'revenue',
      channel_map: { tv_S: { spend: 'tv_S' }, ooh_S: { spend: 'ooh_S' }, print_S: { spend: 'print_S' }, facebook_S: { spend: 'facebook_S' }, search_S: { spend: 'search_S' } },
      controls: ['competitor_sales_B'],
      factor_controls: { events: 'na' },
    });
  });

  it('controls and factor_controls may be left out; revenue_per_kpi is carried', () => {
    const r = parsePeerSpec({ date: 'd', target: 'conversions', channels: ['a'], revenue_per_kpi: 'aov' });
    if (!r.ok) throw new Error(formatSpecIssues(r.issues));
    expect(r.value).toEqual({ date: 'd', target: 'conversions', channels: ['a'], controls: [], factor_controls: {}, revenue_per_kpi: 'aov' });
  });

  it('geo and population put the mapping at geo grain with per-capita scaling; population needs geo', () => {
    const r = parsePeerSpec(JSON.parse(readFileSync('bench/meridian_geo_spec.json', 'utf8')));
    if (!r.ok) throw new Error(formatSpecIssues(r.issues));
    expect(r.value.geo).toBe('geo');
    const d = peerSpecToData(r.value, 'meridian_geo_media.csv');
    expect(d.keys).toEqual({ geo: 'geo' });
    expect(d.grain?.level).toBe('geo');
    expect(d.population_col).toBe('population');
    expect(peerSpecToData({ ...r.value, geo: undefined, population: undefined }).grain).toBeUndefined();
    const bad = parsePeerSpec({ date: 'd', target: 'y', channels: ['a'], population: 'pop' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(formatSpecIssues(bad.issues)).toMatch(/^population: population needs geo/m);
  });

  it('names the key and what was expected instead of throwing', () => {
    const r = parsePeerSpec({ date: 'd', target: '', channels: 'tv_S', factor_controls: { events: 1 }, extra: true });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatSpecIssues(r.issues);
    expect(text).toMatch(/^target: expected the KPI column name, got an empty string$/m);
    expect(text).toMatch(/^channels: expected a list of spend column names$/m);
    expect(text).toMatch(/^factor_controls\.events: expected a baseline level/m);
    expect(text).toMatch(/extra/);
    expect(parsePeerSpec(null).ok).toBe(false);
  });
});
