import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { unzipSync, strFromU8 } from 'fflate';
import { loadRobyn, fixturePath } from '../helpers/robyn.ts';
import { prepareModelData, type ModelData } from '../../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC, type ModelSpec } from '../../src/core/spec/model-spec.ts';
import { createFusedKernel } from '../../src/core/kernels/fused.ts';
import { buildLayout } from '../../src/core/model/layout.ts';
import { buildStanExport, zipStanExport } from '../../src/core/export/stan-bundle.ts';
import { nationalStanData, stanDataJson, type NationalStanData } from '../../src/core/export/stan-data.ts';
import { STAN_PARAMS, writeNationalStanProgram } from '../../src/core/export/stan-program.ts';
import { STAN_MODELS } from '../../src/core/export/stan-models.ts';

const robyn = loadRobyn();
const data = prepareModelData(robyn, DEFAULT_MODEL_SPEC);

/** A spec that changes every option the program depends on. */
const VARIANT: ModelSpec = {
  ...DEFAULT_MODEL_SPEC,
  adstock: { kind: 'geometric', lags: 4 },
  trend: { kind: 'none' },
  seasonality: { kind: 'fourier', order: 3, period: 52 },
  priors: {
    ...DEFAULT_MODEL_SPEC.priors,
    intercept: { kind: 'halfNormal', sigma: 1.5 },
    beta: { kind: 'logNormal', mu: -1.2, sigma: 0.7 },
    K: { kind: 'halfNormal', sigma: 2 },
    sigma: { kind: 'logNormal', mu: -3, sigma: 1 },
  },
};

/** ModelData rebuilt from the data JSON alone (what Stan reads), for the names of `like`. */
function modelDataFromJson(d: NationalStanData, like: ModelData): ModelData {
  const flat = (m: number[][] | undefined) => Float64Array.from((m ?? []).flat());
  return {
    ...like,
    N: d.N, C: d.C, K: d.K ?? 0, L: d.L, nF: d.nF ?? 0,
    X: flat(d.X), Z: flat(d.Z), y: Float64Array.from(d.y), yScale: d.y_scale,
    spendTotal: Float64Array.from(d.spend_total),
    t01: d.t01 ? Float64Array.from(d.t01) : new Float64Array(d.N),
    F: flat(d.F),
  };
}

/** Variable names declared in one block of a Stan program, in order. */
function declared(program: string, block: string): string[] {
  const start = program.indexOf(`\n${block} {\n`);
  const body = program.slice(start + block.length + 4, program.indexOf('\n}', start + 1));
  return [...body.matchAll(/^\s+(?:int|real|vector|matrix)(?:<[^>]*>)?(?:\[[^\]]*\])?\s+(\w+)\s*;/gm)].map((m) => m[1]);
}

describe('Stan data JSON', () => {
  it('equals the data the kernels see, number for number, and drives the fused kernel to the same bits', () => {
    const exp = buildStanExport(DEFAULT_MODEL_SPEC, data);
    const json = JSON.parse(exp.files['carryover_national.data.json']) as NationalStanData;
    expect([json.N, json.C, json.K, json.L, json.nF]).toEqual([208, 5, 3, 8, 4]);
    for (let t = 0; t < data.N; t++) {
      for (let c = 0; c < data.C; c++) expect(json.X[t][c]).toBe(data.X[t * data.C + c]);
      for (let k = 0; k < data.K; k++) expect(json.Z![t][k]).toBe(data.Z[t * data.K + k]);
      for (let j = 0; j < data.nF; j++) expect(json.F![t][j]).toBe(data.F[t * data.nF + j]);
      expect(json.y[t]).toBe(data.y[t]);
      expect(json.t01![t]).toBe(data.t01[t]);
    }
    expect(json.y_scale).toBe(data.yScale);
    expect(json.spend_total).toEqual(Array.from(data.spendTotal));

    // the kernel built from the JSON alone gives the identical log density and gradient
    const fx = JSON.parse(readFileSync(fixturePath('reference/robyn_logprob_fixture.json'), 'utf8')) as { points: { unconstrained: number[] }[] };
    const k1 = createFusedKernel(DEFAULT_MODEL_SPEC, data);
    const k2 = createFusedKernel(DEFAULT_MODEL_SPEC, modelDataFromJson(json, data));
    const n = fx.points.length;
    const theta = Float64Array.from(fx.points.flatMap((p) => p.unconstrained));
    const [lp1, lp2] = [new Float64Array(n), new Float64Array(n)];
    const [g1, g2] = [new Float64Array(n * k1.dim), new Float64Array(n * k1.dim)];
    k1.evaluateSync!(theta, n, lp1, g1);
    k2.evaluateSync!(theta, n, lp2, g2);
    expect(Array.from(lp2)).toEqual(Array.from(lp1));
    expect(Array.from(g2)).toEqual(Array.from(g1));
  });

  it('declares in the program exactly the variables the data file holds, for every option', () => {
    const noControls = prepareModelData({ ...robyn, controls: [], factors: [] }, DEFAULT_MODEL_SPEC);
    const noSeason = { ...VARIANT, seasonality: { kind: 'none' } } as ModelSpec;
    for (const [spec, d] of [[DEFAULT_MODEL_SPEC, data], [VARIANT, prepareModelData(robyn, VARIANT)], [noSeason, prepareModelData(robyn, noSeason)], [DEFAULT_MODEL_SPEC, noControls]] as const) {
      const program = writeNationalStanProgram(spec, d);
      const keys = Object.keys(nationalStanData(spec, d)).sort();
      expect(declared(program, 'data').sort()).toEqual(keys);
    }
  });

  it('names a non-finite number by variable and index instead of writing invalid JSON', () => {
    expect(() => stanDataJson({ N: 2, y: [1, NaN] })).toThrow('Stan data y[1] is not a finite number');
    expect(() => stanDataJson({ X: [[1], [Infinity]] })).toThrow('X[1][0]');
  });

  it('refuses data prepared for another adstock length', () => {
    expect(() => nationalStanData(VARIANT, data)).toThrow('L = 8, the spec asks for 4');
  });
});

