import { describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import { Rng } from '../../src/core/inference/rng.ts';
import { generateSyntheticGeo } from '../../src/core/synthetic/geo-generator.ts';
import { prepareGeoModelData, type GeoModelData } from '../../src/core/model/geo-model-data.ts';
import { buildGeoLayout } from '../../src/core/model/geo-layout.ts';
import { DEFAULT_GEO_MODEL_SPEC, type GeoModelSpec } from '../../src/core/spec/geo-spec.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';
import { createFusedGeoKernel } from '../../src/core/kernels/fused-geo.ts';
import { buildStanExport, zipStanExport } from '../../src/core/export/stan-bundle.ts';
import { geoStanData, type GeoStanData } from '../../src/core/export/stan-geo-data.ts';
import { geoParamColumns, geoStanParams, writeGeoStanProgram } from '../../src/core/export/stan-geo-program.ts';
import { STAN_MODELS, stanModelKind } from '../../src/core/export/stan-models.ts';

// A small synthetic geo panel (3 geos x 30 weeks x 4 channels, 1 control) and the geo exporter.
const { dataset } = generateSyntheticGeo(new Rng(3), { geos: 3, weeks: 30 });
const spec = DEFAULT_GEO_MODEL_SPEC;
const data = prepareGeoModelData(dataset, spec);

/** Every option of the geo program flipped from `s`: the other parametrization and noise, trend, seasonality, L and prior families. */
function flipped(s: GeoModelSpec): GeoModelSpec {
  return {
    ...s,
    adstock: { kind: 'geometric', lags: 4 },
    trend: { kind: s.trend.kind === 'none' ? 'linear' : 'none' },
    seasonality: s.seasonality.kind === 'none' ? { kind: 'fourier', order: 2, period: 52 } : { kind: 'none' },
    priors: { ...s.priors, gamma: { kind: 'halfNormal', sigma: 0.5 }, sigma: { kind: 'logNormal', mu: -3, sigma: 1 } },
    geo: {
      parametrization: s.geo.parametrization === 'centred' ? 'nonCentred' : 'centred',
      noise: s.geo.noise === 'shared' ? 'perGeo' : 'shared',
      betaMu: { kind: 'normal', mu: -1, sigma: 0.8 },
      betaTau: { kind: 'logNormal', mu: -1, sigma: 0.5 },
    },
  };
}

/** GeoModelData rebuilt from the data JSON alone (what Stan reads), names from `like`. */
function geoDataFromJson(d: GeoStanData, like: GeoModelData): GeoModelData {
  const flat = (m: number[][] | undefined) => Float64Array.from((m ?? []).flat());
  return {
    ...like,
    N: d.N, G: d.G, C: d.C, K: d.K ?? 0, L: d.L, nF: d.nF ?? 0,
    X: flat(d.X), Z: flat(d.Z), y: Float64Array.from(d.y), yScale: d.y_scale,
    population: Float64Array.from(d.population), spendTotal: flat(d.spend_total),
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

describe('Geo Stan data JSON', () => {
  it('equals the data the geo kernels see, number for number, and drives the fused geo kernel to the same bits', () => {
    const exp = buildStanExport(spec, data);
    const json = JSON.parse(exp.files['carryover_geo.data.json']) as GeoStanData;
    expect([json.N, json.G, json.C, json.K, json.L, json.nF]).toEqual([30, 3, 4, 1, 8, 4]);
    const { N, G, C, K } = data;
    for (let i = 0; i < G * N; i++) {
      expect(json.y[i]).toBe(data.y[i]);
      for (let c = 0; c < C; c++) expect(json.X[i][c]).toBe(data.X[i * C + c]);
      for (let k = 0; k < K; k++) expect(json.Z![i][k]).toBe(data.Z[i * K + k]);
    }
    for (let g = 0; g < G; g++) for (let c = 0; c < C; c++) expect(json.spend_total[g][c]).toBe(data.spendTotal[g * C + c]);
    expect(json.population).toEqual(Array.from(data.population));
    expect(json.y_scale).toBe(data.yScale);
    expect(json.t01).toEqual(Array.from(data.t01));
    expect(json.F!.flat()).toEqual(Array.from(data.F));

    const k1 = createFusedGeoKernel(spec, data);
    const k2 = createFusedGeoKernel(spec, geoDataFromJson(json, data));
    const rng = new Rng(5);
    const theta = Float64Array.from({ length: 3 * k1.dim }, () => rng.uniformIn(-1, 1));
    const [lp1, lp2] = [new Float64Array(3), new Float64Array(3)];
    const [g1, g2] = [new Float64Array(theta.length), new Float64Array(theta.length)];
    k1.evaluateSync!(theta, 3, lp1, g1);
    k2.evaluateSync!(theta, 3, lp2, g2);
    expect(Array.from(lp2)).toEqual(Array.from(lp1));
    expect(Array.from(g2)).toEqual(Array.from(g1));
  });

  it('carries the optional members exactly when the program declares them', () => {
    for (const s of [spec, flipped(spec)]) {
      const d = prepareGeoModelData(s === spec ? dataset : { ...dataset, controls: [] }, s);
      const keys = Object.keys(geoStanData(s, d)).sort();
      expect(keys).toEqual(declared(writeGeoStanProgram(s, d), 'data').sort());
    }
    expect(() => geoStanData(flipped(spec), data)).toThrow('L = 8, the spec asks for 4');
  });
});

describe('Geo Stan program', () => {
  it('declares the parameters in the geo layout\'s order for every parametrization, noise, trend, seasonality and controls', () => {
    for (const s of [spec, flipped(spec), { ...spec, geo: { ...spec.geo, noise: 'perGeo' } } as GeoModelSpec, { ...flipped(spec), trend: spec.trend }]) {
      for (const ds of [dataset, { ...dataset, controls: [] }]) {
        const d = prepareGeoModelData(ds, s);
        const layout = buildGeoLayout(s, d);
        const params = geoStanParams(s);
        expect(declared(writeGeoStanProgram(s, d), 'parameters')).toEqual(layout.blocks.map((b) => params[b.name].stan));
        expect(geoParamColumns(layout, s, d)).toHaveLength(layout.dim);
      }
    }
  });

  it('samples level[G] with geo.intercept \'level\' and intercept[G] with \'direct\', first in the layout either way', () => {
    const direct: GeoModelSpec = { ...spec, geo: { ...spec.geo, intercept: 'direct' } };
    expect(spec.geo.intercept).toBe('level');
    for (const [s, first] of [[spec, 'level'], [direct, 'intercept'], [flipped(spec), 'intercept']] as const) {
      const layout = buildGeoLayout(s, data);
      const names = declared(writeGeoStanProgram(s, data), 'parameters');
      expect(names[0]).toBe(first);
      expect(names).toEqual(layout.blocks.map((b) => geoStanParams(s)[b.name].stan));
      expect(names.filter((n) => n === 'level' || n === 'intercept')).toEqual([first]);
    }
  });

  it('level: derives the intercept from the geo mean in the model, puts the intercept prior on it, and generates intercept[G] first', () => {
    const p = writeGeoStanProgram(spec, data);
    expect(p).toContain('vector[G] level;');
    expect(p).not.toMatch(/^\s+vector\[G\] intercept;\s+\/\/ geo/m);
    expect(declared(p, 'model')).toEqual(['H', 'mu', 'intercept']); // declarations without initialiser
    expect(p).toContain('mu[r:(r + N - 1)] = base + block(H, r, 1, N, C) * beta[g]\' + block(Z, r, 1, N, K) * col(gamma, g);\n');
    expect(p).toContain('intercept[g] = level[g] - mean(mu[r:(r + N - 1)]);');
    expect(p).toContain('mu[r:(r + N - 1)] = mu[r:(r + N - 1)] + intercept[g];');
    expect(p).toContain('intercept ~ normal(0.5, 0.5);');
    expect(p).not.toMatch(/\blevel ~/);
    expect(declared(p, 'generated quantities')).toEqual(['intercept', 'contribution', 'roi', 'msum']); // msum: a local of the inner block
    expect(p).toContain('for (g in 1:G) msum[g] = sum(base) + sum(block(Z, (g - 1) * N + 1, 1, N, K) * col(gamma, g));');
    expect(p).toContain('intercept = level - msum / N;');
    const noZ = prepareGeoModelData({ ...dataset, controls: [] }, spec);
    expect(writeGeoStanProgram(spec, noZ)).toContain('for (g in 1:G) msum[g] = sum(base);');

    const direct: GeoModelSpec = { ...spec, geo: { ...spec.geo, intercept: 'direct' } };
    const q = writeGeoStanProgram(direct, data);
    expect(q).toContain('vector[G] intercept;');
    expect(q).not.toMatch(/\blevel\b/);
    expect(q).toContain('mu[r:(r + N - 1)] = intercept[g] + base + block(H, r, 1, N, C) * beta[g]\' + block(Z, r, 1, N, K) * col(gamma, g);');
    expect(q).toContain('intercept ~ normal(0.5, 0.5);');
    expect(declared(q, 'model')).toEqual(['H', 'mu']);
    expect(declared(q, 'generated quantities')).toEqual(['contribution', 'roi']);
    expect(() => writeGeoStanProgram({ ...spec, priors: { ...spec.priors, intercept: { kind: 'halfNormal', sigma: 1 } } }, data)).toThrow("geo.intercept 'level' needs a normal intercept prior");
  });

  it('writes each option into the text: hierarchy, noise, bounds and prior families from the spec', () => {
    const p = writeGeoStanProgram(spec, data);
    expect(p).toContain('matrix[G, C] beta_z;');
    expect(p).toContain('to_vector(beta_z) ~ normal(0, 1);');
    expect(p).toContain('exp(rep_matrix(beta_mu\', G) + rep_matrix(beta_tau\', G) .* beta_z)');
    expect(p).toContain('beta_mu ~ normal(-1.5, 1);');
    expect(p).toContain('beta_tau ~ normal(0, 0.5);');
    expect(p).toContain('real<lower=0> sigma;');
    expect(p).toContain('y ~ normal(mu, sigma);');
    expect(p).toContain('vector[N] base = delta * t01 + F * fourier;');
    expect(p).toContain('matrix[K, G] gamma;');

    const f = flipped(spec);
    const q = writeGeoStanProgram(f, prepareGeoModelData(dataset, f));
    expect(q).toContain('matrix[G, C] log_beta;');
    expect(q).toContain('for (c in 1:C) col(log_beta, c) ~ normal(beta_mu[c], beta_tau[c]);');
    expect(q).toContain('matrix[G, C] beta = exp(log_beta);');
    expect(q).not.toContain('beta_z');
    expect(q).toContain('beta_mu ~ normal(-1, 0.8);');
    expect(q).toContain('vector<lower=0>[C] beta_tau;');
    expect(q).toContain('beta_tau ~ lognormal(-1, 0.5);');
    expect(q).toContain('vector<lower=0>[G] sigma;');
    expect(q).toContain('sigma ~ lognormal(-3, 1);');
    expect(q).toContain('for (g in 1:G) segment(y, (g - 1) * N + 1, N) ~ normal(segment(mu, (g - 1) * N + 1, N), sigma[g]);');
    expect(q).toContain('matrix<lower=0>[K, G] gamma;');
    expect(q).toContain('to_vector(gamma) ~ normal(0, 0.5);');
    expect(q).toContain('vector[N] base = rep_vector(0, N);');
    expect(q).not.toMatch(/\bdelta\b/);
    expect(q).toContain('adstock kernel length (max lag + 1), 4 in the spec');
  });

  it('maps layout elements onto CmdStan\'s column-major matrix columns', () => {
    const layout = buildGeoLayout(spec, data);
    const cols = geoParamColumns(layout, spec, data);
    const col = (name: string) => cols[layout.names.indexOf(name)];
    // beta_z index c G + g = beta_z[g + 1, c + 1]; gamma index g K + k = gamma[k + 1, g + 1]
    expect(col(`beta_z[${data.channels[1]},${data.geos[2]}]`)).toBe('beta_z.3.2');
    expect(col(`beta_z[${data.channels[3]},${data.geos[0]}]`)).toBe('beta_z.1.4');
    expect(col(`gamma[${data.geos[2]},${data.controls[0]}]`)).toBe('gamma.1.3');
    expect(col(`level[${data.geos[1]}]`)).toBe('level.2');
    expect(col('trend')).toBe('delta');
    const direct: GeoModelSpec = { ...spec, geo: { ...spec.geo, intercept: 'direct' } };
    const ld = buildGeoLayout(direct, data);
    expect(geoParamColumns(ld, direct, data)[ld.names.indexOf(`intercept[${data.geos[1]}]`)]).toBe('intercept.2');
    expect(STAN_MODELS.geo.generatedColumns(layout, data)).toEqual(data.geos.map((g, i) => ({ name: `intercept[${g}]`, column: `intercept.${i + 1}` })));
    expect(STAN_MODELS.geo.generatedColumns(ld, data)).toEqual([]);
    expect(col(`K[${data.channels[0]}]`)).toBe('Khalf.1');
    expect(col('sigma')).toBe('sigma');
    const f: GeoModelSpec = { ...spec, geo: { ...spec.geo, parametrization: 'centred', noise: 'perGeo' } };
    const lf = buildGeoLayout(f, data);
    const cf = geoParamColumns(lf, f, data);
    expect(cf[lf.names.indexOf(`beta_log[${data.channels[2]},${data.geos[1]}]`)]).toBe('log_beta.2.3');
    expect(cf[lf.names.indexOf(`sigma[${data.geos[2]}]`)]).toBe('sigma.3');
  });
});

describe('Geo export bundle', () => {
  it('is registered, chosen by the spec, and zips program, data, manifest and README with the CmdStan commands', () => {
    expect(stanModelKind(spec)).toBe('geo');
    expect(stanModelKind(DEFAULT_MODEL_SPEC)).toBe('national');
    expect(STAN_MODELS.geo.stem).toBe('carryover_geo');
    const exp = buildStanExport(spec, data, { chains: 8, warmup: 400, draws: 600, seed: 3, adaptDelta: 0.9, maxTreeDepth: 10, metric: 'diag' });
    const files = unzipSync(zipStanExport(exp));
    expect(Object.keys(files).sort()).toEqual(['README.md', 'carryover_export.json', 'carryover_geo.data.json', 'carryover_geo.stan'].map((f) => `carryover_geo_stan/${f}`));
    const readme = strFromU8(files['carryover_geo_stan/README.md']);
    expect(readme).toContain('3 geos x 30 weeks, 4 channels, 1 control columns per geo');
    expect(readme).toContain('make -C "$CMDSTAN" "$(pwd)/carryover_geo"');
    expect(readme).toContain('./carryover_geo sample num_warmup=400 num_samples=600 adapt delta=0.9 algorithm=hmc engine=nuts max_depth=10 metric=diag_e id=$i random seed=3 data file=carryover_geo.data.json output file=output_$i.csv');
    expect(readme).toContain('#SBATCH --array=1-8');
    const manifest = JSON.parse(strFromU8(files['carryover_geo_stan/carryover_export.json']));
    expect(manifest.model).toBe('geo');
    expect(manifest.geos).toEqual(data.geos);
    expect(manifest.spec).toEqual(spec);
    expect(manifest.columns[`beta_z[${data.channels[1]},${data.geos[2]}]`]).toBe('beta_z.3.2');
    expect(manifest.columns[`roi[${data.channels[3]}]`]).toBe('roi.4');
    // level intercepts: the parameter level.g and the generated intercept.g
    expect(manifest.columns[`level[${data.geos[2]}]`]).toBe('level.3');
    expect(manifest.columns[`intercept[${data.geos[2]}]`]).toBe('intercept.3');
  });

  it('refuses a geo spec with national data and the reverse, saying what to prepare', () => {
    const national = { ...data, G: undefined } as unknown as GeoModelData;
    expect(() => buildStanExport(spec, national)).toThrow('The geo model needs geo panel data (prepareGeoModelData)');
    expect(() => buildStanExport(DEFAULT_MODEL_SPEC, data)).toThrow('Geo panel data need the geo model spec');
  });
});
