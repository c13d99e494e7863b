import { startAnalysis, type AnalysisHandle } from '../clients/analysis-client.ts';
import { startFit } from '../clients/fit-client.ts';
import type { AnalysisOptions, FitAnalysis } from '../core/analysis/analyse-fit.ts';
import type { CheckResult } from '../core/check/result.ts';
import type { RefreshFits } from '../core/governance/attribution.ts';
import type { RunBundle } from '../core/governance/bundle-schema.ts';
import type { RunSummary } from '../core/governance/run-summary.ts';
import type { ConvergenceThresholds } from '../core/diagnostics/checks.ts';
import type { FitSettings } from '../core/inference/fit-job.ts';
import type { FitResult } from '../core/inference/fit-result.ts';
import { prepareModelData, type ModelData } from '../core/model/model-data.ts';

// the re-run code loads when a refit starts (it stays out of the first screen's bundle)
const rerunCode = () => import('../core/governance/rerun.ts');
import type { ModelSpec } from '../core/spec/model-spec.ts';

/*
 * Refits the Refresh screen starts from stored bundles (never from the screens' own fit): the
 * re-run of a bundle from its own inputs (its reproducibility gate) and the cross refits of the
 * refresh design (previous data + new config, new data + previous config) that split a change
 * into data and config. Each runs in the app's fit workers, then the analysis worker, one at a
 * time, with progress and cancel.
 */

/** A running job: its result and a cancel that stops its workers at once. */
export interface RefitHandle<T> {
  result: Promise<T>;
  cancel(): void;
}

/** Where refits run: the app's workers, or in process in node tests. */
export interface RefitRunner {
  /** @param onProgress fraction of the sampling done, 0..1 */
  fit(spec: ModelSpec, data: ModelData, settings: FitSettings, onProgress: (fraction: number) => void, thresholds: Partial<ConvergenceThresholds>): RefitHandle<FitResult>;
  analyse(spec: ModelSpec, data: ModelData, fit: FitResult, options: Omit<AnalysisOptions, 'onProgress'>): RefitHandle<FitAnalysis>;
}

/** The app's runner: startFit (fit workers) and startAnalysis (analysis worker). */
export const workerRefitRunner: RefitRunner = {
  fit: (spec, data, settings, onProgress, thresholds) => startFit(spec, data, settings, (p) => onProgress(p.fraction), thresholds),
  analyse: (spec, data, fit, options): AnalysisHandle<FitAnalysis> => startAnalysis(spec, data, fit, options),
};

/** The refits of the refresh design besides the two stored runs. */
export type CrossRefitKind = 'oldDataNewConfig' | 'newDataOldConfig';
/** Every refit the Refresh screen runs. */
export type RefitKind = 'rerun' | CrossRefitKind;

/** Human names of the refits. */
export const REFIT_LABEL = {
  rerun: 're-run of the current run from its own inputs',
  oldDataNewConfig: 'previous data with the current config',
  newDataOldConfig: 'current data with the previous config',
} as const satisfies Record<RefitKind, string>;

/** Where a refit stands. */
export interface RefitStatus {
  kind: RefitKind;
  phase: 'running' | 'done' | 'failed' | 'cancelled';
  step: 'checking hashes' | 'sampling' | 'analysing' | 'comparing' | 'done';
  /** Sampling fraction 0..1. */
  fraction: number;
  error: string | null;
}

/** A re-run's verdict for one run. */
export interface RerunOutcome {
  runId: string;
  /** compareReproducibility of stored vs refit summaries, or the blocking input check. */
  check: CheckResult;
  /** The manifest hash verification (raw file, cleaned table, model input, spec). */
  inputs: CheckResult;
}

/** Cross refits of one pair of runs. */
export interface CrossRefits {
  previous: string;
  current: string;
  fits: Pick<RefreshFits, CrossRefitKind>;
}

/** What a refresh review of the pair (previous, current) takes from the refits done so far. */
export interface RefitExtras {
  reproducibility?: CheckResult;
  crossFits?: Pick<RefreshFits, CrossRefitKind>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isCancel = (e: unknown) => e instanceof Error && /Cancelled$/.test(e.name);

/** Re-runs and cross refits of stored bundles, one at a time (see the file comment). */
export class RefreshRefitsState {
  #status = $state.raw<RefitStatus | null>(null);
  #reruns = $state.raw<Record<string, RerunOutcome>>({});
  #cross = $state.raw<CrossRefits | null>(null);
  #runner: RefitRunner;
  #rawFile: (sha256: string) => Promise<Uint8Array | null>;
  #onResult: () => void;
  #cancel: (() => void) | null = null;
  #job = 0;

  /**
   * @param options.runner where the fits and analyses run (default: the app's workers)
   * @param options.rawFile the kept bytes of a raw file by SHA-256, or null when not kept
   * @param options.onResult called when a re-run or cross refit finishes (the review recomputes)
   */
  constructor(options: { runner?: RefitRunner; rawFile?: (sha256: string) => Promise<Uint8Array | null>; onResult?: () => void } = {}) {
    this.#runner = options.runner ?? workerRefitRunner;
    this.#rawFile = options.rawFile ?? (async () => null);
    this.#onResult = options.onResult ?? (() => {});
  }

