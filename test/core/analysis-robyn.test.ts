import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseFit } from '../../src/core/analysis/analyse-fit.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { runFitJob } from '../../src/core/inference/fit-worker-impl.ts';
import { assembleFit } from '../../src/core/inference/fit-result.ts';
import { DEFAULT_FIT_SETTINGS } from '../../src/core/inference/fit-settings.ts';
import { fixturePath, loadRobyn } from '../helpers/robyn.ts';

interface StanRoi {
  channel: string;
  mean: number;
  q05: number;
  q50: number;
  q95: number;
}

// A short fit of the Robyn demo, analysed: ROI agrees with the fit summary (same draws, same
// quantile rule) and with Stan's reference posterior (test/fixtures/reference/robyn.json).
describe('analysis of a fitted Robyn demo', () => {
  it('ROI intervals match the summary and Stan; the decomposition explains the KPI', async () => {
    const spec = DEFAULT_MODEL_SPEC;
    const data = prepareModelData(loadRobyn(), spec);
    const settings = { ...DEFAULT_FIT_SETTINGS, chains: 4, warmup: 300, draws: 250, seed: 3, kernel: 'fused' as const, untilConverged: undefined };
    const runs = await runFitJob({ spec, data, chainIds: [0, 1, 2, 3], settings, kernel: 'fused' }, () => performance.now());
    const fit = assembleFit(runs, { settings, kernel: 'fused', probes: [], wallS: 1 });
    const a = analyseFit(spec, data, fit, { maxDraws: 1000 });
    const stan: StanRoi[] = JSON.parse(readFileSync(fixturePath('reference/robyn.json'), 'utf8')).roi;

    const rows = a.channels.map((ch) => {
      const s = stan.find((r) => r.channel === ch.name)!;
      const id = ch.identifiability;
      return {
        channel: ch.name,
        roi: `${ch.roi.median.toFixed(2)} [${ch.roi.q05.toFixed(2)}, ${ch.roi.q95.toFixed(2)}]`,
        stan: `${s.q50.toFixed(2)} [${s.q05.toFixed(2)}, ${s.q95.toFixed(2)}]`,
        mroi: `${ch.mroi.median.toFixed(2)} [${ch.mroi.q05.toFixed(2)}, ${ch.mroi.q95.toFixed(2)}]`,
        share: `${(100 * a.parts.find((p) => p.name === ch.name)!.share.median).toFixed(1)}%`,
        peakLag: ch.adstock.peakLag.median,
        meanLag: ch.adstock.meanLag.median.toFixed(2),
        contraction: id.contraction.toFixed(2),
        roiContraction: id.roiContraction.toFixed(2),
        priorRoi: `${ch.priorRoi!.median.toFixed(1)} [${ch.priorRoi!.q05.toFixed(1)}, ${ch.priorRoi!.q95.toFixed(1)}]`,
        reasons: id.reasons.map((r) => r.code).join(','),
      };
    });
    console.table(rows);
    console.table(a.parts.map((p) => ({ part: p.name, share: `${(100 * p.share.median).toFixed(1)}% [${(100 * p.share.q05).toFixed(1)}, ${(100 * p.share.q95).toFixed(1)}]` })));

    // thinned from 1000 pooled draws with maxDraws 1000: the very same draws as the summary
    expect(a.nDraws).toBe(1000);
    for (const ch of a.channels) {
      const row = fit.summary.find((r) => r.name === `roi[${ch.name}]`)!;
      expect(ch.roi.q05).toBeCloseTo(row.q05, 10);
      expect(ch.roi.q95).toBeCloseTo(row.q95, 10);
      expect(ch.roi.mean).toBeCloseTo(row.mean, 10);
      const s = stan.find((r) => r.channel === ch.name)!;
      // same model, same data: Stan's median inside our 90% interval and ours inside Stan's
      expect(s.q50, ch.name).toBeGreaterThan(ch.roi.q05);
      expect(s.q50, ch.name).toBeLessThan(ch.roi.q95);
      expect(ch.roi.median, ch.name).toBeGreaterThan(s.q05);
      expect(ch.roi.median, ch.name).toBeLessThan(s.q95);
      // a saturating curve: the marginal return is below the average return
      expect(ch.mroi.median, ch.name).toBeLessThan(ch.roi.median);
    }
    // the fitted total is the observed total up to the residuals (Robyn's fit is tight)
    expect(Math.abs(a.fittedTotal.median / a.observedTotal - 1)).toBeLessThan(0.01);
    // tv is the best identified channel in Stan's run (90% width / median 0.75)
    expect(a.channels[0].identifiability.reasons.map((r) => r.code)).not.toContain('wide-roi-interval');
  }, 600_000);
});
