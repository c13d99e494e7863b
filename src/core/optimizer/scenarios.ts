import { buildCurves, type Metric } from './curves.ts';
import { selectDraws, type ResponseModel } from './response-model.ts';
import { comparePlans, type PlanComparison } from './summary.ts';

/** A spend plan the user wrote: horizon spend per channel, currency >= 0, [C] in model channel order. */
export interface Scenario {
  name: string;
  spend: number[];
}

/** A scenario's predicted outcome against the current plan. */
export interface ScenarioOutcome {
  name: string;
  spend: number[];
  /** the scenario vs the current plan, per channel and in total, over the same draws */ vsCurrent: PlanComparison;
}

/**
 * Predicts each scenario's outcome distribution and its delta to the current plan, draw by draw
 * over the same draws (so the deltas' intervals are those of a paired comparison).
 * @param opts metric (default 'kpi'), a seeded subset of draws (default all)
 * @throws naming the scenario and channel on a wrong length or a negative/non-finite spend
 */
export function evaluateScenarios(model: ResponseModel, scenarios: readonly Scenario[], opts: { metric?: Metric; draws?: number; seed?: number } = {}): ScenarioOutcome[] {
  const cv = buildCurves(model, opts.metric ?? 'kpi');
  const draws = selectDraws(model.D, opts.draws, opts.seed ?? 1);
  return scenarios.map((s) => {
    if (s.spend.length !== model.C) throw new Error(`Scenario "${s.name}" has ${s.spend.length} spends; the model has ${model.C} channels (${model.channels.join(', ')}).`);
    s.spend.forEach((v, c) => {
      if (!(v >= 0 && Number.isFinite(v))) throw new Error(`Scenario "${s.name}", channel "${model.channels[c]}": spend must be a finite number >= 0, got ${v}.`);
    });
    return { name: s.name, spend: [...s.spend], vsCurrent: comparePlans(cv, model.channels, model.flight, s.spend, model.current, draws) };
  });
}

const quote = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * The CSV a user downloads to write scenarios: a header `scenario,<channel>,...` and one row per
 * given plan (e.g. current and recommended), horizon spend in currency.
 */
export function scenarioCsvTemplate(channels: readonly string[], rows: readonly Scenario[]): string {
  const lines = [['scenario', ...channels].map(quote).join(',')];
  for (const r of rows) lines.push([quote(r.name), ...r.spend.map((v) => String(Math.round(v * 100) / 100))].join(','));
  return lines.join('\n') + '\n';
}

/** Splits CSV text into rows of fields (RFC 4180 quotes; CRLF or LF). */
function splitCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

/**
 * Reads scenarios from CSV in the template's layout (columns in any order; every model channel
 * needed, no others). Rows are numbered as a spreadsheet shows them (header = row 1).
 * @throws naming the row and column, and how to fix it, on any unusable cell
 */
export function parseScenarioCsv(text: string, channels: readonly string[]): Scenario[] {
  const rows = splitCsv(text.replace(/^\uFEFF/, ''));
  if (rows.length < 2) throw new Error('The scenario CSV needs a header row and at least one scenario row; download the template to start from.');
  const header = rows[0].map((h) => h.trim());
  const nameCol = header.indexOf('scenario');
  if (nameCol < 0) throw new Error('The scenario CSV has no "scenario" column in its header (row 1); download the template to see the layout.');
  const unknown = header.filter((h, i) => i !== nameCol && !channels.includes(h));
  if (unknown.length) throw new Error(`Column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')} in row 1 ${unknown.length > 1 ? 'are not channels' : 'is not a channel'} of the model (channels: ${channels.join(', ')}).`);
  const missing = channels.filter((c) => !header.includes(c));
  if (missing.length) throw new Error(`The scenario CSV lacks a column for ${missing.map((m) => `"${m}"`).join(', ')} (row 1); add it with the planned spend.`);
  const seen = new Set<string>();
  return rows.slice(1).map((r, i) => {
    const rowNo = i + 2;
    if (r.length !== header.length) throw new Error(`Row ${rowNo} has ${r.length} fields; the header has ${header.length}.`);
    const name = r[nameCol].trim();
    if (!name) throw new Error(`Row ${rowNo}: the "scenario" column is empty; give the scenario a name.`);
    if (seen.has(name)) throw new Error(`Row ${rowNo}: scenario name "${name}" is used twice; names must be unique.`);
    seen.add(name);
    const spend = channels.map((ch) => {
      const raw = r[header.indexOf(ch)].trim();
      const v = raw === '' ? NaN : Number(raw.replace(/[\s_]/g, ''));
      if (!(Number.isFinite(v) && v >= 0)) throw new Error(`Row ${rowNo}, column "${ch}": "${raw}" is not a spend; write a number >= 0 (no currency signs or thousands separators).`);
      return v;
    });
    return { name, spend };
  });
}
