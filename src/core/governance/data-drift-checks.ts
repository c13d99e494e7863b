import type { CheckResult } from '../check/result.ts';
import { formatNumber } from '../format/number.ts';
import type { DataDriftReport, DataDriftThresholds } from './data-drift.ts';
import { MAPPING_CHANGE_CLASS } from './mapping-diff.ts';

const DAY_MS = 86_400_000;

/**
 * Weeks for a sentence: up to 10 dates listed, more as runs of consecutive weeks
 * (`2016-01-04 to 2016-03-28`).
 * @param weeks ISO dates, ascending
 */
export function describeWeeks(weeks: readonly string[]): string {
  if (weeks.length <= 10) return weeks.join(', ');
  const runs: [string, string][] = [];
  for (const w of weeks) {
    const last = runs[runs.length - 1];
    if (last && Date.parse(w) - Date.parse(last[1]) === 7 * DAY_MS) last[1] = w;
    else runs.push([w, w]);
  }
  return runs.map(([a, b]) => (a === b ? a : `${a} to ${b}`)).join(', ');
}

const pct = (x: number) => `${formatNumber(100 * x, 3)}%`;

/**
 * The data drift findings as CheckResults, one per concern (contract, mapping and taxonomy,
 * schema, coverage, missingness, restatements, distribution shift), with the thresholds used.
 * Mapping and taxonomy changes block here; the release gates downgrade the signed-off ones.
 */
