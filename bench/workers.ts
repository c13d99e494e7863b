import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { withBenchPage } from './bench-page.ts';
import { loadRobynBench } from './bench-data.ts';
import { prepareModelData } from '../src/core/model/model-data.ts';
import { DEFAULT_MODEL_SPEC } from '../src/core/spec/model-spec.ts';

// npm run bench:workers -- [--rounds 6] [--ms 2000]
// How well fit workers scale in headless Chromium: per round, the fused kernel's grad/s in one
// dedicated worker alone, then in each of two workers started together (what a 2-core fit does).
// Prints per round the parallel efficiency = (sum of the two) / (2 x the one alone), and writes
// bench/results/workers.json. 1.0 = perfect scaling; 0.5 = two workers do what one does alone.
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const rounds = arg('rounds', 6);
const ms = arg('ms', 2000);

const data = prepareModelData(await loadRobynBench(), DEFAULT_MODEL_SPEC);
const plain = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]));
const json = JSON.stringify({ spec: DEFAULT_MODEL_SPEC, data: plain, rounds, ms });
const r = await withBenchPage('workers', 'runWorkersBench', (page) =>
  page.evaluate(`runWorkersBench(${JSON.stringify(json)})`) as Promise<{ one: number[]; two: number[][] }>,
);
const eff = r.two.map((t, i) => (t[0] + t[1]) / (2 * r.one[i]));
console.log('round  1 worker   2 workers (each)     efficiency');
r.one.forEach((o, i) => console.log(`${String(i + 1).padStart(5)}  ${o.toFixed(0).padStart(8)}   ${r.two[i].map((x) => x.toFixed(0).padStart(7)).join(' ')}      ${eff[i].toFixed(2)}`));
const out = { rounds, ms, load_avg_1m: loadavg()[0], one_worker_grad_per_s: r.one, two_workers_grad_per_s: r.two, efficiency: eff };
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/workers.json', JSON.stringify(out, null, 2) + '\n');
console.log('wrote bench/results/workers.json');
