import { describe, expect, it } from 'vitest';
import { parseCmdStanCsv, parseCmdStanNumber, CmdStanCsvError } from '../../src/core/export/cmdstan-csv.ts';

// A CmdStan 2.33 output file as it writes it (argument tree, header, adaptation block, draws,
// timing), cut down to one parameter and 3 draws.
const HEAD = `# stan_version_major = 2
# stan_version_minor = 33
# stan_version_patch = 1
# model = bernoulli_model
# method = sample (Default)
#   sample
#     num_samples = 3
#     num_warmup = 2
#     save_warmup = 0 (Default)
#     thin = 1 (Default)
#     adapt
#       engaged = 1 (Default)
#       delta = 0.9
#     algorithm = hmc (Default)
#       hmc
#         engine = nuts (Default)
#           nuts
#             max_depth = 10 (Default)
#         metric = diag_e (Default)
# id = 2
# random
#   seed = 1234
# output
#   file = output_2.csv
#   sig_figs = -1 (Default)
lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,theta,z.1,z.2
`;
const ADAPT = `# Adaptation terminated
# Step size = 0.93
# Diagonal elements of inverse mass matrix:
# 0.55, 1.2, 0.8
`;
const DRAWS = `-6.8,0.92,0.93,2,3,0,7.1,0.25,1e-3,-2
-7.0,1,0.93,1,1,0,7.4,0.30,0.5,nan
-6.9,0.85,0.93,2,3,1,7.2,0.20,-1.5E+2,inf
`;
const TAIL = `#
#  Elapsed Time: 0.004 seconds (Warm-up)
#                0.011 seconds (Sampling)
#                0.015 seconds (Total)
#
`;

describe('CmdStan CSV reader', () => {
  it('reads the argument tree, header, adaptation, draws and timing', () => {
    const csv = parseCmdStanCsv('output_2.csv', HEAD + ADAPT + DRAWS + TAIL);
    expect(csv.config.num_samples).toBe('3');
    expect(csv.config.delta).toBe('0.9');
    expect(csv.config.max_depth).toBe('10');
    expect(csv.config.metric).toBe('diag_e');
    expect(csv.config.id).toBe('2');
    expect(csv.config.seed).toBe('1234');
    expect(csv.columns.slice(7)).toEqual(['theta', 'z.1', 'z.2']);
    expect(csv.nDraws).toBe(3);
    expect(csv.nWarmup).toBe(0);
    expect(Array.from(csv.lines)).toEqual([31, 32, 33]);
    expect(Array.from(csv.draws.subarray(7, 10))).toEqual([0.25, 0.001, -2]);
    expect(csv.draws[28]).toBe(-150);
    expect(csv.draws[19]).toBeNaN();
    expect(csv.draws[29]).toBe(Infinity);
    expect(csv.stepSize).toBe(0.93);
    expect(csv.invMetric).toEqual([0.55, 1.2, 0.8]);
    expect(csv.elapsed).toEqual({ warmup: 0.004, sampling: 0.011 });
  });

  it('separates saved warmup rows at the adaptation block; CRLF and a BOM are fine', () => {
    const warm = '-9,0.5,2,1,1,0,9.5,0.9,0,0\n-8,0.6,1.5,1,1,0,8.5,0.7,0,0\n';
    const text = '\uFEFF' + (HEAD.replace('save_warmup = 0 (Default)', 'save_warmup = 1') + warm + ADAPT + DRAWS + TAIL).replace(/\n/g, '\r\n');
    const csv = parseCmdStanCsv('w.csv', text);
    expect(csv.nWarmup).toBe(2);
    expect(csv.nDraws).toBe(3);
    expect(csv.warmup[7]).toBe(0.9);
    expect(csv.draws[7]).toBe(0.25);
  });

  it('reads a dense metric spread over several comment lines', () => {
    const dense = ADAPT.replace('Diagonal elements of inverse mass matrix:\n# 0.55, 1.2, 0.8', 'Elements of inverse mass matrix:\n# 1, 0.1, 0\n# 0.1, 2, 0\n# 0, 0, 3');
    expect(parseCmdStanCsv('d.csv', HEAD + dense + DRAWS + TAIL).invMetric).toEqual([1, 0.1, 0, 0.1, 2, 0, 0, 0, 3]);
  });

  it('names the file, line and column of what is wrong', () => {
    const err = (name: string, text: string) => {
      try {
        parseCmdStanCsv(name, text);
      } catch (e) {
        expect(e).toBeInstanceOf(CmdStanCsvError);
        expect((e as CmdStanCsvError).file).toBe(name);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err('empty.csv', '')).toBe('empty.csv has no header line (lp__,accept_stat__,...): it is empty or not a CmdStan output CSV.');
    expect(err('data.csv', 'date,revenue,tv\n2020-01-06,1,2\n')).toMatch(/^data\.csv, line 1: expected CmdStan's header starting with lp__, found "date,revenue,tv"/);
    expect(err('opt.csv', '# method = optimize\nlp__,theta\n-3,0.2\n')).toMatch(/^opt\.csv: column accept_stat__ is missing from the header\. Only NUTS sampling output/);
    // a chain still running: the last row cut mid-line
    expect(err('output_3.csv', HEAD + ADAPT + DRAWS.slice(0, -30))).toMatch(/^output_3\.csv, line 33: 3 fields where the header has 10 - the file is truncated/);
    // cut at a line end: fewer draws than num_samples
    expect(err('output_4.csv', HEAD + ADAPT + DRAWS.split('\n').slice(0, 2).join('\n') + '\n')).toBe(
      'output_4.csv holds 2 draws but was started for num_samples = 3: the file is truncated (a chain still running, or a copy cut short). Wait for the chain to finish or copy the file again.',
    );
    expect(err('x.csv', HEAD + ADAPT + DRAWS.replace('0.30', 'abc'))).toBe('x.csv, line 32, column theta: "abc" is not a number.');
    expect(err('y.csv', HEAD + ADAPT + DRAWS.replace('0.30', ''))).toBe('y.csv, line 32, column theta: "" is not a number.');
    expect(err('dup.csv', HEAD.replace('z.2', 'z.1') + ADAPT + DRAWS)).toBe('dup.csv: column z.1 appears twice in the header.');
  });

  it('reads numbers as CmdStan writes them and nothing else', () => {
    expect(parseCmdStanNumber('-1.5e-3')).toBe(-0.0015);
    expect(parseCmdStanNumber(' 2 ')).toBe(2);
    expect(parseCmdStanNumber('-inf')).toBe(-Infinity);
    expect(parseCmdStanNumber('')).toBeNull();
    expect(parseCmdStanNumber('0x10')).toBeNull();
    expect(parseCmdStanNumber('1,5')).toBeNull();
  });
});
