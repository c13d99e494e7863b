import { describe, expect, it } from 'vitest';
import { analyseGeoFit } from '../../src/core/analysis/geo-analysis.ts';
import { generateSyntheticGeo } from '../../src/core/synthetic/geo-generator.ts';
import { prepareGeoModelData } from '../../src/core/model/geo-model-data.ts';
import { buildGeoLayout } from '../../src/core/model/geo-layout.ts';
import { fromGeoParams, unconstrainGeo } from '../../src/core/model/geo-posterior.ts';
import { toGeoDrawTable } from '../../src/core/model/geo-derived.ts';
import { Rng } from '../../src/core/inference/rng.ts';

// analyseGeoFit at the generator's truth (every draw the same point): national and per-geo ROI
// equal the generator's own ROI (a second implementation), and revenue per KPI weights them as
// hand-computed.

const { dataset, truth } = generateSyntheticGeo(new Rng(7), { geos: 3, weeks: 40 });
const data = prepareGeoModelData(dataset, truth.spec);
const layout = buildGeoLayout(truth.spec, data);
const theta = unconstrainGeo(layout, fromGeoParams(layout, truth.params, { spec: truth.spec, data }));
const table = toGeoDrawTable(truth.spec, data, layout, Float64Array.from([...theta, ...theta]));
const fit = { names: table.names, tables: [table] };
const { G, C, N } = data;

describe('analyseGeoFit', () => {
  it('gives the generator truth for national and per-geo ROI and contributions, with degenerate intervals', () => {
    const a = analyseGeoFit(truth.spec, data, fit);
    expect(a.nDraws).toBe(2);
    expect(a.roiUnit).toBe('kpi-per-spend');
    for (let c = 0; c < C; c++) {
      expect(a.national[c].roi.mean).toBeCloseTo(truth.roi[c], 9);
      expect(a.national[c].roi.q05).toBeCloseTo(truth.roi[c], 9);
      expect(a.national[c].contribution.mean / truth.contribution[c]).toBeCloseTo(1, 9);
      for (let g = 0; g < G; g++) expect(a.geos[g].channels[c].roi.mean).toBeCloseTo(truth.geoRoi[g * C + c], 9);
    }
    const media = truth.contribution.reduce((s, v) => s + v, 0);
    expect(a.media.mean / media).toBeCloseTo(1, 9);
  });

  it('turns ROI into revenue with revenue per KPI per geo-week (geo g worth g + 1 per KPI unit)', () => {
    const rpk = Float64Array.from({ length: G * N }, (_, i) => Math.floor(i / N) + 1);
    const a = analyseGeoFit(truth.spec, data, fit, { revenuePerKpi: rpk });
    expect(a.roiUnit).toBe('revenue-per-spend');
    for (let c = 0; c < C; c++) {
      let revenue = 0, spend = 0;
      for (let g = 0; g < G; g++) {
        expect(a.geos[g].channels[c].roi.mean).toBeCloseTo((g + 1) * truth.geoRoi[g * C + c], 9);
        revenue += (g + 1) * truth.geoContribution[g * C + c];
        spend += data.spendTotal[g * C + c];
      }
      expect(a.national[c].roi.mean / (revenue / spend)).toBeCloseTo(1, 9);
      // contributions stay in KPI units
      expect(a.national[c].contribution.mean / truth.contribution[c]).toBeCloseTo(1, 9);
    }
    expect(() => analyseGeoFit(truth.spec, data, fit, { revenuePerKpi: rpk.subarray(1) })).toThrow(/3 geos x 40 weeks/);
  });
});
