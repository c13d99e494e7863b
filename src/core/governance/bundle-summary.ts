import type { RunBundle } from './bundle-schema.ts';
import { CHANNEL_QUANTITIES, thinDraws, type RunSummary } from './run-summary.ts';

/** Name of a channel quantity's draw set in a bundle: `roi[tv]`, `share[tv]`. */
export function drawQuantityName(quantity: (typeof CHANNEL_QUANTITIES)[number], channel: string): string {
  return `${quantity}[${channel}]`;
}

/**
 * The bundle's `summaries` and `draws` parts from a run summary: statistics without draws, and
 * each channel's ROI and share draws thinned to at most `max` (1000) under drawQuantityName.
 */
export function bundlePartsFromSummary(run: RunSummary, max = 1000): Pick<RunBundle, 'summaries' | 'draws'> {
  const strip = ({ mean, sd, q05, q25, q50, q75, q95 }: RunSummary['channels'][number]['roi']) => ({ mean, sd, q05, q25, q50, q75, q95 });
  return {
    summaries: { channels: run.channels.map((c) => ({ name: c.name, roi: strip(c.roi), share: strip(c.share) })) },
    draws: run.channels.flatMap((c) => CHANNEL_QUANTITIES.flatMap((q) => (c[q].draws ? [{ quantity: drawQuantityName(q, c.name), values: thinDraws(c[q].draws!, max) }] : []))),
  };
}

/** A stored bundle as governance compares it: summaries with their thinned draws re-attached. */
export function runSummaryFromBundle(bundle: RunBundle): RunSummary {
  const draws = new Map(bundle.draws.map((d) => [d.quantity, d.values]));
  const withDraws = <T extends object>(s: T, name: string) => {
    const v = draws.get(name);
    return v ? { ...s, draws: Float64Array.from(v) } : s;
  };
  return {
    runId: bundle.manifest.runId,
    kernel: bundle.manifest.kernel,
    channels: bundle.summaries.channels.map((c) => ({ name: c.name, roi: withDraws(c.roi, drawQuantityName('roi', c.name)), share: withDraws(c.share, drawQuantityName('share', c.name)) })),
    diagnostics: { maxRhat: bundle.diagnostics.maxRhat, minEssBulk: bundle.diagnostics.minEssBulk, divergences: bundle.diagnostics.divergences },
    checks: bundle.checks,
  };
}
