import type { CheckResult } from '../check/result.ts';
import { formatNumber } from '../format/number.ts';
import { CHANNEL_QUANTITIES, STAT_KEYS, channelByName, type RunSummary } from './run-summary.ts';

/** One difference between an original run and its re-run. */
export interface SummaryDifference {
  channel: string;
  /** e.g. `roi.mean`, `share.draws[17]`, `channel` (present in one run only), `diagnostics.maxRhat`. */
  field: string;
  original: number | string | null;
  rerun: number | string | null;
}

/** Options of the reproducibility comparison. */
export interface ReproducibilityOptions {
  /**
   * Allowed |difference| in units of the original posterior sd when the kernels differ (float
   * arithmetic differs between kernels, so bit-identity is not expected). Default 0.1.
   */
  crossKernelSdTolerance?: number;
}

function sameNumber(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Compares a run with its re-run from the same inputs. On the same kernel every summary number
 * and every thinned draw must be identical; across kernels, within `crossKernelSdTolerance`
 * posterior sds.
 * @returns `governance.reproducible`: info when reproducible, block listing up to 20 differences
 */
export function compareReproducibility(original: RunSummary, rerun: RunSummary, options: ReproducibilityOptions = {}): CheckResult {
  const sameKernel = original.kernel === rerun.kernel;
  const tolSd = sameKernel ? 0 : (options.crossKernelSdTolerance ?? 0.1);
  const diffs: SummaryDifference[] = [];
  const a = channelByName(original);
  const b = channelByName(rerun);
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const ca = a.get(name);
    const cb = b.get(name);
    if (!ca || !cb) {
      diffs.push({ channel: name, field: 'channel', original: ca ? 'present' : 'absent', rerun: cb ? 'present' : 'absent' });
      continue;
    }
    for (const q of CHANNEL_QUANTITIES) {
      const sa = ca[q];
      const sb = cb[q];
      const tol = tolSd * sa.sd;
      for (const k of STAT_KEYS) {
        const x = sa[k];
        const y = sb[k];
        if (sameKernel ? !sameNumber(x, y) : !(Math.abs(x - y) <= tol)) diffs.push({ channel: name, field: `${q}.${k}`, original: x, rerun: y });
      }
      if (sameKernel && sa.draws && sb.draws) {
        if (sa.draws.length !== sb.draws.length) diffs.push({ channel: name, field: `${q}.draws.length`, original: sa.draws.length, rerun: sb.draws.length });
        else {
          for (let i = 0; i < sa.draws.length; i++) {
            if (!sameNumber(sa.draws[i]!, sb.draws[i]!)) {
              diffs.push({ channel: name, field: `${q}.draws[${i}]`, original: sa.draws[i]!, rerun: sb.draws[i]! });
              break;
            }
          }
        }
      }
    }
  }
  if (sameKernel && original.diagnostics && rerun.diagnostics) {
    for (const k of ['maxRhat', 'minEssBulk', 'divergences'] as const) {
      if (!sameNumber(original.diagnostics[k], rerun.diagnostics[k])) diffs.push({ channel: '(all)', field: `diagnostics.${k}`, original: original.diagnostics[k], rerun: rerun.diagnostics[k] });
    }
  }
  const kernelNote = sameKernel ? `same kernel (${original.kernel}): identical numbers required` : `kernels differ (${original.kernel} vs ${rerun.kernel}): within ${tolSd} posterior sd required`;
  if (diffs.length === 0) {
    return {
      id: 'governance.reproducible',
      severity: 'info',
      title: `Run ${original.runId} is reproducible`,
      detail: `The re-run ${rerun.runId} gives the same summaries for ${a.size} channels; ${kernelNote}.`,
      evidence: { original: original.runId, rerun: rerun.runId, sameKernel, differences: [] },
    };
  }
  const show = (v: number | string | null) => (typeof v === 'number' ? formatNumber(v) : String(v));
  return {
    id: 'governance.reproducible',
    severity: 'block',
    title: `Run ${original.runId} is not reproducible: ${diffs.length} difference${diffs.length === 1 ? '' : 's'} on re-run`,
    detail: `${kernelNote}. ${diffs
      .slice(0, 20)
      .map((d) => `${d.channel} ${d.field}: ${show(d.original)} -> ${show(d.rerun)}`)
      .join('; ')}${diffs.length > 20 ? `; ... and ${diffs.length - 20} more` : ''}`,
    evidence: { original: original.runId, rerun: rerun.runId, sameKernel, differences: diffs.slice(0, 200) },
    fix: 'Check that the re-run used the bundle\'s own file, config, seed and kernel (compareManifests); a difference on the same inputs is a bug to report.',
  };
}
