import type { FitSettings } from '../inference/fit-job.ts';

/** What the README of an export names: files, model and sampler settings. */
export interface ReadmeFacts {
  /** program stem, e.g. `carryover_national` (the executable's name) */ stem: string;
  /** data file name */ dataFile: string;
  /** manifest file name */ manifestFile: string;
  /** one-line description of the model */ title: string;
  /** weeks, channels, controls and unconstrained parameters */ N: number;
  C: number;
  K: number;
  dim: number;
  /** geos of the geo model (absent: national) */ G?: number;
  settings: Pick<FitSettings, 'chains' | 'warmup' | 'draws' | 'seed' | 'adaptDelta' | 'maxTreeDepth' | 'metric'>;
}

/** CmdStan's metric names for ours. */
const CMDSTAN_METRIC = { diag: 'diag_e', dense: 'dense_e' } as const satisfies Record<NonNullable<FitSettings['metric']>, string>;

/** The `sample` command of chain `id` (a shell word such as `$i`), one line. */
export function cmdStanSampleCommand(f: ReadmeFacts, id: string): string {
  const s = f.settings;
  return (
    `./${f.stem} sample num_warmup=${s.warmup} num_samples=${s.draws} ` +
    `adapt delta=${s.adaptDelta} algorithm=hmc engine=nuts max_depth=${s.maxTreeDepth} metric=${CMDSTAN_METRIC[s.metric ?? 'diag']} ` +
    `id=${id} random seed=${s.seed} data file=${f.dataFile} output file=output_${id}.csv sig_figs=18 refresh=100`
  );
}

/** README.md of an export: what is in the zip and the CmdStan commands to compile, sample and bring the draws back. */
export function writeStanReadme(f: ReadmeFacts): string {
  const s = f.settings;
  const ids = Array.from({ length: s.chains }, (_, i) => i + 1).join(' ');
  return `# Carryover export: ${f.title}

${f.G !== undefined ? `${f.G} geos x ` : ''}${f.N} weeks, ${f.C} channels, ${f.K} control columns${f.G !== undefined ? ' per geo' : ''}, ${f.dim} parameters.

| file | what |
|---|---|
| \`${f.stem}.stan\` | the Stan program, written from the model spec in use |
| \`${f.dataFile}\` | its data (CmdStan JSON), the numbers Carryover's own sampler uses |
| \`${f.manifestFile}\` | what Carryover needs to read the draws back: spec, channels, controls, CSV columns |

The program compiles with CmdStan >= 2.26 (and with rstan >= 2.21). Stan's NUTS runs the same
posterior as Carryover: same data, same priors, same parameter order.

## 1. Compile (once)
With CmdStan unpacked and built in \`$CMDSTAN\` (\`make build\` there), from this folder:

\`\`\`sh
make -C "$CMDSTAN" "$(pwd)/${f.stem}"
\`\`\`

## 2. Sample ${s.chains} chains (${s.warmup} warmup + ${s.draws} draws each)
Every chain uses the same seed and its own \`id\`: Stan then gives each chain an independent
random stream. \`sig_figs=18\` keeps every digit (Carryover recomputes ROI from the draws).

On one machine, chains in parallel:

\`\`\`sh
for i in ${ids}; do
  ${cmdStanSampleCommand(f, '$i')} &
done
wait
\`\`\`

On a cluster, one chain per node, e.g. a Slurm job array (\`sbatch chains.sh\`):

\`\`\`sh
#!/bin/bash
#SBATCH --array=1-${s.chains}
#SBATCH --ntasks=1 --cpus-per-task=1
i=$SLURM_ARRAY_TASK_ID
${cmdStanSampleCommand(f, '$i')}
\`\`\`

Any scheduler works the same way: run the \`sample\` line once per chain with \`id\` 1..${s.chains}
(PBS/Torque: \`$PBS_ARRAYID\`, SGE: \`$SGE_TASK_ID\`, LSF: \`$LSB_JOBINDEX\`).

## 3. Bring the draws back
Optional quick look: \`"$CMDSTAN/bin/stansummary" output_*.csv\`.

In Carryover, with the same data and model loaded: Fit, **Import draws**, select every
\`output_*.csv\`. Carryover reads them as a run and recomputes the summaries, R-hat, bulk and
tail ESS, divergences, tree-depth hits and E-BFMI with its own code; results, plan and report
then work as for a fit made in the browser. It refuses a file that is truncated (a chain still
running), from another program, or sampled on other data (its ROI columns disagree).
`;
}
