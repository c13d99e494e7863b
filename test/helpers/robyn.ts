import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { datasetFromCsv } from './csv-dataset.ts';

// Test-only loader of the Robyn demo CSV (node fs; the CSV split is in csv-dataset.ts).
// Everything it reads is inside the repo: a clone with nothing beside it runs the tests.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Path of a file under test/fixtures/ (reference numbers copied from the Stan peer; see its README). */
export function fixturePath(rel: string): string {
  return ROOT + 'test/fixtures/' + rel;
}

/** Path of a demo dataset under public/demo/. */
export function demoPath(file: string): string {
  return ROOT + 'public/demo/' + file;
}

/** public/demo/robyn_simulated_weekly.csv as a Dataset (208 weeks, 5 channels, 1 control, factor `events`), mapped as test/fixtures/reference/robyn_spec.json says. */
export function loadRobyn(): Dataset {
  const spec = JSON.parse(readFileSync(fixturePath('reference/robyn_spec.json'), 'utf8'));
  return datasetFromCsv(readFileSync(demoPath('robyn_simulated_weekly.csv'), 'utf8'), spec);
}
