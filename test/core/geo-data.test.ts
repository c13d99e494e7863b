import { describe, expect, it } from 'vitest';
import { geoDatasetFromLong, type GeoDataMapping, type LongTable } from '../../src/core/model/geo-dataset.ts';
import { prepareGeoModelData, geoSlice } from '../../src/core/model/geo-model-data.ts';
import { DEFAULT_GEO_MODEL_SPEC } from '../../src/core/spec/geo-spec.ts';
import { buildGeoLayout } from '../../src/core/model/geo-layout.ts';
import { deriveGeoChannels } from '../../src/core/model/geo-derived.ts';
import { constrainGeo, toGeoParams } from '../../src/core/model/geo-posterior.ts';

// A 2-geo x 3-week panel, rows shuffled, small enough to check by hand.
const table = (): LongTable => ({
  week: ['2024-01-08', '2024-01-01', '2024-01-15', '2024-01-01', '2024-01-08', '2024-01-15'],
  region: ['B', 'A', 'A', 'B', 'A', 'B'],
  pop: [200, 100, 100, 200, 100, 200],
  sales: [40, 10, 30, 20, 20, 60],
  tv: [4, 1, 3, 2, 2, 0],
  temp: [1, 2, 3, 4, 5, 6],
});
const mapping: GeoDataMapping = { date: 'week', geo: 'region', population: 'pop', target: 'sales', channels: ['tv'], controls: ['temp'], factorControls: {} };

describe('geoDatasetFromLong', () => {
  it('orders geos and dates and lays series out geo-major', () => {
    const ds = geoDatasetFromLong(table(), mapping);
    expect(ds.geos).toEqual(['A', 'B']);
    expect(ds.dates).toEqual(['2024-01-01', '2024-01-08', '2024-01-15']);
    expect(Array.from(ds.population)).toEqual([100, 200]);
    expect(Array.from(ds.target.values)).toEqual([10, 20, 30, 20, 40, 60]);
    expect(Array.from(ds.channels[0].spend)).toEqual([1, 2, 3, 2, 4, 0]);
  });

  it('names the column, row and fix on bad input', () => {
    const t = table();
    expect(() => geoDatasetFromLong(t, { ...mapping, channels: ['radio'] })).toThrow(/Column "radio" is not in the table/);
    (t.sales as (string | number | null)[])[2] = null;
    expect(() => geoDatasetFromLong(t, mapping)).toThrow(/Column "sales" row 3 is not a number/);
    const dup = table();
    (dup.week as string[])[0] = '2024-01-01'; // B has 01-01 twice and no 01-08
    expect(() => geoDatasetFromLong(dup, mapping)).toThrow(/repeats geo "B" on 2024-01-01/);
    const pop = table();
    (pop.pop as number[])[5] = 300;
    expect(() => geoDatasetFromLong(pop, mapping)).toThrow(/Population of geo "B" changes over time \(column "pop" row 6\)/);
    const neg = table();
    (neg.tv as number[])[0] = -1;
    expect(() => geoDatasetFromLong(neg, mapping)).toThrow(/Column "tv" row 1 has negative spend/);
    const gap = Object.fromEntries(Object.entries(table()).map(([k, v]) => [k, Array.from(v).slice(0, 5)]));
    expect(() => geoDatasetFromLong(gap, mapping)).toThrow(/Geo "B" has no row for 2024-01-15/);
  });
});

