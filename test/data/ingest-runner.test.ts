import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Spawns the headless runner as `npm run checks` does and returns its exit code and output. */
function runChecks(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'scripts/checks.ts', ...args], { timeout: 150_000, maxBuffer: 1 << 24, env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// each case spawns node + tsx + DuckDB (~5 s on an idle 2-core machine, over 60 s when it is loaded)
describe('headless runner scripts/checks.ts', { timeout: 160_000 }, () => {
  it('exits 0 on a demo file and prints the JSON results', async () => {
    const r = await runChecks(['public/demo/robyn_simulated_weekly.csv', '--json', '--now', '2019-11-20']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.score).toBeGreaterThan(0.8);
    expect(out.score).toBeLessThanOrEqual(1);
    expect(out.results.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining(['data.types', 'data.coverage', 'data.non_finite']));
    for (const x of out.results) expect(Object.keys(x)).toEqual(expect.arrayContaining(['id', 'severity', 'title', 'detail']));
    expect(out.results.some((x: { severity: string }) => x.severity === 'block')).toBe(false);
  });

  it('exits 1 when something blocks and names the cell', async () => {
    const r = await runChecks(['test/fixtures/bad/negative_spend.csv', '--json', '--now', '2024-01-01']);
    expect(r.code).toBe(1);
    const block = JSON.parse(r.stdout).results.find((x: { severity: string }) => x.severity === 'block');
    expect(block.id).toBe('data.spend_values');
    expect(block.detail).toContain('row 31');
  });

  it('exits 2 when the file cannot be read, and prints text without --json', async () => {
    const empty = await runChecks(['test/fixtures/bad/truncated.parquet']);
    expect(empty.code).toBe(2);
    expect(empty.stdout).toContain('BLOCK ingest.parquet_truncated');
    const missing = await runChecks(['no/such/file.csv']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read no/such/file.csv');
  });

  it('exits 2 naming the file when Parquet decoding stalls (stopped in a worker, not a hang)', async () => {
    const r = await runChecks(['test/fixtures/ingest/stall.parquet'], { CARRYOVER_PARQUET_DECODE_TIMEOUT_MS: '3000' });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('test/fixtures/ingest/stall.parquet: not read');
    expect(r.stdout).toContain('BLOCK ingest.parquet_unreadable: Cannot read stall.parquet');
    expect(r.stdout).toContain('stall.parquet could not be read as Parquet: decoding batch 1 did not finish within 3 s, so it was stopped');
    const json = await runChecks(['test/fixtures/ingest/stall.parquet', '--json'], { CARRYOVER_PARQUET_DECODE_TIMEOUT_MS: '2000' });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).results).toEqual([expect.objectContaining({ id: 'ingest.parquet_unreadable', severity: 'block', title: 'Cannot read stall.parquet' })]);
  });

  it('bad input of issue 7: exit 2 when the file cannot be read, 1 when a check blocks, 0 when a format was read, with the message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carryover-'));
    const cfg = join(dir, 'kpi.yaml');
    writeFileSync(cfg, 'data:\n  kpi_col: sales\n');
    const cases: { args: string[]; code: number; id: string; says: string }[] = [
      { args: ['test/fixtures/bad/json_named_csv.csv'], code: 2, id: 'ingest.unsupported_format', says: 'json_named_csv.csv is JSON, not CSV' },
      { args: ['test/fixtures/bad/huge_cell_line7.csv'], code: 2, id: 'ingest.csv_unreadable', says: 'Line 7 of huge_cell_line7.csv is 10,485,790 bytes long' },
      { args: ['test/fixtures/bad/unterminated_quote.csv'], code: 2, id: 'ingest.csv_unreadable', says: 'Line 6 of unterminated_quote.csv opens a quote' },
      { args: ['test/fixtures/bad/whitespace_large.csv'], code: 2, id: 'ingest.empty', says: 'whitespace_large.csv is empty (6000 bytes' },
      { args: ['test/fixtures/bad/config_missing_columns.csv', '--config', cfg], code: 1, id: 'data.columns', says: 'kpi column "sales" is not in config_missing_columns.csv' },
      { args: ['test/fixtures/bad/negative_kpi.csv'], code: 1, id: 'data.kpi_values', says: 'row 12 (2022-03-21) = -27,471' },
      { args: ['test/fixtures/bad/tz_offset_timestamps.csv', '--now', '2024-01-01'], code: 0, id: 'ingest.timezone', says: "written like '2022-01-03T00:00:00+02:00', read as 2022-01-03" },
      { args: ['test/fixtures/bad/currency_values.csv', '--now', '2024-01-01'], code: 0, id: 'ingest.number_format', says: "written like '$148,660.27', read as the number 148660.27" },
    ];
    for (const c of cases) {
      const r = await runChecks([...c.args, '--json']);
      expect(r.code, `${c.args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(c.code);
      const hit = JSON.parse(r.stdout).results.find((x: { id: string }) => x.id === c.id);
      expect(hit?.detail, `${c.args[0]}: ${r.stdout}`).toContain(c.says);
    }
  }, 600_000);

  it('reads a YAML config: its mapping and settings apply; an invalid one exits 2 naming the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carryover-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'read:\n  delimiter: ";"\n');
    const r = await runChecks(['test/fixtures/bad/semicolon_file.csv', '--config', good, '--json', '--now', '2024-01-01']);
    expect(r.code).toBe(0);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'training:\n  chains: four\n');
    const b = await runChecks(['public/demo/robyn_simulated_weekly.csv', '--config', bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('training.chains: expected a positive integer, got "four"');
  });
});
