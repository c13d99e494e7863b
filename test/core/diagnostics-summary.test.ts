import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convergenceChecks, CONVERGENCE_CHECKS } from '../../src/core/diagnostics/checks.ts';
import { essBulk, essTail } from '../../src/core/diagnostics/ess.ts';
import { rhat } from '../../src/core/diagnostics/rhat.ts';
import { countDivergences, countTreeDepthHits, ebfmi, summarizeSamplerStats, type ChainSamplerStats, type SamplerSummary } from '../../src/core/diagnostics/sampler-stats.ts';
import { columnChains, summarizeDraws, type SummaryRow } from '../../src/core/diagnostics/summary.ts';
import { Rng } from '../../src/core/inference/rng.ts';

const f64 = (xs: number[]) => Float64Array.from(xs);

describe('summarizeDraws', () => {
  it('mean and sd stay finite and exact on extreme scales (ROI draws of a tiny KPI unit)', () => {
    // pooled 1..6 times 1e200: mean 3.5e200, sd sqrt(17.5 / 5) e200; d * d alone would overflow to Infinity
    for (const scale of [1e200, 1e307, -1e307, 1e-300]) {
      const [a] = summarizeDraws(['a'], [f64([1, 2, 3].map((x) => x * scale)), f64([4, 5, 6].map((x) => x * scale))], 1);
      expect(a!.mean / scale).toBeCloseTo(3.5, 12);
      expect(a!.sd / Math.abs(scale)).toBeCloseTo(Math.sqrt(17.5 / 5), 12);
    }
    // both signs near the float limit: x - mean itself overflows
    const [b] = summarizeDraws(['b'], [f64([-1.5e308, 1.5e308]), f64([-1.5e308, 1.5e308])], 1);
    expect(b!.mean).toBe(0);
    expect(b!.sd / 1e308).toBeCloseTo(1.5 * Math.sqrt(4 / 3), 12);
  });

  // two chains, three iterations, dim 2, row-major: column 1 is ten times column 0
  const draws = [f64([1, 10, 2, 20, 3, 30]), f64([4, 40, 5, 50, 6, 60])];

  it('mean, sd and type-7 quantiles by hand', () => {
    const [a, b] = summarizeDraws(['a', 'b'], draws, 2);
    // pooled 1..6: mean 3.5, var 17.5 / 5; h = 1 + 5 p: 1.25, 3.5, 5.75
    expect(a!.name).toBe('a');
    expect(a!.mean).toBeCloseTo(3.5, 15);
    expect(a!.sd).toBeCloseTo(Math.sqrt(3.5), 14);
    expect(a!.q05).toBeCloseTo(1.25, 14);
    expect(a!.q50).toBeCloseTo(3.5, 14);
    expect(a!.q95).toBeCloseTo(5.75, 14);
    expect(b!.mean).toBeCloseTo(35, 13);
    expect(b!.q95).toBeCloseTo(57.5, 12);
  });

  it('convergence columns equal the scalar functions on the extracted column', () => {
    const rng = new Rng(21);
    const chains = Array.from({ length: 4 }, () => Float64Array.from({ length: 300 * 3 }, () => rng.normal()));
    const rows = summarizeDraws(['x', 'y', 'z'], chains, 3);
    const y = columnChains(chains, 3, 1);
    expect(y[2]![5]).toBe(chains[2]![5 * 3 + 1]);
    expect(rows[1]!.rhat).toBe(rhat(y));
    expect(rows[1]!.essBulk).toBe(essBulk(y));
    expect(rows[1]!.essTail).toBe(essTail(y));
  });

  it('rejects shapes that do not fit', () => {
    expect(() => summarizeDraws(['a'], draws, 2)).toThrow(/names/);
    expect(() => summarizeDraws(['a', 'b'], [f64([1, 2, 3, 4]), f64([1, 2])], 2)).toThrow(/differ/);
    expect(() => summarizeDraws(['a', 'b', 'c', 'd'], draws, 4)).toThrow(/multiple/);
  });
});

describe('sampler statistics', () => {
  const chain = (divergent: number[], treeDepth: number[], energy: number[]): ChainSamplerStats => ({
    divergent: Uint8Array.from(divergent),
    treeDepth: Int32Array.from(treeDepth),
    energy: f64(energy),
  });

  it('counts divergences and tree-depth hits per chain', () => {
    const stats = [chain([0, 1, 0, 1], [3, 10, 10, 4], [0, 1, 0, 1]), chain([0, 0, 0, 1], [10, 2, 3, 4], [1, 2, 3, 5])];
    expect(countDivergences(stats)).toEqual({ count: 3, total: 8, perChain: [2, 1] });
    expect(countTreeDepthHits(stats, 10)).toEqual({ count: 3, total: 8, perChain: [2, 1] });
    expect(countTreeDepthHits(stats, 4).count).toBe(5);
  });

  it('E-BFMI by hand: energy 0,1,0,1 gives (3/4) / (1/3) = 2.25', () => {
    expect(ebfmi([0, 1, 0, 1])).toBeCloseTo(2.25, 14);
    expect(Number.isNaN(ebfmi([2, 2, 2]))).toBe(true);
  });

  it('E-BFMI is ~2 for independent energies and small for a random walk', () => {
    const rng = new Rng(4);
    const iid = Float64Array.from({ length: 4000 }, () => rng.normal());
    expect(ebfmi(iid)).toBeGreaterThan(1.8);
    expect(ebfmi(iid)).toBeLessThan(2.2);
    let v = 0;
    const walk = Float64Array.from({ length: 4000 }, () => (v += 0.1 * rng.normal()));
    expect(ebfmi(walk)).toBeLessThan(0.3);
  });
});

