import { createWriteStream } from 'node:fs';
import { Rng } from '../src/core/inference/rng.ts';

/** Shape of the synthetic daily geo x product table of the data benchmark. */
export interface BenchTableShape {
  geos: number;
  products: number;
  days: number;
  /** First day, ISO YYYY-MM-DD (UTC). */
  start: string;
  seed: number;
}

/** 200 geos x 5 products x 1000 days = 1,000,000 rows. */
export const DEFAULT_SHAPE: BenchTableShape = { geos: 200, products: 5, days: 1000, start: '2021-01-04', seed: 20240101 };

/** Paid channels of the benchmark table; each has a `<name>_spend` column. */
export const BENCH_CHANNELS = ['tv', 'radio', 'search', 'social', 'display'] as const;

/** Header: date, geo, product, then the 10 numeric columns. */
export const BENCH_COLUMNS = [
  'date',
  'geo',
  'product',
  'revenue',
  ...BENCH_CHANNELS.map((c) => `${c}_spend`),
  'search_clicks',
  'social_impressions',
  'price',
  'temperature',
] as const;

/**
 * Writes the benchmark CSV to `path`: one row per (day, geo, product), sorted by day then key,
 * 10 numeric columns (revenue, 5 spends >= 0 with flighted zero weeks, 2 exposures, price,
 * temperature). Deterministic: same shape and seed give the same bytes.
 * @returns rows written and bytes of the file
 */
export async function writeBenchCsv(path: string, shape: BenchTableShape = DEFAULT_SHAPE): Promise<{ rows: number; bytes: number }> {
  const rng = new Rng(shape.seed);
  const out = createWriteStream(path);
  let bytes = 0;
  const write = (s: string) =>
    new Promise<void>((resolve) => {
      bytes += Buffer.byteLength(s);
      if (out.write(s)) resolve();
      else out.once('drain', () => resolve());
    });
  await write(BENCH_COLUMNS.join(',') + '\n');
  const nKeys = shape.geos * shape.products;
  // per-key scale and per-channel level, fixed over time
  const scale = Float64Array.from({ length: nKeys }, () => 0.5 + rng.uniform());
  const level = Float64Array.from({ length: nKeys * BENCH_CHANNELS.length }, () => 50 + 450 * rng.uniform());
  const t0 = Date.parse(`${shape.start}T00:00:00Z`);
  let rows = 0;
  for (let d = 0; d < shape.days; d++) {
    const date = new Date(t0 + d * 86_400_000).toISOString().slice(0, 10);
    const week = Math.floor(d / 7);
    const season = 1 + 0.2 * Math.sin((2 * Math.PI * d) / 365.25);
    const temp = 12 + 10 * Math.sin((2 * Math.PI * (d - 100)) / 365.25);
    // channels are flighted by week: off in some weeks for every key (true zeros)
    const on = BENCH_CHANNELS.map((_, c) => ((week * 7 + c * 3) % 11 < 7 ? 1 : 0));
    let chunk = '';
    for (let g = 0; g < shape.geos; g++) {
      for (let p = 0; p < shape.products; p++) {
        const k = g * shape.products + p;
        let revenue = 1000 * scale[k] * season;
        const spends: string[] = [];
        let search = 0;
        let social = 0;
        for (let c = 0; c < BENCH_CHANNELS.length; c++) {
          const s = on[c] * level[k * BENCH_CHANNELS.length + c] * (0.7 + 0.6 * rng.uniform());
          if (c === 2) search = s;
          if (c === 3) social = s;
          revenue += (0.8 + 0.3 * c) * Math.sqrt(s) * 10;
          spends.push(s.toFixed(2));
        }
        revenue *= 1 + 0.05 * rng.normal();
        const price = 9.99 + p + 0.5 * rng.normal();
        chunk +=
          `${date},geo_${String(g).padStart(3, '0')},product_${p},${revenue.toFixed(2)},${spends.join(',')},` +
          `${Math.round(search * 2.1)},${Math.round(social * 95)},${price.toFixed(3)},${(temp + 2 * rng.normal()).toFixed(1)}\n`;
        rows++;
      }
    }
    await write(chunk);
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { rows, bytes };
}
