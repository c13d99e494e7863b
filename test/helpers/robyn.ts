import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DataMapping, Dataset } from '../../src/core/model/dataset.ts';

// Test-only loader of the shared Robyn CSV: plain fs and a tiny quoted-CSV split (the CSV has
// no embedded commas or quotes inside fields), mapped as peer/stan/robyn_spec.json says.

const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));

/** Path of a file under /work/shared (the checkout's ../shared). */
export function sharedPath(rel: string): string {
  return SHARED + rel;
}

/** The column mapping of peer/stan/robyn_spec.json. */
export function robynMapping(): DataMapping {
  const s = JSON.parse(readFileSync(sharedPath('peer/stan/robyn_spec.json'), 'utf8')) as {
    date: string;
    target: string;
    channels: string[];
    controls: string[];
    factor_controls: Record<string, string>;
  };
  return { date: s.date, target: s.target, channels: s.channels, controls: s.controls, factorControls: s.factor_controls };
}

/** Splits a CSV into a header and rows of unquoted string fields. */
export function parseCsv(text: string): { header: string[]; rows: string[][] } {
  const unq = (f: string) => (f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1) : f);
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',').map(unq);
  return { header, rows: lines.slice(1).map((l) => l.split(',').map(unq)) };
}

/** datasets/robyn_simulated_weekly.csv as a Dataset (208 weeks, 5 channels, 1 control, factor `events`). */
export function loadRobyn(): Dataset {
  const m = robynMapping();
  const { header, rows } = parseCsv(readFileSync(sharedPath('datasets/robyn_simulated_weekly.csv'), 'utf8'));
  const col = (name: string) => {
    const j = header.indexOf(name);
    if (j < 0) throw new Error(`Column ${name} not in the Robyn CSV`);
    return rows.map((r) => r[j]);
  };
  const num = (name: string) => Float64Array.from(col(name), Number);
  return {
    dates: col(m.date),
    target: { name: m.target, values: num(m.target) },
    channels: m.channels.map((name) => ({ name, spend: num(name) })),
    controls: m.controls.map((name) => ({ name, values: num(name) })),
    factors: Object.entries(m.factorControls).map(([name, baseline]) => ({ name, levels: col(name), baseline })),
  };
}
