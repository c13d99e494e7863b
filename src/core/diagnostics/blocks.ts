import type { SummaryRow } from './summary.ts';

/**
 * Convergence of a fit condensed by parameter block: a geo fit of 20 geos x 4 channels has
 * ~400 summary rows; a reader needs, per block, the worst R-hat and the smallest ESS and which
 * parameter has them.
 */

/** Blocks a summary row can belong to (closed set, in display order). */
export type SummaryBlock = 'shared' | 'geo_intercepts' | 'geo_betas' | 'geo_controls' | 'noise' | 'national_derived' | 'geo_derived';

/** What each block is, in words for the Fit screen. */
export const SUMMARY_BLOCK_LABELS = {
  shared: 'shared: trend, seasonality, channel means and spreads, adstock, saturation',
  geo_intercepts: 'per-geo intercepts',
  geo_betas: 'per-geo channel effects',
  geo_controls: 'per-geo control effects',
  noise: 'noise sd',
  national_derived: 'national ROI and contributions',
  geo_derived: 'per-geo ROI and contributions',
} as const satisfies Record<SummaryBlock, string>;

// parameter name (before '[') -> block; names not listed are shared parameters
const BLOCK_OF_NAME: Record<string, SummaryBlock> = {
  intercept: 'geo_intercepts',
  beta_z: 'geo_betas',
  beta_log: 'geo_betas',
  gamma: 'geo_controls',
  sigma: 'noise',
  roi: 'national_derived',
  contribution: 'national_derived',
  geo_roi: 'geo_derived',
  geo_contribution: 'geo_derived',
};

/** The block of a summary row's name, e.g. `beta_z[Channel0,Geo3]` -> geo_betas. */
export function summaryBlockOf(name: string): SummaryBlock {
  const base = name.includes('[') ? name.slice(0, name.indexOf('[')) : name;
  return BLOCK_OF_NAME[base] ?? 'shared';
}

/** One block's worst convergence numbers and the parameters that have them. */
export interface BlockDiagnostics {
  block: SummaryBlock;
  /** summary rows in the block, >= 1 */ size: number;
  /** largest R-hat (NaN counts as worst) and its parameter */ worstRhat: { value: number; name: string };
  /** smallest bulk ESS and its parameter */ minEssBulk: { value: number; name: string };
  /** smallest tail ESS and its parameter */ minEssTail: { value: number; name: string };
}

/**
 * Worst R-hat and smallest bulk / tail ESS per block, blocks in SUMMARY_BLOCK_LABELS order,
 * empty blocks left out.
 * @param rows FitResult.summary (any model; national parameters all fall in `shared`, `noise`, `national_derived`)
 */
export function diagnosticsByBlock(rows: readonly SummaryRow[]): BlockDiagnostics[] {
  const out = new Map<SummaryBlock, BlockDiagnostics>();
  // NaN (non-finite draws) is the worst value of either kind, and stays once found
  const higher = (x: number, cur: number) => !Number.isNaN(cur) && (Number.isNaN(x) || x > cur);
  const lower = (x: number, cur: number) => !Number.isNaN(cur) && (Number.isNaN(x) || x < cur);
  for (const r of rows) {
    const block = summaryBlockOf(r.name);
    const b = out.get(block);
    if (!b) {
      out.set(block, { block, size: 1, worstRhat: { value: r.rhat, name: r.name }, minEssBulk: { value: r.essBulk, name: r.name }, minEssTail: { value: r.essTail, name: r.name } });
      continue;
    }
    b.size++;
    if (higher(r.rhat, b.worstRhat.value)) b.worstRhat = { value: r.rhat, name: r.name };
    if (lower(r.essBulk, b.minEssBulk.value)) b.minEssBulk = { value: r.essBulk, name: r.name };
    if (lower(r.essTail, b.minEssTail.value)) b.minEssTail = { value: r.essTail, name: r.name };
  }
  return (Object.keys(SUMMARY_BLOCK_LABELS) as SummaryBlock[]).flatMap((k) => (out.has(k) ? [out.get(k)!] : []));
}
