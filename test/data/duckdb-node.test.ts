import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/data/duckdb-node.ts';
import type { Db } from '../../src/data/db.ts';

describe('node DuckDB', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
  });
  afterAll(async () => db.close());

  it('reads a registered CSV with the sniffer and returns plain numbers', async () => {
    await db.registerFile('t.csv', new TextEncoder().encode('d,x\n2024-01-01,1.5\n2024-01-08,2.5\n'));
    const rows = await db.query<{ n: number; s: number }>("SELECT count(*) AS n, sum(x) AS s FROM read_csv('t.csv')");
    expect(rows).toEqual([{ n: 2, s: 4 }]);
  });
});
