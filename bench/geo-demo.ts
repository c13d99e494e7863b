import { readFileSync } from 'node:fs';
import { geoDatasetFromLong, type GeoDataset, type LongTable } from '../src/core/model/geo-dataset.ts';

// Meridian's geo demo (public/demo/meridian_geo_media.csv: 20 geos x 156 weeks x 4 channels,
// 2 controls, population per geo) as a GeoDataset, mapped as bench/geo.ts maps it, for the Stan
// checks (scripts/verify-stan.ts, bench/stan-geo-peer.ts). The CSV is plain (no quotes, no
// empty cells): a split is enough here; the app reads it with DuckDB.

/** The demo's file, relative to the repository root. */
export const MERIDIAN_GEO_CSV = 'public/demo/meridian_geo_media.csv';

/** The demo's paid channels (spend columns). */
export const MERIDIAN_GEO_CHANNELS = [0, 1, 2, 3].map((c) => `Channel${c}_spend`);

/**
 * The demo as a GeoDataset through geoDatasetFromLong: KPI `conversions`, geo `geo`, population
 * `population`, the 4 spend columns and the 2 numeric controls.
 * @param path CSV path (default the demo)
 */
export function loadMeridianGeoDemo(path = MERIDIAN_GEO_CSV): GeoDataset {
  const text = readFileSync(path, 'utf8').trim().split('\n');
  const header = text[0].split(',');
  const table: LongTable = Object.fromEntries(header.map((h) => [h, [] as (string | number)[]]));
  for (const line of text.slice(1)) line.split(',').forEach((v, i) => (table[header[i]] as (string | number)[]).push(v));
  return geoDatasetFromLong(table, {
    date: 'time', geo: 'geo', population: 'population', target: 'conversions', channels: MERIDIAN_GEO_CHANNELS,
    controls: ['competitor_activity_score_control', 'sentiment_score_control'], factorControls: {},
  });
}