describe('Stan program from the spec', () => {
  it('declares parameters in our layout order with the bounds of each prior support', () => {
    for (const spec of [DEFAULT_MODEL_SPEC, VARIANT]) {
      const d = prepareModelData(robyn, spec);
      const program = writeNationalStanProgram(spec, d);
      const layout = buildLayout(spec, d);
      expect(declared(program, 'parameters')).toEqual(layout.blocks.map((b) => STAN_PARAMS[b.name].stan));
    }
  });

  it('follows the reference spec: trend, 2 Fourier pairs, controls and the reference priors', () => {
    const p = writeNationalStanProgram(DEFAULT_MODEL_SPEC, data);
    expect(p).toContain('mu = intercept + delta * t01 + F * fourier + H * beta + Z * gamma;');
    for (const line of [
      'real intercept;', 'real delta;', 'vector<lower=0>[C] beta;', 'vector<lower=0, upper=1>[C] alpha;', 'vector<lower=0>[C] Khalf;',
      'intercept ~ normal(0.5, 0.5);', 'delta ~ normal(0, 0.5);', 'fourier ~ normal(0, 0.25);', 'beta ~ normal(0, 0.5);',
      'alpha ~ beta(2, 2);', 'Khalf ~ lognormal(0, 0.5);', 'S ~ lognormal(0.3, 0.4);', 'gamma ~ normal(0, 0.5);', 'sigma ~ normal(0, 0.5);',
      'y ~ normal(mu, sigma);', 'real<lower=0> sigma;',
    ]) expect(p).toContain(line);
    expect(p).toContain('order 2, period 52.18');
  });

  it('follows a changed spec: no trend, 3 Fourier pairs, L = 4, other priors and supports, no controls', () => {
    const d = prepareModelData({ ...robyn, controls: [], factors: [] }, VARIANT);
    const p = writeNationalStanProgram(VARIANT, d);
    expect(p).toContain('mu = intercept + F * fourier + H * beta;');
    expect(p).not.toMatch(/delta|t01|gamma|matrix\[N, K\]/);
    for (const line of [
      'real<lower=0> intercept;', 'intercept ~ normal(0, 1.5);', 'beta ~ lognormal(-1.2, 0.7);', 'Khalf ~ normal(0, 2);',
      'sigma ~ lognormal(-3, 1);', 'order 3, period 52)', '4 in the spec',
    ]) expect(p).toContain(line);
    const none = writeNationalStanProgram({ ...VARIANT, seasonality: { kind: 'none' } }, { ...d, nF: 0 });
    expect(none).toContain('mu = intercept + H * beta;');
    expect(none).not.toMatch(/fourier|nF/);
  });
});

describe('Stan export zip', () => {
  it('holds program, data, manifest and README with the CmdStan commands; same inputs give the same bytes', () => {
    const exp = buildStanExport(DEFAULT_MODEL_SPEC, data, { chains: 4, warmup: 500, draws: 700, seed: 7, adaptDelta: 0.9, maxTreeDepth: 12, metric: 'dense' });
    const zip = zipStanExport(exp);
    expect(Array.from(zipStanExport(buildStanExport(DEFAULT_MODEL_SPEC, data, exp.manifest.settings)))).toEqual(Array.from(zip));
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(
      ['README.md', 'carryover_export.json', 'carryover_national.data.json', 'carryover_national.stan'].map((f) => `carryover_national_stan/${f}`),
    );
    for (const [name, text] of Object.entries(exp.files)) expect(strFromU8(files[`carryover_national_stan/${name}`])).toBe(text);
    const readme = exp.files['README.md'];
    expect(readme).toContain('make -C "$CMDSTAN" "$(pwd)/carryover_national"');
    expect(readme).toContain(
      './carryover_national sample num_warmup=500 num_samples=700 adapt delta=0.9 algorithm=hmc engine=nuts max_depth=12 metric=dense_e id=$i random seed=7 data file=carryover_national.data.json output file=output_$i.csv sig_figs=18',
    );
    expect(readme).toContain('#SBATCH --array=1-4');
    expect(readme).toContain('for i in 1 2 3 4; do');
    const manifest = JSON.parse(exp.files['carryover_export.json']);
    expect(manifest.columns['K[tv_S]']).toBe('Khalf.1');
    expect(manifest.columns['trend']).toBe('delta');
    expect(manifest.columns['roi[search_S]']).toBe('roi.5');
    expect(manifest.spec).toEqual(DEFAULT_MODEL_SPEC);
  });

  it('maps every layout element to its CmdStan column', () => {
    const layout = buildLayout(DEFAULT_MODEL_SPEC, data);
    const cols = STAN_MODELS.national.paramColumns(layout);
    expect(cols.slice(0, 8)).toEqual(['intercept', 'delta', 'fourier.1', 'fourier.2', 'fourier.3', 'fourier.4', 'beta.1', 'beta.2']);
    expect(cols.slice(-4)).toEqual(['gamma.1', 'gamma.2', 'gamma.3', 'sigma']);
    expect(cols).toHaveLength(layout.dim);
  });
});
