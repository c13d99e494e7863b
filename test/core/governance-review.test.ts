import { describe, expect, it } from 'vitest';
import { compareReproducibility } from '../../src/core/governance/reproducibility.ts';
import { reviewRefresh, type ReviewedRun } from '../../src/core/governance/refresh-review.ts';
import { memoToMarkdown } from '../../src/core/governance/memo.ts';
import { governanceConfigSchema } from '../../src/core/spec/config-governance.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { ROBYN_MAPPING, copyTable, headRows, makeRun, readRobyn } from './governance-fixtures.ts';

const TH = governanceConfigSchema.parse({});
const { table: FULL } = readRobyn();
const CFG = defaultConfig();
const settings = (lags: number) => ({ training: CFG.training, model: { ...CFG.model, adstock: { kind: 'geometric', lags } } });

describe('refresh review on the Robyn demo', () => {
  it('backfill + config change + a facebook swing: split by the cross fits, memo says what changed and why', () => {
    const cur = copyTable(FULL);
    // three weeks with TV on air (a zero stays zero at +20%)
    const rows = [...FULL.dates.keys()].filter((i) => i >= 150 && FULL.columns.tv_S![i]! > 0).slice(0, 3);
    for (const i of rows) cur.columns.tv_S![i] = cur.columns.tv_S![i]! * 1.2;
    const base: [string, number, number, number, number][] = [
      ['tv', 1.8, 0.3, 0.3, 0.04],
      ['facebook', 2.5, 0.4, 0.3, 0.04],
      ['search', 3.1, 0.5, 0.2, 0.03],
    ];
    const withFb = (fb: number) => base.map((c): [string, number, number, number, number] => (c[0] === 'facebook' ? [c[0], fb, c[2], c[3], c[4]] : c));
    const previous: ReviewedRun = { table: headRows(FULL, 180), mapping: ROBYN_MAPPING, settings: settings(8), summary: makeRun('2019-04', 1, base) };
    const currentSummary = makeRun('2019-11', 2, withFb(3.7));
    const current: ReviewedRun = { table: cur, mapping: ROBYN_MAPPING, settings: settings(4), summary: currentSummary };
    const noCross = reviewRefresh({ previous, current, thresholds: TH, reproducibility: compareReproducibility(currentSummary, currentSummary) });
    // data and config both changed, no cross refit: the 3-sd facebook move has no explanation path
    expect(noCross.configChanges).toEqual([{ path: 'model.adstock.lags', previous: 8, current: 4 }]);
    expect(noCross.verdict.verdict).toBe('block');
    expect(noCross.verdict.results.find((g) => g.id === 'gate.drift')!.detail).toMatch(/facebook roi \+3\.\d+ sd \(no explanation\)/);
    expect(noCross.labels.find((l) => l.channel === 'facebook')!.label).toBe('do_not_infer');

    const review = reviewRefresh({
      previous,
      current,
      thresholds: TH,
      reproducibility: compareReproducibility(currentSummary, currentSummary),
      crossFits: { oldDataNewConfig: makeRun('2019-04+new-config', 3, withFb(3.5)), newDataOldConfig: makeRun('2019-11+old-config', 4, withFb(2.7)) },
    });
    const fb = review.attribution.find((s) => s.channel === 'facebook' && s.quantity === 'roi')!;
    expect(fb.kind).toBe('config');
    expect(fb.explained).toBe(true);
    expect(review.verdict.verdict).toBe('warn');
    const ids = Object.fromEntries(review.verdict.results.map((g) => [g.id, g.severity]));
    expect(ids).toMatchObject({ 'gate.contract': 'info', 'gate.taxonomy': 'info', 'gate.reproducible': 'info', 'gate.drift': 'warn', 'gate.backfill': 'warn', 'gate.config': 'warn' });
    const md = memoToMarkdown(review.memo);
    expect(md).toContain(`Backfill: tv_S (tv) restated in 3 weeks: ${rows.map((i) => FULL.dates[i]).join(', ')}; largest change 20%.`);
    expect(md).toContain('- model.adstock.lags: 8 -> 4');
    expect(md).toMatch(/facebook ROI [\d.]+ -> [\d.]+ \(\+[\d.]+ posterior sd, severe\); explained: facebook roi moved/);
    expect(md).toContain('## What is safe to act on');
    expect(md).toMatch(/Needs review: [^\n]*tv \([^\n]*tv_S restated in 3 week\(s\)/);
  });
});
