import { describe, expect, it } from 'vitest';
import { diagnosticsByBlock, summaryBlockOf } from '../../src/core/diagnostics/blocks.ts';
import type { SummaryRow } from '../../src/core/diagnostics/summary.ts';

const row = (name: string, rhat: number, essBulk: number, essTail: number): SummaryRow => ({ name, mean: 0, sd: 1, q05: -1, q50: 0, q95: 1, rhat, essBulk, essTail });

describe('diagnosticsByBlock', () => {
  it('assigns geo model names to blocks', () => {
    expect(summaryBlockOf('beta_z[tv,Geo3]')).toBe('geo_betas');
    expect(summaryBlockOf('beta_log[tv,Geo3]')).toBe('geo_betas');
    expect(summaryBlockOf('intercept[Geo0]')).toBe('geo_intercepts');
    expect(summaryBlockOf('gamma[Geo0,price]')).toBe('geo_controls');
    expect(summaryBlockOf('sigma[Geo2]')).toBe('noise');
    expect(summaryBlockOf('beta_mu[tv]')).toBe('shared');
    expect(summaryBlockOf('alpha[tv]')).toBe('shared');
    expect(summaryBlockOf('trend')).toBe('shared');
    expect(summaryBlockOf('roi[tv]')).toBe('national_derived');
    expect(summaryBlockOf('geo_roi[Geo1,tv]')).toBe('geo_derived');
  });

  it('keeps the worst R-hat and smallest ESS per block and names where they are; NaN counts as worst', () => {
    const b = diagnosticsByBlock([
      row('geo_roi[A,tv]', 1.001, 900, 800),
      row('beta_z[tv,A]', 1.004, 700, 650),
      row('beta_z[tv,B]', 1.02, 300, 500),
      row('beta_z[tv,C]', 1.01, 450, 120),
      row('alpha[tv]', 1.0, 1000, 900),
      row('K[tv]', NaN, 800, 700),
      row('S[tv]', 1.5, 10, 10),
    ]);
    expect(b.map((x) => x.block)).toEqual(['shared', 'geo_betas', 'geo_derived']);
    const betas = b[1];
    expect(betas.size).toBe(3);
    expect(betas.worstRhat).toEqual({ value: 1.02, name: 'beta_z[tv,B]' });
    expect(betas.minEssBulk).toEqual({ value: 300, name: 'beta_z[tv,B]' });
    expect(betas.minEssTail).toEqual({ value: 120, name: 'beta_z[tv,C]' });
    expect(b[0].worstRhat.name).toBe('K[tv]');
    expect(b[0].minEssBulk).toEqual({ value: 10, name: 'S[tv]' });
  });
});