  /** The refit running or last finished; null before any. */
  get status() { return this.#status; }
  /** A refit is running. */
  get busy() { return this.#status?.phase === 'running'; }
  /** Re-run verdicts by run id. */
  get reruns() { return this.#reruns; }
  /** The latest cross refits (of one pair). */
  get cross() { return this.#cross; }

  /** What the review of (previous, current) takes from the refits: the current run's re-run, this pair's cross refits. */
  extrasFor(previous: string, current: string): RefitExtras {
    const r = this.#reruns[current];
    const c = this.#cross;
    return { ...(r ? { reproducibility: r.check } : {}), ...(c && c.previous === previous && c.current === current ? { crossFits: c.fits } : {}) };
  }

  /**
   * Re-runs a bundle from its own inputs: checks the manifest hashes (raw file when kept, cleaned
   * table, model input, spec), refits with the stored settings and seed on the kernel that ran,
   * analyses with the stored options and compares with the stored summaries.
   * @returns the verdict (also kept in `reruns`), or null when cancelled or failed (see `status`)
   */
  async rerun(bundle: RunBundle): Promise<CheckResult | null> {
    const job = this.#begin('rerun');
    try {
      const { verifyRerunInputs, rerunVerdict } = await rerunCode();
      const raw = await this.#rawFile(bundle.manifest.hashes.rawFile).catch(() => null);
      const inputs = await verifyRerunInputs(bundle, raw);
      if (job !== this.#job) return null;
      let check = inputs;
      if (inputs.severity !== 'block') {
        const summary = await this.#refit(job, bundle, bundle, `${bundle.manifest.runId}-rerun`);
        if (!summary) return null;
        this.#step(job, 'comparing');
        check = rerunVerdict(bundle, inputs, summary);
      }
      this.#reruns = { ...this.#reruns, [bundle.manifest.runId]: { runId: bundle.manifest.runId, check, inputs } };
      this.#finish(job);
      return check;
    } catch (e) {
      this.#fail(job, e);
      return null;
    }
  }

  /**
   * Runs the cross refits of a refresh (default both): the previous run's model input under the
   * current run's spec, settings and analysis options, and the reverse. attributeChange then
   * splits each delta into data and config.
   */
  async crossRefits(previous: RunBundle, current: RunBundle, kinds: readonly CrossRefitKind[] = ['oldDataNewConfig', 'newDataOldConfig']): Promise<boolean> {
    const fits: CrossRefits['fits'] = {};
    const job = this.#begin(kinds[0] ?? 'oldDataNewConfig');
    for (const kind of kinds) {
      if (job !== this.#job) return false;
      this.#status = { kind, phase: 'running', step: 'checking hashes', fraction: 0, error: null };
      const [dataFrom, configFrom] = kind === 'oldDataNewConfig' ? [previous, current] : [current, previous];
      try {
        const summary = await this.#refit(job, dataFrom, configFrom, `${dataFrom.manifest.runId}-x-${configFrom.manifest.runId}`);
        if (!summary) return false;
        fits[kind] = summary;
      } catch (e) {
        this.#fail(job, e);
        return false;
      }
    }
    this.#cross = { previous: previous.manifest.runId, current: current.manifest.runId, fits };
    this.#finish(job);
    return true;
  }

  /** Stops the running refit (its workers end at once); nothing it did is kept. */
  cancel(): void {
    if (!this.busy) return;
    this.#job++;
    this.#cancel?.();
    this.#cancel = null;
    this.#status = { ...this.#status!, phase: 'cancelled', error: 'Cancelled: no refit was kept.' };
  }

  async #refit(job: number, dataFrom: RunBundle, configFrom: RunBundle, runId: string): Promise<RunSummary | null> {
    const { refitInputs, refitSummary } = await rerunCode();
    if (job !== this.#job) return null;
    const inputs = refitInputs(dataFrom, configFrom);
    const data = prepareModelData(inputs.dataset, inputs.spec);
    this.#step(job, 'sampling');
    const fitHandle = this.#runner.fit(inputs.spec, data, inputs.settings, (f) => {
      if (job === this.#job && this.#status) this.#status = { ...this.#status, fraction: f };
    }, inputs.thresholds);
    this.#cancel = fitHandle.cancel;
    const fit = await fitHandle.result.catch((e: unknown) => (job === this.#job ? Promise.reject(e) : null));
    if (!fit || job !== this.#job) return null;
    this.#step(job, 'analysing');
    const aHandle = this.#runner.analyse(inputs.spec, data, fit, inputs.analysis);
    this.#cancel = aHandle.cancel;
    const analysis = await aHandle.result.catch((e: unknown) => (job === this.#job ? Promise.reject(e) : null));
    if (!analysis || job !== this.#job) return null;
    return refitSummary(dataFrom, runId, fit, analysis);
  }

  #begin(kind: RefitKind): number {
    if (this.busy) this.cancel();
    const job = ++this.#job;
    this.#status = { kind, phase: 'running', step: 'checking hashes', fraction: 0, error: null };
    return job;
  }

  #step(job: number, step: RefitStatus['step']): void {
    if (job === this.#job && this.#status) this.#status = { ...this.#status, step };
  }

  #finish(job: number): void {
    if (job !== this.#job) return;
    this.#cancel = null;
    this.#status = { ...this.#status!, phase: 'done', step: 'done', fraction: 1 };
    this.#onResult();
  }

  #fail(job: number, e: unknown): void {
    if (job !== this.#job) return;
    this.#cancel = null;
    this.#status = { ...this.#status!, phase: isCancel(e) ? 'cancelled' : 'failed', error: `The ${REFIT_LABEL[this.#status!.kind]} failed: ${message(e)}` };
  }
}
