import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRobyn, fixturePath } from '../helpers/robyn.ts';
import { prepareModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';
import { importCmdStanRun, type CmdStanFile } from '../../src/core/export/stan-import.ts';
import { CmdStanCsvError } from '../../src/core/export/cmdstan-csv.ts';
import { columnChains } from '../../src/core/diagnostics/summary.ts';
import { rhat } from '../../src/core/diagnostics/rhat.ts';
import { essBulk } from '../../src/core/diagnostics/ess.ts';

// test/fixtures/cmdstan: 2 chains x 6 draws of the exported reference program on the Robyn demo
// (see its README). Expected numbers below were computed by hand from the CSV columns.
const robyn = loadRobyn();
const data = prepareModelData(robyn, DEFAULT_MODEL_SPEC);
const files: CmdStanFile[] = ['output_1.csv', 'output_2.csv'].map((name) => ({ name, text: readFileSync(fixturePath(`cmdstan/${name}`), 'utf8') }));
const run = importCmdStanRun(files, DEFAULT_MODEL_SPEC, data);
const row = (name: string) => run.summary.find((r) => r.name === name)!;

function importError(f: CmdStanFile[], spec: ModelSpec = DEFAULT_MODEL_SPEC, d = data): string {
  try {
    importCmdStanRun(f, spec, d);
  } catch (e) {
    expect(e).toBeInstanceOf(CmdStanCsvError);
    return (e as Error).message;
  }
  throw new Error('imported without error');
}
const isDraw = (l: string) => /^-?\d/.test(l);
const lastDraw = (lines: string[]) => lines.length - 1 - [...lines].reverse().findIndex(isDraw);
/** The text with column `col` of the first draw row set to `value`. */
function setField(text: string, col: string, value: string): string {
  const lines = text.split('\n');
  const j = lines.find((l) => l.startsWith('lp__'))!.split(',').indexOf(col);
  const i = lines.findIndex(isDraw);
  const f = lines[i].split(',');
  f[j] = value;
  lines[i] = f.join(',');
  return lines.join('\n');
}
const edit = (i: number, fn: (t: string) => string): CmdStanFile[] => files.map((f, k) => (k === i ? { ...f, text: fn(f.text) } : f));

describe('Import draws: CmdStan CSV fixture', () => {
  it('reads both chains onto our layout with the run settings of the files', () => {
    expect(run.kernel).toBe('cmdstan');
    expect(run.tables).toHaveLength(2);
    expect(run.tables.map((t) => t.nDraws)).toEqual([6, 6]);
    expect(run.names.slice(0, 3)).toEqual(['intercept', 'trend', 'fourier[sin1]']);
    expect(run.names).toContain('K[tv_S]');
    expect(run.names).toContain('roi[search_S]');
    expect(run.settings).toMatchObject(FIXTURE_SETTINGS);
    expect(run.imported!.files).toEqual(['output_1.csv', 'output_2.csv']);
    expect(run.wallS).toBeCloseTo(FIXTURE_WALL_S, 6);
  });

  it('summaries: means of the imported columns equal the hand-computed means of the CSV', () => {
    for (const [name, mean] of Object.entries(HAND_MEANS)) expect(row(name).mean).toBeCloseTo(mean, 10);
  });

  it('ROI and contribution recomputed by our code agree with the program\'s generated quantities', () => {
    for (const [name, mean] of Object.entries(STAN_ROI_MEANS)) expect(Math.abs(row(name).mean - mean) / mean).toBeLessThan(1e-4);
  });

  it('diagnostics recomputed by our code from the imported draws', () => {
    const sigma = run.names.indexOf('sigma');
    const chains = columnChains(run.tables.map((t) => t.values), run.names.length, sigma);
    expect(row('sigma').rhat).toBe(rhat(chains));
    expect(row('sigma').essBulk).toBe(essBulk(chains));
    expect(run.sampler.divergences).toMatchObject(FIXTURE_DIVERGENCES);
    expect(run.sampler.maxTreeDepth).toBe(10);
    expect(run.checks.map((c) => c.id)).toEqual(['fit.rhat', 'fit.ess_bulk', 'fit.ess_tail', 'fit.divergences', 'fit.treedepth', 'fit.ebfmi']);
    // 12 draws cannot show 400 effective draws: the checks must say so
    expect(run.checks.find((c) => c.id === 'fit.ess_bulk')!.severity).not.toBe('info');
  });

  it('the chain order follows CmdStan\'s id, not the order the files were picked in', () => {
    const swapped = importCmdStanRun([files[1], files[0]], DEFAULT_MODEL_SPEC, data);
    expect(swapped.imported!.files).toEqual(['output_1.csv', 'output_2.csv']);
    expect(Array.from(swapped.tables[0].values)).toEqual(Array.from(run.tables[0].values));
  });
});

describe('Import draws: clear errors for a wrong, truncated or mismatched CSV', () => {
  it('a truncated chain (cut mid-row, or missing rows)', () => {
    const cut = (t: string) => t.slice(0, t.lastIndexOf('\n#  Elapsed') - 40);
    expect(importError(edit(1, cut))).toMatch(/^output_2\.csv, line \d+: \d+ fields where the header has 47 - the file is truncated/);
    const dropLast = (t: string) => {
      const lines = t.split('\n');
      const last = lastDraw(lines);
      return [...lines.slice(0, last), ...lines.slice(last + 1)].join('\n');
    };
    expect(importError(edit(0, dropLast))).toBe(
      'output_1.csv holds 5 draws but was started for num_samples = 6: the file is truncated (a chain still running, or a copy cut short). Wait for the chain to finish or copy the file again.',
    );
  });

  it('a file that is not CmdStan output', () => {
    const csv = readFileSync(fixturePath('../../public/demo/robyn_simulated_weekly.csv'), 'utf8');
    expect(importError([{ name: 'robyn_simulated_weekly.csv', text: csv }])).toMatch(/^robyn_simulated_weekly\.csv, line 1: expected CmdStan's header starting with lp__/);
  });

  it('a missing parameter column names the column', () => {
    expect(importError(edit(0, (t) => t.replace(',Khalf.2,', ',Khalf_2,')))).toMatch(/^output_1\.csv: no column Khalf\.2\. The draws were sampled with another program/);
  });

  it('draws of another spec: a trend the spec in use does not have, or fewer controls', () => {
    const noTrend: ModelSpec = { ...DEFAULT_MODEL_SPEC, trend: { kind: 'none' } };
    expect(importError(files, noTrend, prepareModelData(robyn, noTrend))).toMatch(/^output_1\.csv: column delta is not a parameter of the model in use \(the spec in use has no trend\)/);
    const fewer = prepareModelData({ ...robyn, factors: [] }, DEFAULT_MODEL_SPEC);
    expect(importError(files, DEFAULT_MODEL_SPEC, fewer)).toMatch(/^output_1\.csv: column gamma\.2 is not a parameter of the model in use/);
  });

  it('draws sampled on other data: Stan\'s ROI disagrees with ours', () => {
    const other = prepareModelData({ ...robyn, target: { ...robyn.target, values: robyn.target.values.map((v) => v * 2) } }, DEFAULT_MODEL_SPEC);
    expect(importError(files, DEFAULT_MODEL_SPEC, other)).toMatch(/^output_1\.csv, line \d+, column roi\.1: Stan's ROI of tv_S is [\d.e+-]+, the data in use give [\d.e+-]+ for the same draw\. The draws were sampled on other data/);
  });

  it('a value outside its parameter\'s support, and chains of different lengths', () => {
    const negSigma = (t: string) => setField(t, 'sigma', '-1');
    expect(importError(edit(0, negSigma))).toMatch(/^output_1\.csv, line \d+, column sigma: -1 is outside the support of sigma/);
    const short = edit(1, (t) => {
      const lines = t.replace('num_samples = 6', 'num_samples = 5').split('\n');
      lines.splice(lastDraw(lines), 1);
      return lines.join('\n');
    });
    expect(importError(short)).toBe('output_2.csv holds 5 draws and output_1.csv 6: every chain must have the same number of draws. Sample all chains with the same num_samples and thin.');
  });

  it('no file at all', () => {
    expect(() => importCmdStanRun([], DEFAULT_MODEL_SPEC, data)).toThrow('Choose at least one CmdStan output CSV (one per chain).');
  });
});

// ---- hand-computed from the fixture: sums of the 12 values of each column (chain 1, then chain 2) / 12
const FIXTURE_SETTINGS = { chains: 2, warmup: 300, draws: 6, seed: 11, adaptDelta: 0.8, maxTreeDepth: 10, metric: 'diag' };
/** the slower chain: 9.8472 s warmup + 0.059717 s sampling (chain 1: 7.88223 + 0.036692) */
const FIXTURE_WALL_S = 9.906917;
/** divergent__ is 0 in all 12 rows */
const FIXTURE_DIVERGENCES = { count: 0, total: 12, perChain: [0, 0] };
const HAND_MEANS: Record<string, number> = {
  // (0.731441 + 0.741424 + 0.749895 + 0.884267 + 0.837518 + 0.752791) + (0.823731 + 0.888826 + 0.857153 + 0.824804 + 0.836224 + 0.812892) = 9.740966
  intercept: 9.740966 / 12,
  // delta column: sum -0.04928615
  trend: -0.04928615 / 12,
  // beta.1: 0.220039 + 0.377122 + 0.418553 + 0.151866 + 0.299043 + 0.268788 + 0.26365 + 0.344302 + 0.359428 + 0.236896 + 0.224732 + 0.243016
  'beta[tv_S]': 3.407435 / 12,
  // alpha.2: 0.60913 + 0.662821 + 0.69663 + 0.597182 + 0.507321 + 0.699014 + 0.39406 + 0.664782 + 0.291781 + 0.635486 + 0.267684 + 0.786355
  'alpha[ooh_S]': 6.812246 / 12,
  // Khalf.3: 3.01424 + 1.82003 + 4.52572 + 0.790087 + 1.0416 + 0.990925 + 2.03261 + 1.86238 + 1.5833 + 0.816673 + 2.38943 + 1.00828
  'K[print_S]': 21.875275 / 12,
  // S.4: 1.03547 + 0.995604 + 0.981436 + 2.44315 + 1.28021 + 1.41427 + 1.83735 + 1.47893 + 2.09932 + 1.55875 + 1.49553 + 1.61601
  'S[facebook_S]': 18.23603 / 12,
  // gamma.1: 0.321994 + 0.318496 + 0.36373 + 0.319902 + 0.320253 + 0.333127 + 0.325409 + 0.312233 + 0.307558 + 0.346053 + 0.287212 + 0.34615
  'gamma[competitor_sales_B]': 3.902117 / 12,
  // sigma: 0.116966 + 0.115759 + 0.120425 + 0.117299 + 0.120172 + 0.12441 + 0.110903 + 0.112684 + 0.111276 + 0.126002 + 0.120915 + 0.129056
  sigma: 1.425867 / 12,
};
/** means of Stan's own roi.1..5 columns (sums 84.32049, 24.229337, 85.97925, 239.9094, 153.606726 over 12 rows) */
const STAN_ROI_MEANS: Record<string, number> = {
  'roi[tv_S]': 84.32049 / 12,
  'roi[ooh_S]': 24.229337 / 12,
  'roi[print_S]': 85.97925 / 12,
  'roi[facebook_S]': 239.9094 / 12,
  'roi[search_S]': 153.606726 / 12,
};
