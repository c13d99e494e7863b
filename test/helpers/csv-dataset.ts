import type { Dataset } from '../../src/core/model/dataset.ts';

/**
 * Test-only: a simple quoted CSV (no embedded commas) plus a peer SPEC.json mapping -> Dataset.
 * Pure (no fs), so browser tests can use it with `?raw` imports.
 */
export function datasetFromCsv(text: string, spec: { date: string; target: string; channels: string[]; controls: string[]; factor_controls?: Record<string, string> }): Dataset {
  const unq = (f: string) => (f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1) : f);
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',').map(unq);
  const rows = lines.slice(1).map((l) => l.split(',').map(unq));
  const col = (name: string) => {
    const j = header.indexOf(name);
    if (j < 0) throw new Error(`Column ${name} not in the CSV`);
    return rows.map((r) => r[j]);
  };
  const num = (name: string) => Float64Array.from(col(name), Number);
  const m = { date: spec.date, target: spec.target, channels: spec.channels, controls: spec.controls, factorControls: spec.factor_controls ?? {} };
  return {
    dates: col(m.date),
    target: { name: m.target, values: num(m.target) },
    channels: m.channels.map((name) => ({ name, spend: num(name) })),
    controls: m.controls.map((name) => ({ name, values: num(name) })),
    factors: Object.entries(m.factorControls).map(([name, baseline]) => ({ name, levels: col(name), baseline })),
  };
}
