/** The pipeline stages of product.md, in order; each is a screen. */
export type StageId = 'data' | 'checks' | 'model' | 'fit' | 'results' | 'plan' | 'refresh' | 'report' | 'decisions';

/** One entry of the navigation. `built` false renders a plain "not built yet" screen. */
export interface Stage {
  id: StageId;
  label: string;
  /** What the stage will do, shown on its screen. */
  purpose: string;
}

/** Navigation order. */
export const STAGES: readonly Stage[] = [
  { id: 'data', label: 'Data', purpose: 'Load a CSV, TSV or Parquet file (or a demo dataset) and map its columns.' },
  { id: 'checks', label: 'Checks', purpose: 'Data contract and quality checks with a validation score; cleaning with lineage.' },
  { id: 'model', label: 'Model', purpose: 'Adstock, saturation, baseline and priors per channel, in business terms.' },
  { id: 'fit', label: 'Fit', purpose: 'NUTS in parallel web workers with live progress and convergence diagnostics.' },
  { id: 'results', label: 'Results', purpose: 'Contributions, ROI and response curves, intervals first.' },
  { id: 'plan', label: 'Plan', purpose: 'Budget allocation over posterior draws, with risk-aware objectives and scenarios.' },
  { id: 'refresh', label: 'Refresh', purpose: 'Compare with the previous run: drift, release gates and a what-changed memo.' },
  { id: 'report', label: 'Report', purpose: 'A standard report as standalone HTML and print-ready page.' },
  { id: 'decisions', label: 'Decisions', purpose: 'A decision log with expected impact ranges, closed against realised outcomes.' },
];

/** Reads the stage from a location hash such as `#/fit`; unknown hashes give `data`. */
export function stageFromHash(hash: string): StageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return STAGES.some((s) => s.id === id) ? (id as StageId) : 'data';
}
