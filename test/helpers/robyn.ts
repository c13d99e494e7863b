import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dataset } from '../../src/core/model/dataset.ts';
import { datasetFromCsv } from './csv-dataset.ts';

// Test-only loader of the shared Robyn CSV (node fs; the CSV split is in csv-dataset.ts).

const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));

/** Path of a file under /work/shared (the checkout's ../shared). */
export function sharedPath(rel: string): string {
  return SHARED + rel;
}

/** datasets/robyn_simulated_weekly.csv as a Dataset (208 weeks, 5 channels, 1 control, factor `events`), mapped as peer/stan/robyn_spec.json says. */
export function loadRobyn(): Dataset {
  const spec = JSON.parse(readFileSync(sharedPath('peer/stan/robyn_spec.json'), 'utf8'));
  return datasetFromCsv(readFileSync(sharedPath('datasets/robyn_simulated_weekly.csv'), 'utf8'), spec);
}
