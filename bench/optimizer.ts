import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { withBenchPage } from './bench-page.ts';
import { syntheticResponseModel, type SyntheticChannel } from '../src/core/synthetic/response-model.ts';
import { buildCurves, meanCurve } from '../src/core/optimizer/curves.ts';
import type { PlanRequest } from '../src/core/optimizer/plan.ts';
import type { OptimizerPageResult } from './optimizer-page.ts';

// npm run bench:optimizer -- [--draws 1000] [--channels 10] [--runs 3] [--grid 500]
// A fixed-budget plan over 1,000 draws x 10 channels (concave and S-shaped Hill curves, known
// truth from src/core/synthetic) solved in headless Chromium in the app's optimizer worker; then,
// in node, brute force over a 3-channel sub-problem (the other channels held at the solver's
// plan, the three sharing the solver's budget for them) on a grid of --grid steps, over the same
// draws. Writes bench/results/optimizer.json.
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const D = arg('draws', 1000);
const C = arg('channels', 10);
const runs = arg('runs', 3);
const grid = arg('grid', 500);

// every third channel S-shaped (slope 3: nothing below its threshold); today's split is uneven
const channels: SyntheticChannel[] = Array.from({ length: C }, (_, c) => ({
  name: `ch${c}`, beta: 0.05 + 0.03 * (c % 4), alpha: 0.1 + (0.8 * c) / C, K: 0.6 + 0.25 * (c % 3),
  S: c % 3 === 2 ? 3 : 0.9 + 0.1 * (c % 5), scale: 100 + 20 * c, weekly: 100 + 30 * ((c * 7) % 5), betaSd: 0.15 + 0.05 * (c % 4),
}));
const model = syntheticResponseModel(channels, { D, seed: 5 });
const request: PlanRequest = { mode: { kind: 'fixedBudget' }, objective: { kind: 'expected' } };
const plain = Object.fromEntries(Object.entries(model).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]));
const json = JSON.stringify({ model: plain, request, runs });
const page = await withBenchPage('optimizer', 'runOptimizerBench', (pg) =>
  pg.evaluate(`runOptimizerBench(${JSON.stringify(json)})`) as Promise<OptimizerPageResult>,
);
const r = page.result;
const x = r.recommended;

// brute force: the two channels with the largest plan and the S-shaped channel with the largest plan
const byPlan = x.map((v, c) => c).sort((a, b) => x[b] - x[a]);
const sShaped = byPlan.find((c) => channels[c].S >= 2)!;
const sub = [...new Set([byPlan[0], byPlan[1], sShaped])];
for (const c of byPlan) if (sub.length < 3 && !sub.includes(c)) sub.push(c);
const cv = buildCurves(model, 'kpi');
const draws = Array.from({ length: D }, (_, i) => i);
const R = sub.reduce((s, c) => s + x[c], 0);
const t0 = performance.now();
const tables = sub.map((c) => meanCurve(cv, c, Float64Array.from({ length: grid + 1 }, (_, k) => (k * R) / grid), draws));
let bf = -Infinity;
let bfAt: number[] = [];
for (let i = 0; i <= grid; i++) {
  for (let j = 0; i + j <= grid; j++) {
    const v = tables[0][i] + tables[1][j] + tables[2][grid - i - j];
    if (v > bf) {
      bf = v;
      bfAt = [i, j, grid - i - j].map((k) => (k * R) / grid);
    }
  }
}
const bruteS = (performance.now() - t0) / 1000;
const solverSub = sub.reduce((s, c) => s + meanCurve(cv, c, [x[c]], draws)[0], 0);
const gapPct = (100 * (bf - solverSub)) / Math.abs(bf);
const sorted = [...page.solveS].sort((a, b) => a - b);
const solveS = sorted[Math.floor(sorted.length / 2)];
const improvementPct = (100 * (r.objective.recommended - r.objective.current)) / Math.abs(r.objective.current);
const out = {
  draws: D,
  channels: C,
  solve_s: solveS,
  gap_to_bruteforce_pct: gapPct,
  improvement_vs_current_pct: improvementPct,
  solve_s_runs: page.solveS,
  timings_last_run: r.timings,
  load_avg_1m: loadavg()[0],
  hill_ns: page.hillNs,
  // load-independent cost: the solve's time in units of one Hill evaluation measured on the same page
  solve_in_hill_evals_millions: (solveS / page.hillNs) * 1e3,
  prob_beats_current: r.comparison.probBeatsBase,
  delta_kpi: r.comparison.delta,
  status: r.status,
  checks: r.checks.map((c) => c.id),
  bruteforce: { channels: sub.map((c) => channels[c].name), grid, budget: R, value: bf, at: bfAt, solver_value: solverSub, solver_at: sub.map((c) => x[c]), seconds: bruteS },
  cancel: page.cancel,
  progress_reports: page.progressReports,
  method: r.method,
};
console.log(`optimizer: ${D} draws x ${C} channels, fixed budget, in the worker: solve ${page.solveS.map((s) => s.toFixed(3)).join(' / ')} s (median ${solveS.toFixed(3)}), load ${loadavg()[0].toFixed(1)}, ${page.hillNs.toFixed(0)} ns per Hill evaluation on the page`);
console.log(`solve = ${((solveS / page.hillNs) * 1e3).toFixed(1)} million Hill evaluations' worth of time on this page`);
console.log(`last run: curves ${r.timings.curvesS.toFixed(3)} s, search ${r.timings.solveS.toFixed(3)} s, comparison + gates ${r.timings.reportS.toFixed(3)} s`);
console.log(`improvement vs current ${improvementPct.toFixed(2)}% (P(beats current) ${r.comparison.probBeatsBase.toFixed(3)}), status ${r.status}, gates [${out.checks.join(', ')}]`);
console.log(`brute force over ${out.bruteforce.channels.join(', ')} (grid ${grid}, ${bruteS.toFixed(1)} s): ${bf.toFixed(3)} vs solver ${solverSub.toFixed(3)} -> gap ${gapPct.toFixed(4)}%`);
console.log(`cancel: rejected ${page.cancel.ms.toFixed(0)} ms after abort with ${page.cancel.name}; ${page.progressReports} progress reports`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/optimizer.json', JSON.stringify(out, null, 2) + '\n');
console.log('wrote bench/results/optimizer.json');
