import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSyntheticGeo } from '../../src/core/synthetic/geo-generator.ts';
import { prepareGeoModelData } from '../../src/core/model/geo-model-data.ts';
import { DEFAULT_GEO_MODEL_SPEC } from '../../src/core/spec/geo-spec.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { assembleFit } from '../../src/core/inference/fit-result.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';

// Parameter recovery for the geo model: a panel drawn from the geo model with known truth, fitted
// by the app's fit job (kernel through the factory, in-process), must cover the true national and
// per-geo ROI with its 90% intervals.
describe('geo model recovery on a synthetic panel with known truth', () => {
  it('90% intervals cover national ROI of >= 3 of 4 channels and >= 80% of per-geo ROIs; chains converge', async () => {
    // the app's default geo spec (nonCentred beta, level intercepts)
    const { dataset, truth } = generateSyntheticGeo(new Rng(77), { geos: 5, weeks: 104, spec: DEFAULT_GEO_MODEL_SPEC });
    const spec = truth.spec;
    const data = prepareGeoModelData(dataset, spec);
    const settings = { ...DEFAULT_FIT_SETTINGS, chains: 4, warmup: 200, draws: 200, seed: 3, kernel: 'fused' as const, untilConverged: undefined };
    const runs = await runFitJob({ spec, data, chainIds: [0, 1, 2, 3], settings, kernel: 'fused' }, () => performance.now());
    const fit = assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS: 1 });
    const row = (name: string) => {
      const r = fit.summary.find((x) => x.name === name);
      if (!r) throw new Error(`no column ${name}`);
      return r;
    };
    const national = truth.channels.map((ch, c) => {
      const r = row(`roi[${ch}]`);
      return { ch, truth: truth.roi[c], q05: r.q05, q95: r.q95, ok: r.q05 <= truth.roi[c] && truth.roi[c] <= r.q95 };
    });
    expect(national.filter((c) => c.ok).length, JSON.stringify(national)).toBeGreaterThanOrEqual(3);
    let covered = 0;
    truth.geos.forEach((g, gi) =>
      truth.channels.forEach((ch, c) => {
        const r = row(`geo_roi[${g},${ch}]`);
        const v = truth.geoRoi[gi * truth.channels.length + c];
        if (r.q05 <= v && v <= r.q95) covered++;
      }),
    );
    expect(covered / (truth.geos.length * truth.channels.length)).toBeGreaterThanOrEqual(0.8);
    // the national contribution is the sum of the geo contributions in every draw
    const names = fit.names;
    const t = fit.tables[0];
    const iNat = names.indexOf(`contribution[${truth.channels[0]}]`);
    const iGeo = truth.geos.map((g) => names.indexOf(`geo_contribution[${g},${truth.channels[0]}]`));
    const sum = iGeo.reduce((s, i) => s + t.values[i], 0);
    expect(Math.abs(sum - t.values[iNat])).toBeLessThan(1e-9 * Math.abs(sum));
    // the quantities asserted above have mixed; every column within 1.1 at this short run length
    const roiRhat = Math.max(...fit.summary.filter((r) => /^(geo_)?roi\[/.test(r.name)).map((r) => r.rhat));
    expect(roiRhat).toBeLessThan(1.05);
    const worst = fit.summary.reduce((a, b) => (b.rhat > a.rhat ? b : a));
    expect(worst.rhat, worst.name).toBeLessThan(1.1);
  }, 600_000);
});
