// Reader of CmdStan's output CSV (method=sample): the argument tree as `#` comments, the header
// (lp__, the six NUTS statistics, then every parameter and generated quantity with dotted
// indices, beta.1), the adaptation block, one row per draw, and the timing block at the end.

/** NUTS's per-draw columns, in CmdStan's order, before the model's own columns. */
export const SAMPLER_COLUMNS = ['lp__', 'accept_stat__', 'stepsize__', 'treedepth__', 'n_leapfrog__', 'divergent__', 'energy__'] as const;

/** One CmdStan output file, parsed. */
export interface CmdStanCsv {
  /** file name, as the user chose it (used in every message) */ file: string;
  /** `key = value` pairs of the comment block before the header (first occurrence of each key) */ config: Record<string, string>;
  /** header columns [width] */ columns: string[];
  /** post-warmup draws, row-major [nDraws * width] (NaN / +-Infinity where CmdStan wrote nan / inf) */ draws: Float64Array;
  nDraws: number;
  /** CSV line number (1-based) of each post-warmup draw [nDraws], for messages */ lines: Int32Array;
  /** warmup rows in the file (save_warmup = 1), row-major [nWarmup * width] */ warmup: Float64Array;
  nWarmup: number;
  /** adapted step size, null when the file has no adaptation block */ stepSize: number | null;
  /** adapted inverse metric (diagonal, or dense row-major), null when absent */ invMetric: number[] | null;
  /** seconds from the timing block at the end, null when the file has none (chain still running) */ elapsed: { warmup: number; sampling: number } | null;
}

/** An error about one CmdStan file, naming the file (and line and column when known) and what to do. */
export class CmdStanCsvError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'CmdStanCsvError';
  }
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const NON_FINITE: Record<string, number> = { nan: NaN, '-nan': NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity };

/** A CSV field as CmdStan writes numbers (plain decimals, exponents, nan, inf); null when it is not one. */
export function parseCmdStanNumber(s: string): number | null {
  const t = s.trim();
  if (NUMBER.test(t)) return Number(t);
  const nf = NON_FINITE[t.toLowerCase()];
  return nf === undefined ? null : nf;
}

/**
 * rstan's sample_file writes the same CSV with flat argument names (`iter`, `warmup`, `chain_id`,
 * `adapt_delta`, `max_treedepth`, `sampler_t=NUTS(diag_e)`); they are read as CmdStan's.
 */
function normalizeConfig(config: Record<string, string>): void {
  const alias: [string, string][] = [['warmup', 'num_warmup'], ['chain_id', 'id'], ['adapt_delta', 'delta'], ['max_treedepth', 'max_depth']];
  for (const [from, to] of alias) if (config[from] !== undefined && config[to] === undefined) config[to] = config[from];
  if (config.num_samples === undefined && config.iter !== undefined && config.num_warmup !== undefined) {
    config.num_samples = String(Number(config.iter) - Number(config.num_warmup));
  }
  const nuts = /\((\w+)\)/.exec(config.sampler_t ?? '');
  if (nuts && config.metric === undefined) config.metric = nuts[1];
}

/** A numeric config value of a file (`num_samples`, `delta`, ...), or `fallback` when absent. */
export function configNumber(csv: Pick<CmdStanCsv, 'file' | 'config'>, key: string, fallback: number): number {
  const v = csv.config[key];
  if (v === undefined) return fallback;
  const n = parseCmdStanNumber(v);
  if (n === null || !Number.isFinite(n)) throw new CmdStanCsvError(csv.file, `${csv.file}: the comment "${key} = ${v}" is not a number.`);
  return n;
}

/**
 * Parses one CmdStan output CSV of `method=sample`. Keeps the draws after the adaptation block
 * (with save_warmup = 1 the rows before it are warmup).
 * @param file the file's name, for messages
 * @param text the file's content (UTF-8; CRLF and a BOM are fine)
 * @throws CmdStanCsvError naming the file, line and column of the first problem: no header, not
 *   NUTS output, a row with the wrong number of fields or a field that is not a number, fewer
 *   draws than the file's own num_samples (a chain still running or a copy cut short)
 */
