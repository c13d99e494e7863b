import { describe, expect, it } from 'vitest';
import { analyseFit } from '../../src/core/analysis/analyse-fit.ts';
import { mediaSeries } from '../../src/core/analysis/decomposition.ts';
import { channelMetrics, outcomeWeights } from '../../src/core/analysis/roi.ts';
import { steadyStateResponse } from '../../src/core/analysis/curves.ts';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSynthetic } from '../../src/core/synthetic/generator.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { assembleFit } from '../../src/core/inference/fit-result.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';

// Recovery: synthetic data from the reference model with known parameters; the analysis of a
// fit must cover the true ROI, marginal ROI and response at current spend computed from the truth.
describe('analysis recovers known truth on synthetic data', () => {
  it('90% intervals cover the true ROI, mROI and current-spend response of at least 5 of 6 channels', async () => {
    const { dataset, truth } = generateSynthetic(new Rng(2024));
    const spec = DEFAULT_MODEL_SPEC;
    const data = prepareModelData(dataset, spec);
    const p = truth.params;
    const m = channelMetrics(spec, data, p, mediaSeries(spec, data, p), outcomeWeights(undefined, 'revenue', data.N));
    // the analysis' ROI of the true parameters is the generator's own ROI
    truth.roi.forEach((r, c) => expect(m.roi[c] / r).toBeCloseTo(1, 10));

    const settings = { ...DEFAULT_FIT_SETTINGS, chains: 4, warmup: 300, draws: 250, seed: 7, kernel: 'fused' as const, untilConverged: undefined };
    const runs = await runFitJob({ spec, data, chainIds: [0, 1, 2, 3], settings, kernel: 'fused' }, () => performance.now());
    const fit = assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS: 1 });
    const a = analyseFit(spec, data, fit, { kpiKind: 'revenue', maxDraws: 500, thin: 'seeded', seed: 5 });
    expect(a.roiUnit).toBe('revenue-per-spend');

    const rows = a.channels.map((ch, c) => {
      const current = steadyStateResponse(spec, data, p, c, Float64Array.of(ch.responseCurve.current))[0];
      const inside = (e: { q05: number; q95: number }, v: number) => e.q05 <= v && v <= e.q95;
      return {
        channel: ch.name,
        roi: `${m.roi[c].toFixed(2)} in [${ch.roi.q05.toFixed(2)}, ${ch.roi.q95.toFixed(2)}]`,
        mroi: `${m.mroi[c].toFixed(2)} in [${ch.mroi.q05.toFixed(2)}, ${ch.mroi.q95.toFixed(2)}]`,
        okRoi: inside(ch.roi, m.roi[c]),
        okMroi: inside(ch.mroi, m.mroi[c]),
        okCurrent: inside(ch.responseCurve.atCurrent, current),
        reasons: ch.identifiability.reasons.map((r) => r.code).join(','),
      };
    });
    console.table(rows);
    expect(rows.filter((r) => r.okRoi).length, JSON.stringify(rows)).toBeGreaterThanOrEqual(5);
    expect(rows.filter((r) => r.okMroi).length, JSON.stringify(rows)).toBeGreaterThanOrEqual(5);
    expect(rows.filter((r) => r.okCurrent).length, JSON.stringify(rows)).toBeGreaterThanOrEqual(5);
  }, 600_000);
});
