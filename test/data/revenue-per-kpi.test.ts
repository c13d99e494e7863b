import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';
import { runPipeline } from '../../src/data/pipeline.ts';

// Meridian's revenue_per_conversion as the mapping's revenue-per-KPI role: proposed by name, kept
// out of the model's inputs, carried into the Dataset per week, and averaged KPI-weighted when
// daily rows are summed into weeks (sum(kpi x rate) = revenue is what must survive).

const FILE = 'meridian_national_media.csv';
const NOW = '2024-06-01';
let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
}, 120_000);
afterAll(async () => db?.close());

/** Column j of a simple CSV (no quotes) as numbers. */
function column(text: string, name: string): number[] {
  const [head, ...rows] = text.trim().split(/\r?\n/);
  const j = head!.split(',').indexOf(name);
  return rows.map((r) => Number(r.split(',')[j]));
}

describe('revenue per KPI (data.revenue_per_kpi)', { timeout: 180_000 }, () => {
  it('maps Meridian national revenue_per_conversion by name and hands it to the Dataset week by week', async () => {
    const bytes = new Uint8Array(readFileSync(`public/demo/${FILE}`));
    const r = await runPipeline(db, { name: FILE, bytes }, {}, { now: NOW });
    expect(r.config.data.kpi_col).toBe('conversions');
    expect(r.config.data.revenue_per_kpi).toBe('revenue_per_conversion');
    expect(r.config.data.controls).not.toContain('revenue_per_conversion');
    const why = r.proposal!.roles.find((x) => x.column === 'revenue_per_conversion')!.reason;
    expect(why).toMatch(/revenue per unit of the KPI/);
    const d = r.dataset!;
    const rpk = d.revenuePerKpi!;
    expect(rpk.name).toBe('revenue_per_conversion');
    if (rpk.name === null) throw new Error('expected a column');
    expect(Array.from(rpk.values)).toEqual(column(new TextDecoder().decode(bytes), 'revenue_per_conversion'));
  });

  it('sums daily rows into weeks with the KPI-weighted rate, and a constant from the config applies to every week', async () => {
    // 60 weeks of daily rows; in every week kpi 10 at rate 2 on six days and kpi 40 at rate 0.5 on the seventh
    const lines = ['date,conversions,revenue_per_conversion,tv_spend'];
    const start = Date.UTC(2023, 0, 2); // a Monday
    for (let i = 0; i < 7 * 60; i++) {
      const day = new Date(start + i * 86_400_000).toISOString().slice(0, 10);
      const odd = i % 7 === 6;
      lines.push(`${day},${odd ? 40 : 10 + (i % 3) + (Math.floor(i / 7) % 5)},${odd ? 0.5 : 2},${100 + ((i * 37) % 50)}`);
    }
    const bytes = new TextEncoder().encode(lines.join('\n'));
    const r = await runPipeline(db, { name: 'daily.csv', bytes }, {}, { now: '2024-03-01' });
    expect(r.results.filter((x) => x.severity === 'block').map((x) => `${x.id}: ${x.detail}`)).toEqual([]);
    const rpk = r.dataset!.revenuePerKpi!;
    if (rpk.name === null) throw new Error('expected a column');
    // hand value, week 1: kpi 10, 11, 12, 10, 11, 12 at rate 2 and 40 at 0.5 -> (66 x 2 + 40 x 0.5) / (66 + 40) = 152 / 106
    expect(rpk.values[0]).toBeCloseTo(152 / 106, 12);
    expect(r.dataset!.target.values[0]).toBe(106);
    const c = await runPipeline(db, { name: FILE, bytes: new Uint8Array(readFileSync(`public/demo/${FILE}`)) }, { data: { revenue_per_kpi: 2.5 } }, { now: NOW });
    expect(c.dataset!.revenuePerKpi).toEqual({ name: null, value: 2.5 });
  });
});