export function parseCmdStanCsv(file: string, text: string): CmdStanCsv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const config: Record<string, string> = {};
  let i = 0;
  for (; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') continue;
    if (!l.startsWith('#')) break;
    const m = /^#\s*([A-Za-z_][\w]*)\s*=\s*(.*?)\s*(\(Default\))?\s*$/.exec(l);
    if (m && !(m[1] in config)) config[m[1]] = m[2];
  }
  normalizeConfig(config);
  if (i >= lines.length) {
    throw new CmdStanCsvError(file, `${file} has no header line (lp__,accept_stat__,...): it is empty or not a CmdStan output CSV.`);
  }
  const columns = lines[i].split(',').map((c) => c.trim());
  if (columns[0] !== 'lp__') {
    throw new CmdStanCsvError(file, `${file}, line ${i + 1}: expected CmdStan's header starting with lp__, found "${lines[i].slice(0, 60)}". Choose the output_N.csv files CmdStan wrote.`);
  }
  const missing = SAMPLER_COLUMNS.find((c) => !columns.includes(c));
  if (missing) {
    throw new CmdStanCsvError(file, `${file}: column ${missing} is missing from the header. Only NUTS sampling output (method=sample, algorithm=hmc engine=nuts) can be imported as a run; optimize, variational and fixed_param outputs cannot.`);
  }
  const dup = columns.find((c, k) => columns.indexOf(c) !== k);
  if (dup) throw new CmdStanCsvError(file, `${file}: column ${dup} appears twice in the header.`);

  const width = columns.length;
  const rows: number[] = [];
  const rowLines: number[] = [];
  let adaptEnd = -1;
  let stepSize: number | null = null;
  let invMetric: number[] | null = null;
  const elapsed: number[] = [];
  let readMetric = false;
  for (i = i + 1; i < lines.length; i++) {
    const l = lines[i];
    if (l.trim() === '') continue;
    if (l.startsWith('#')) {
      const body = l.slice(1).trim();
      if (readMetric) {
        readMetric = false;
        const vals = body.split(',').map(parseCmdStanNumber);
        if (vals.length > 0 && vals.every((v) => v !== null)) {
          invMetric = [...(invMetric ?? []), ...(vals as number[])];
          readMetric = true; // a dense metric continues on the next comment lines
          continue;
        }
      }
      if (/^Adaptation terminated/i.test(body)) adaptEnd = rows.length / width;
      const step = /^Step size\s*=\s*(\S+)/i.exec(body);
      if (step) stepSize = parseCmdStanNumber(step[1]);
      if (/inverse mass matrix|inverse metric/i.test(body)) readMetric = true;
      const t = /(\S+)\s+seconds\s+\((Warm-up|Sampling)\)/i.exec(body);
      if (t) elapsed.push(Number(t[1]));
      continue;
    }
    readMetric = false;
    const fields = l.split(',');
    if (fields.length !== width) {
      const last = lines.slice(i + 1).every((x) => x.trim() === '' || x.startsWith('#'));
      throw new CmdStanCsvError(
        file,
        `${file}, line ${i + 1}: ${fields.length} fields where the header has ${width}` +
          (last && fields.length < width ? ' - the file is truncated (a chain still running, or a copy cut short). Wait for the chain to finish or copy the file again.' : '.'),
      );
    }
    for (let k = 0; k < width; k++) {
      const v = parseCmdStanNumber(fields[k]);
      if (v === null) throw new CmdStanCsvError(file, `${file}, line ${i + 1}, column ${columns[k]}: "${fields[k]}" is not a number.`);
      rows.push(v);
    }
    rowLines.push(i + 1);
  }

  const nRows = rowLines.length;
  const thin = Math.max(1, configNumber({ file, config }, 'thin', 1));
  const saveWarmup = config.save_warmup === '1' || config.save_warmup === 'true';
  // with save_warmup the rows before the adaptation block are warmup; without it (or without
  // adaptation) every row is a draw
  let nWarmup = adaptEnd >= 0 ? adaptEnd : 0;
  if (adaptEnd < 0 && saveWarmup) nWarmup = Math.ceil(configNumber({ file, config }, 'num_warmup', 0) / thin);
  nWarmup = Math.min(nWarmup, nRows);
  const nDraws = nRows - nWarmup;
  const numSamples = config.num_samples !== undefined ? Math.ceil(configNumber({ file, config }, 'num_samples', 0) / thin) : null;
  if (numSamples !== null && nDraws < numSamples) {
    throw new CmdStanCsvError(file, `${file} holds ${nDraws} draws but was started for num_samples = ${config.num_samples}${thin > 1 ? ` (thin ${thin})` : ''}: the file is truncated (a chain still running, or a copy cut short). Wait for the chain to finish or copy the file again.`);
  }
  if (nDraws < 1) throw new CmdStanCsvError(file, `${file} holds no post-warmup draws.`);
  const all = Float64Array.from(rows);
  return {
    file,
    config,
    columns,
    draws: all.slice(nWarmup * width),
    nDraws,
    lines: Int32Array.from(rowLines.slice(nWarmup)),
    warmup: all.slice(0, nWarmup * width),
    nWarmup,
    stepSize,
    invMetric,
    elapsed: elapsed.length >= 2 ? { warmup: elapsed[0], sampling: elapsed[1] } : null,
  };
}
