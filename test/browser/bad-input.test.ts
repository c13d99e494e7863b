import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/data/db.ts';
import { openBrowserDb } from '../../src/data/duckdb.ts';
import { runPipeline } from '../../src/data/pipeline.ts';
import { assertExpectation, EXPECTED, NOW, withTimeout } from '../fixtures/bad/suite.ts';

describe('bad inputs (Chromium, AsyncDuckDB worker)', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openBrowserDb({ queryTimeoutMs: 60_000 });
  });
  afterAll(async () => db.close());

  it('covers at least 30 fixtures', () => {
    expect(Object.keys(EXPECTED).length).toBeGreaterThanOrEqual(30);
  });

  it.each(Object.entries(EXPECTED))('%s', async (file, e) => {
    const res = await fetch(`/test/fixtures/bad/${file}`);
    expect(res.ok).toBe(true);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const r = await withTimeout(runPipeline(db, { name: file, bytes }, e.config ?? {}, { now: NOW }), 90_000, file);
    assertExpectation(file, r, e);
  });
});