export function dataDriftChecks(r: Omit<DataDriftReport, 'checks'>, th: DataDriftThresholds): CheckResult[] {
  const out: CheckResult[] = [];
  const missing = r.mapping.filter((m) => MAPPING_CHANGE_CLASS[m.kind] === 'contract');
  out.push(
    missing.length
      ? {
          id: 'governance.data.contract',
          severity: 'block',
          title: `${missing.length} mapped column${missing.length === 1 ? ' is' : 's are'} missing from the new data: ${missing.map((m) => m.from).join(', ')}`,
          detail: missing.map((m) => m.detail).join('; '),
          evidence: { changes: missing },
          fix: 'Map the columns to their new names (or restore them upstream) and re-run the refresh.',
        }
      : { id: 'governance.data.contract', severity: 'info', title: 'Every mapped column is present in the new data', detail: 'KPI, spend, exposure and control columns all found.', evidence: {} },
  );
  const mapChanges = r.mapping.filter((m) => MAPPING_CHANGE_CLASS[m.kind] !== 'contract');
  out.push(
    mapChanges.length
      ? {
          id: 'governance.data.mapping',
          severity: 'block',
          title: `${mapChanges.length} mapping or taxonomy change${mapChanges.length === 1 ? '' : 's'} since the previous run`,
          detail: mapChanges.map((m) => m.detail).join('; '),
          evidence: { changes: mapChanges },
          fix: 'Review each change and sign it off (by its id) so the refresh is versioned, or revert the mapping.',
        }
      : { id: 'governance.data.mapping', severity: 'info', title: 'Mapping and channel taxonomy unchanged', detail: 'Same date, KPI, channel, exposure and control columns.', evidence: {} },
  );
  const { added, dropped, renamed } = r.schema;
  out.push({
    id: 'governance.data.schema',
    severity: 'info',
    title: added.length + dropped.length + renamed.length ? `Columns: ${added.length} added, ${dropped.length} dropped, ${renamed.length} renamed` : 'Same columns as the previous run',
    detail: [
      added.length ? `added ${added.join(', ')}` : '',
      dropped.length ? `dropped ${dropped.join(', ')}` : '',
      renamed.length ? `renamed ${renamed.map((x) => `${x.from} -> ${x.to}`).join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ') || 'No column added, dropped or renamed.',
    evidence: { added, dropped, renamed },
  });
  const c = r.coverage;
  out.push({
    id: 'governance.data.coverage',
    severity: c.droppedWeeks.length ? 'warn' : 'info',
    title: c.droppedWeeks.length
      ? `${c.droppedWeeks.length} week${c.droppedWeeks.length === 1 ? '' : 's'} of the previous data are gone from the new data`
      : `${c.addedWeeks.length} new week${c.addedWeeks.length === 1 ? '' : 's'}, ${c.overlapWeeks} overlapping`,
    detail: `previous ${c.previous.first} to ${c.previous.last} (${c.previous.weeks} weeks); new ${c.current.first} to ${c.current.last} (${c.current.weeks} weeks)${c.addedWeeks.length ? `; added ${describeWeeks(c.addedWeeks)}` : ''}${c.droppedWeeks.length ? `; removed ${describeWeeks(c.droppedWeeks)}` : ''}`,
    evidence: { ...c },
  });
  if (c.stalenessWeeks !== null) {
    const stale = c.stalenessWeeks > th.max_staleness_weeks;
    out.push({
      id: 'governance.data.freshness',
      severity: stale ? 'warn' : 'info',
      title: stale ? `The data ends ${c.stalenessWeeks} weeks before the review date` : `The data is current (last week ${c.current.last})`,
      detail: `last week ${c.current.last}, ${c.stalenessWeeks} whole weeks before the review; warns above ${th.max_staleness_weeks}`,
      evidence: { last: c.current.last, stalenessWeeks: c.stalenessWeeks, threshold: th.max_staleness_weeks },
      ...(stale ? { fix: 'Check that the latest weeks were delivered before publishing the refresh.' } : {}),
    });
  }
  const miss = r.missingness.filter((m) => Math.abs(m.changePct) > th.missing_change_pct);
  out.push({
    id: 'governance.data.missingness',
    severity: miss.length ? 'warn' : 'info',
    title: miss.length ? `Missing values changed by more than ${th.missing_change_pct} points in ${miss.map((m) => m.column).join(', ')}` : 'Missing values unchanged within threshold',
    detail: miss.length ? miss.map((m) => `${m.column}: ${formatNumber(m.previousPct, 3)}% -> ${formatNumber(m.currentPct, 3)}%`).join('; ') : `No column's missing share moved by more than ${th.missing_change_pct} percentage points.`,
    evidence: { threshold: th.missing_change_pct, changes: miss },
  });
  const mappedBf = r.backfills.filter((b) => b.mapped);
  out.push({
    id: 'governance.data.backfill',
    severity: mappedBf.length ? 'warn' : 'info',
    title: r.backfills.length
      ? `Restated values in ${r.backfills.length} column${r.backfills.length === 1 ? '' : 's'}: ${r.backfills.map((b) => `${b.column} (${b.weeks.length} week${b.weeks.length === 1 ? '' : 's'})`).join(', ')}`
      : 'No restated values in the overlapping weeks',
    detail: r.backfills.length
      ? r.backfills.map((b) => `${b.column}${b.mapped ? '' : ' (unmapped)'} in weeks ${describeWeeks(b.weeks)}, up to ${pct(b.maxAbsRelChange)}`).join('; ')
      : `Every overlapping value is within ${pct(th.backfill_rel_tolerance)} of the previous one.`,
    evidence: { tolerance: th.backfill_rel_tolerance, backfills: r.backfills.map((b) => ({ column: b.column, weeks: b.weeks, maxAbsRelChange: b.maxAbsRelChange, mapped: b.mapped })) },
    ...(mappedBf.length ? { fix: 'Confirm the restatement with the data owner; the refresh is not comparable to the previous run on these weeks.' } : {}),
  });
  const shifted = r.shifts.filter((s) => s.level !== 'none');
  const mappedShift = shifted.filter((s) => s.mapped);
  out.push({
    id: 'governance.data.shift',
    severity: mappedShift.length ? 'warn' : 'info',
    title: shifted.length ? `Distribution shift in ${[...new Set(shifted.map((s) => s.column))].join(', ')}` : 'No distribution shift beyond threshold',
    detail: shifted.length
      ? shifted.map((s) => `${s.column} (${s.window}): PSI ${formatNumber(s.psi, 3)} (noise level ${formatNumber(s.psiNoise, 3)}), KS D ${formatNumber(s.ksD, 3)} p ${formatNumber(s.ksP, 3)} -> ${s.level}`).join('; ')
      : `For every column PSI is within ${th.psi_warn} or its noise level, and KS p >= ${th.ks_p_value}.`,
    evidence: { psiWarn: th.psi_warn, psiMajor: th.psi_major, ksP: th.ks_p_value, shifts: shifted },
  });
  return out;
}
