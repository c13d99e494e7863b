// Gathers what the Report screen knows about the latest run into buildReportModel's input.
import type { FitAnalysis } from '../../core/analysis/analyse-fit.ts';
import type { CheckResult } from '../../core/check/result.ts';
import type { FitEvaluation } from '../../core/evaluation/fit-evaluation.ts';
import type { FitResult } from '../../core/inference/fit-result.ts';
import type { ReportInput } from '../../core/export/report-model.ts';

/** The app's state as the report reads it (plain values, so this stays testable). */
export interface ReportSources {
  analysis: FitAnalysis;
  kpiName: string;
  dates: readonly string[] | null;
  evaluation: FitEvaluation | null;
  health: readonly CheckResult[] | null;
  fit: FitResult | null;
  dataChecks: readonly CheckResult[] | null;
  source: { name: string; bytes: number; demo: boolean } | null;
  cleaningSteps: number;
}

/** buildReportModel's input from the app's state; lineage names file, fit settings and kernel. */
export function reportInput(s: ReportSources): ReportInput {
  const lineage: Record<string, string | number> = {};
  if (s.source) {
    lineage.file = s.source.name;
    lineage['file size (bytes)'] = s.source.bytes;
    if (s.source.demo) lineage.demo = 'yes';
  }
  lineage.weeks = s.analysis.weeks;
  lineage['cleaning steps'] = s.cleaningSteps;
  if (s.fit) {
    const st = s.fit.settings;
    lineage.kernel = s.fit.kernel;
    lineage.chains = st.chains;
    lineage['warmup per chain'] = st.warmup;
    lineage['draws per chain'] = st.draws;
    lineage.seed = st.seed;
    lineage['fit wall time (s)'] = Number(s.fit.wallS.toFixed(1));
  }
  lineage['draws analysed'] = s.analysis.nDraws;
  return {
    analysis: s.analysis,
    kpiName: s.kpiName,
    dates: s.dates,
    evaluation: s.evaluation,
    health: s.health,
    diagnostics: s.fit?.checks ?? null,
    dataChecks: s.dataChecks,
    lineage,
  };
}
