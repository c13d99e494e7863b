import { describe, expect, it } from 'vitest';
import { configFromYaml, configToYaml, parseConfig } from '../../src/core/spec/config-yaml.ts';
import { defaultConfig } from '../../src/core/spec/config.ts';
import { DEFAULT_MODEL_SPEC } from '../../src/core/spec/model-spec.ts';

const ROBYN_YAML = `
project:
  name: robyn demo
data:
  date_col: DATE
  kpi_col: revenue
  channel_map:
    tv: { spend: tv_S }
    facebook: { spend: facebook_S, exposure: facebook_I }
  controls: [competitor_sales_B]
  factor_controls: { events: na }
  keys: { geo: region }
  grain: { level: geo, week_start: sunday }
  filters:
    - { column: region, values: [north, south] }
training:
  chains: 2
  seed: 7
model:
  adstock: { kind: geometric, lags: 4 }
  priors:
    beta: { kind: halfNormal, sigma: 1 }
`;

function issuesOf(text: string): string[] {
  const r = configFromYaml(text);
  if (r.ok) throw new Error('expected a failure');
  return r.issues.map((i) => `${i.path}: ${i.message}`);
}

describe('config', () => {
  it('fills every default from an empty file', () => {
    const r = configFromYaml('');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.training).toMatchObject({ chains: 4, warmup: 400, draws: 1000, adapt_delta: 0.9, max_treedepth: 10, adaptation: 'gradient-dense', metric: 'dense', until_converged: true, max_rhat: 1.01, min_ess: 400 });
    expect(r.value.evaluation).toMatchObject({ mape: 0.15, coverage: 0.8 });
    expect(r.value.data.grain).toEqual({ level: 'national', week_start: 'monday' });
    expect(r.value.model).toEqual(DEFAULT_MODEL_SPEC);
  });

  it('keeps user values and merges a partial model over the reference model', () => {
    const r = configFromYaml(ROBYN_YAML);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.value;
    expect(c.data.channel_map.facebook).toEqual({ spend: 'facebook_S', exposure: 'facebook_I' });
    expect(c.data.grain).toEqual({ level: 'geo', week_start: 'sunday' });
    expect(c.training.chains).toBe(2);
    expect(c.training.warmup).toBe(400); // the default: the file sets chains only
    expect(c.model.adstock).toEqual({ kind: 'geometric', lags: 4 });
    expect(c.model.priors.beta).toEqual({ kind: 'halfNormal', sigma: 1 });
    expect(c.model.priors.alpha).toEqual(DEFAULT_MODEL_SPEC.priors.alpha);
  });

  it('round trips YAML -> config -> YAML identically', () => {
    for (const cfg of [defaultConfig(), (configFromYaml(ROBYN_YAML) as { value: ReturnType<typeof defaultConfig> }).value]) {
      const y1 = configToYaml(cfg);
      const back = configFromYaml(y1);
      expect(back.ok).toBe(true);
      if (!back.ok) return;
      expect(back.value).toEqual(cfg);
      expect(configToYaml(back.value)).toBe(y1);
    }
  });

  it('names the key path and the expected value of invalid settings', () => {
    expect(issuesOf('training:\n  chains: four\n')).toEqual(['training.chains: expected a positive integer, got "four"']);
    expect(issuesOf('training:\n  chains: 0\n')).toEqual(['training.chains: expected a positive integer, got 0']);
    expect(issuesOf('training:\n  adapt_delta: 1.5\n')).toEqual(['training.adapt_delta: expected a number in (0, 1), got 1.5']);
    expect(issuesOf('data:\n  grain:\n    level: city\n')).toEqual([
      'data.grain.level: expected one of national | geo | product | geo_product, got "city"',
    ]);
    expect(issuesOf('evaluation:\n  coverage: high\n')).toEqual(['evaluation.coverage: expected a number in [0, 1], got "high"']);
    expect(issuesOf('data:\n  channel_map:\n    tv: { spnd: tv_S }\n').join('\n')).toMatch(/data\.channel_map\.tv/);
    const unknown = issuesOf('trainng:\n  chains: 4\n');
    expect(unknown[0]).toMatch(/^trainng: unknown key/);
    const prior = issuesOf('model:\n  priors:\n    beta: { kind: halfNormal, sigma: -1 }\n');
    expect(prior[0]).toMatch(/^model\.priors\.beta\.sigma: .*got -1/);
  });

  it('reports every invalid key at once', () => {
    const all = issuesOf('training:\n  chains: four\n  draws: -5\nevaluation:\n  mape: 0\n');
    expect(all).toHaveLength(3);
    expect(all.map((s) => s.split(':')[0]).sort()).toEqual(['evaluation.mape', 'training.chains', 'training.draws']);
  });

  it('names the line of a YAML syntax error', () => {
    const r = configFromYaml('project:\n  name: x\ntraining:\n  chains: [4\n  draws: 3\nreports: {\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0].path).toMatch(/^line \d+$/);
    expect(r.issues[0].message).toMatch(/YAML syntax error at line \d+, column \d+/);
    const dup = configFromYaml('training:\n  chains: 2\ntraining:\n  draws: 3\n');
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.issues[0].path).toBe('line 3');
  });

  it('parses plain objects the same way (JSON import)', () => {
    const r = parseConfig({ training: { chains: 3 } });
    expect(r.ok && r.value.training.chains).toBe(3);
  });
});

describe('config sections owned by the checks and cleaning', () => {
  it('embeds validation and cleaning with their defaults and path-named errors', () => {
    const c = defaultConfig();
    expect(c.validation.coverage_frequency.min_weeks_required).toBe(52);
    expect(Object.keys(c.cleaning).length).toBeGreaterThan(0);
    const bad = issuesOf('validation:\n  coverage_frequency:\n    min_weeks_required: many\n');
    expect(bad[0]).toMatch(/^validation\.coverage_frequency\.min_weeks_required: .*got "many"/);
  });
});
