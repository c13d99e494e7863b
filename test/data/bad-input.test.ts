import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import { runPipeline } from '../../src/data/pipeline.ts';
import { assertExpectation, EXPECTED, NOW, withTimeout } from '../fixtures/bad/suite.ts';

const DIR = 'test/fixtures/bad/';

describe('bad inputs (node, blocking DuckDB)', () => {
  let db: Db;
  // opening DuckDB-WASM takes 1-2 s, over 10 s on a loaded machine
  beforeAll(async () => {
    db = await openNodeDb();
  }, 60_000);
  afterAll(async () => db.close());

  it('has an expectation for every fixture and at least 30 fixtures', () => {
    const files = readdirSync(DIR).filter((f) => !/\.(ts|json)$/.test(f)).sort();
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, e) => {
    const bytes = new Uint8Array(readFileSync(DIR + file));
    const r = await withTimeout(runPipeline(db, { name: file, bytes }, e.config ?? {}, { now: NOW }), 45_000, file);
    assertExpectation(file, r, e);
  });
});