describe('prepareGeoModelData (per-capita scaling)', () => {
  const data = prepareGeoModelData(geoDatasetFromLong(table(), mapping), DEFAULT_GEO_MODEL_SPEC);
  it('divides KPI and spend by population, then by their means over all geo-weeks', () => {
    // per-capita sales: A 0.1 0.2 0.3, B 0.1 0.2 0.3 -> mean 0.2
    expect(data.yScale).toBeCloseTo(0.2, 15);
    expect(Array.from(data.y).map((v) => +v.toFixed(12))).toEqual([0.5, 1, 1.5, 0.5, 1, 1.5]);
    // per-capita tv: A .01 .02 .03, B .01 .02 0 -> mean 0.015
    expect(data.spendMean[0]).toBeCloseTo(0.015, 15);
    expect(Array.from(data.X).map((v) => +v.toFixed(12))).toEqual([2 / 3, 4 / 3, 2, 2 / 3, 4 / 3, 0].map((v) => +v.toFixed(12)));
    expect(Array.from(data.spendTotal)).toEqual([6, 6]);
    // temp standardised over all 6 geo-weeks: mean 3.5, sd sqrt(3.5)
    expect(data.Z[0]).toBeCloseTo((2 - 3.5) / Math.sqrt(3.5), 14);
  });
  it('derives per-geo contributions in KPI units that sum to the national one', () => {
    const layout = buildGeoLayout(DEFAULT_GEO_MODEL_SPEC, data);
    const x = constrainGeo(layout, Float64Array.from({ length: layout.dim }, (_, i) => 0.1 * Math.sin(i + 1)));
    const d = deriveGeoChannels(DEFAULT_GEO_MODEL_SPEC, data, toGeoParams(layout, x, { spec: DEFAULT_GEO_MODEL_SPEC, data }));
    expect(d.contribution[0]).toBeCloseTo(d.geoContribution[0] + d.geoContribution[1], 9);
    expect(d.roi[0]).toBeCloseTo(d.contribution[0] / 12, 12);
    expect(d.geoRoi[1]).toBeCloseTo(d.geoContribution[1] / 6, 12);
    // geo B's slice carries B's own units: yScale x population
    expect(geoSlice(data, 1).yScale).toBeCloseTo(0.2 * 200, 12);
  });
});

describe('model families through the kernel factory', () => {
  it('routes a geo spec with geo data to the geo kernels and refuses mixed pairs', async () => {
    const { createKernel } = await import('../../src/core/kernels/factory.ts');
    const { modelOf } = await import('../../src/core/model/model-kind.ts');
    const { DEFAULT_MODEL_SPEC } = await import('../../src/core/spec/model-spec.ts');
    const data = prepareGeoModelData(geoDatasetFromLong(table(), mapping), DEFAULT_GEO_MODEL_SPEC);
    const k = await createKernel('fused', DEFAULT_GEO_MODEL_SPEC, data);
    expect(k.dim).toBe(buildGeoLayout(DEFAULT_GEO_MODEL_SPEC, data).dim);
    expect(() => modelOf(DEFAULT_MODEL_SPEC, data)).toThrow(/Geo panel data need the geo model spec/);
  });

  it('starts geo chains in the geo init box (log beta_tau in (-3, -1), the rest in (-1, 1)) and rejects a bad box', async () => {
    const { modelInitBox, modelOf } = await import('../../src/core/model/model-kind.ts');
    const { createChain } = await import('../../src/core/inference/chain.ts');
    const { asLogDensity } = await import('../../src/core/kernels/kernel.ts');
    const { createFusedGeoKernel } = await import('../../src/core/kernels/fused-geo.ts');
    const { Rng } = await import('../../src/core/inference/rng.ts');
    const data = prepareGeoModelData(geoDatasetFromLong(table(), mapping), DEFAULT_GEO_MODEL_SPEC);
    const layout = buildGeoLayout(DEFAULT_GEO_MODEL_SPEC, data);
    const box = modelInitBox(modelOf(DEFAULT_GEO_MODEL_SPEC, data))!;
    const tau = layout.byName.beta_tau!;
    const target = asLogDensity(createFusedGeoKernel(DEFAULT_GEO_MODEL_SPEC, data));
    for (let c = 0; c < 4; c++) {
      const init = createChain({ target, rng: Rng.forChain(1, c), warmup: 0, draws: 0, initBox: box }).result().init;
      init.forEach((u, i) => {
        const isTau = i >= tau.offset && i < tau.offset + tau.size;
        expect(u, layout.names[i]).toBeGreaterThanOrEqual(isTau ? -3 : -1);
        expect(u, layout.names[i]).toBeLessThanOrEqual(isTau ? -1 : 1);
      });
    }
    const bad = { lo: box.lo, hi: Float64Array.from(box.lo) };
    expect(() => createChain({ target, rng: new Rng(1), warmup: 0, draws: 0, initBox: bad })).toThrow(/init box coordinate 0: lo -1 must be below hi -1/);
  });
});
