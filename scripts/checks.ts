/**
 * Headless data checks: the same ingest, mapping, checks and cleaning as the app, in node.
 *
 *   npm run checks -- FILE [--config cfg.yaml] [--json] [--now YYYY-MM-DD]
 *
 * Prints the CheckResults (with --json: {"score", "blocked", "results": [{id, severity, title, detail, fix?}]}).
 * Exit code: 0 nothing blocks, 1 something blocks, 2 the file (or the config) cannot be read.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { configFromYaml } from '../src/core/spec/config-yaml.ts';
import { formatSpecIssues } from '../src/core/spec/parse.ts';
import { openNodeDb } from '../src/data/duckdb-node.ts';
import { runPipeline } from '../src/data/pipeline.ts';

const USAGE = 'usage: npm run checks -- FILE [--config cfg.yaml] [--json] [--now YYYY-MM-DD]';
const CANNOT_READ = /^ingest\.(empty|no_rows|binary|spreadsheet|parquet_truncated|parquet_unreadable|csv_unreadable|unsupported_format)$/;

function parseArgs(argv: string[]): { file?: string; config?: string; json: boolean; now?: string } {
  const out: { file?: string; config?: string; json: boolean; now?: string } = { json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') out.json = true;
    else if (a === '--config') out.config = argv[++i];
    else if (a === '--now') out.now = argv[++i];
    else if (!a.startsWith('--') && !out.file) out.file = a;
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!args.file) {
    console.error(USAGE);
    return 2;
  }
  let config: unknown = {};
  if (args.config) {
    let text: string;
    try {
      text = readFileSync(args.config, 'utf8');
    } catch (e) {
      console.error(`cannot read config ${args.config}: ${(e as Error).message}`);
      return 2;
    }
    const parsed = configFromYaml(text);
    if (!parsed.ok) {
      console.error(`invalid config ${args.config}:\n${formatSpecIssues(parsed.issues)}`);
      return 2;
    }
    config = parsed.value;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(args.file));
  } catch (e) {
    console.error(`cannot read ${args.file}: ${(e as Error).message}`);
    return 2;
  }
  const db = await openNodeDb();
  try {
    const now = args.now ?? new Date().toISOString().slice(0, 10);
    const r = await runPipeline(db, { name: basename(args.file), bytes }, config, { now });
    const unreadable = r.ingest === null && r.results.some((x) => CANNOT_READ.test(x.id));
    if (args.json) {
      const results = r.results.map((x) => ({ id: x.id, severity: x.severity, title: x.title, detail: x.detail, ...(x.fix ? { fix: x.fix } : {}) }));
      console.log(JSON.stringify({ score: Math.round(r.score * 1e4) / 1e4, blocked: r.blocked, results }));
    } else {
      const mark = { block: 'BLOCK', warn: 'WARN ', info: 'ok   ' } as const;
      console.log(`${args.file}: ${r.ingest ? `${r.ingest.rowCount} rows, ${r.ingest.columns.length} columns` : 'not read'}`);
      if (r.ingest) {
        const d = r.config.data;
        console.log(`mapping: date=${d.date_col} kpi=${d.kpi_col} channels=${Object.keys(d.channel_map).join(',')} controls=${d.controls.join(',') || '-'}`);
      }
      for (const x of r.results) {
        console.log(`${mark[x.severity]} ${x.id}: ${x.title}\n        ${x.detail}${x.fix && x.severity !== 'info' ? `\n        fix: ${x.fix}` : ''}`);
      }
      console.log(`score ${r.score.toFixed(3)}; ${r.blocked ? 'BLOCKED: fix the blocks above before fitting' : 'nothing blocks'}${r.dataset ? `; model input: ${r.dataset.dates.length} weeks x ${r.dataset.channels.length} channels` : ''}`);
    }
    return unreadable ? 2 : r.blocked ? 1 : 0;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`checks failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    process.exit(2);
  },
);