const row = (name: string, rhatV: number, bulk = 1000, tail = 1000): SummaryRow => ({
  name, mean: 0, sd: 1, q05: -1.6, q50: 0, q95: 1.6, rhat: rhatV, essBulk: bulk, essTail: tail,
});
const sampler = (divergences: number, hits: number, e: number[] = [0.9, 1.1]): SamplerSummary => ({
  divergences: { count: divergences, total: 4000, perChain: [divergences, 0] },
  treeDepthHits: { count: hits, total: 4000, perChain: [0, hits] },
  maxTreeDepth: 10,
  ebfmi: e,
});
const byId = (results: ReturnType<typeof convergenceChecks>, id: string) => results.find((r) => r.id === id)!;

describe('convergence checks', () => {
  it('a clean fit gives only info, one result per registered check', () => {
    const results = convergenceChecks({ rows: [row('a', 1.001), row('b', 1.009)], sampler: sampler(0, 0) });
    expect(results.map((r) => r.id)).toEqual(Object.keys(CONVERGENCE_CHECKS));
    expect(results.every((r) => r.severity === 'info')).toBe(true);
  });

  it('R-hat: warn above 1.01, block above 1.05 or when not computable; worst first in evidence', () => {
    const warn = byId(convergenceChecks({ rows: [row('a', 1.001), row('b', 1.03), row('c', 1.02)] }), 'fit.rhat');
    expect(warn.severity).toBe('warn');
    expect((warn.evidence.worst as { name: string }[]).map((w) => w.name)).toEqual(['b', 'c', 'a']);
    expect(warn.evidence.count).toBe(2);
    expect(warn.fix).toMatch(/longer/);
    expect(byId(convergenceChecks({ rows: [row('a', 1.001), row('b', 1.2)] }), 'fit.rhat').severity).toBe('block');
    const nan = byId(convergenceChecks({ rows: [row('a', 1.2), row('b', NaN)] }), 'fit.rhat');
    expect(nan.severity).toBe('block');
    expect((nan.evidence.worst as { name: string; value: number | null }[])[0]).toEqual({ name: 'b', value: null });
  });

  it('R-hat thresholds are passed in; a looser max_rhat moves the block limit with it', () => {
    expect(byId(convergenceChecks({ rows: [row('a', 1.08)] }, { maxRhat: 1.1 }), 'fit.rhat').severity).toBe('info');
    expect(byId(convergenceChecks({ rows: [row('a', 1.03)] }, { blockRhat: 1.02 }), 'fit.rhat').severity).toBe('block');
  });

  it('ESS: warn below min_ess, separately for bulk and tail', () => {
    const results = convergenceChecks({ rows: [row('a', 1, 350, 900), row('b', 1, 800, 120)] });
    expect(byId(results, 'fit.ess_bulk').severity).toBe('warn');
    expect(byId(results, 'fit.ess_bulk').evidence.worst).toEqual([{ name: 'a', value: 350 }, { name: 'b', value: 800 }]);
    expect(byId(results, 'fit.ess_tail').evidence.minEss).toBe(120);
    expect(byId(convergenceChecks({ rows: [row('a', 1, 350, 350)] }, { minEss: 300 }), 'fit.ess_bulk').severity).toBe('info');
  });

  it('divergences: warn for any, block above 1% of draws', () => {
    const rows = [row('a', 1)];
    expect(byId(convergenceChecks({ rows, sampler: sampler(5, 0) }), 'fit.divergences').severity).toBe('warn');
    const block = byId(convergenceChecks({ rows, sampler: sampler(41, 0) }), 'fit.divergences');
    expect(block.severity).toBe('block');
    expect(block.fix).toMatch(/adapt_delta/);
    expect(byId(convergenceChecks({ rows, sampler: sampler(40, 0) }), 'fit.divergences').severity).toBe('warn');
  });

  it('tree-depth hits and low E-BFMI warn; no sampler stats is info', () => {
    const rows = [row('a', 1)];
    expect(byId(convergenceChecks({ rows, sampler: sampler(0, 12) }), 'fit.treedepth').severity).toBe('warn');
    const e = byId(convergenceChecks({ rows, sampler: sampler(0, 0, [0.9, 0.2]) }), 'fit.ebfmi');
    expect(e.severity).toBe('warn');
    expect(e.evidence.low).toEqual([{ chain: 1, ebfmi: 0.2 }]);
    expect(byId(convergenceChecks({ rows }), 'fit.ebfmi').severity).toBe('info');
  });

  it('end to end: the fixture chain shifted by a constant blocks on R-hat', () => {
    const fx = JSON.parse(readFileSync('test/fixtures/reference/diagnostics_fixture.json', 'utf8')) as { cases: { name: string; draws: number[][] }[] };
    const shifted = fx.cases.find((c) => c.name === 'one_chain_shifted')!;
    const rows = summarizeDraws(['beta'], shifted.draws.map(f64), 1);
    const stats = summarizeSamplerStats(
      shifted.draws.map((d) => ({ divergent: new Uint8Array(d.length), treeDepth: new Int32Array(d.length).fill(3), energy: f64(d) })),
      10,
    );
    const results = convergenceChecks({ rows, sampler: stats });
    expect(byId(results, 'fit.rhat').severity).toBe('block');
    expect(byId(results, 'fit.ess_bulk').severity).toBe('warn');
    expect(byId(results, 'fit.divergences').severity).toBe('info');
  });
});
