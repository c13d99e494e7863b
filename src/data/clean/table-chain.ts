import { ident, type Db } from '../db.ts';

/**
 * A cleaning step's chain of tables: each column's pass reads `current` and writes a new table;
 * `finish` renames the last one to the output (or copies the input when nothing ran) and drops
 * every scratch table. The input table is never touched.
 */
export class TableChain {
  current: string;
  readonly #temps: string[] = [];

  constructor(
    private readonly db: Db,
    private readonly src: string,
    private readonly dst: string,
  ) {
    this.current = src;
  }

  /** Moves on to `next` (written from `current`); `work` is a scratch table of this pass. */
  advance(next: string, work: string): void {
    this.#temps.push(work);
    if (this.current !== this.src) this.#temps.push(this.current);
    this.current = next;
  }

  /** Leaves the result under the output name and drops the scratch tables. */
  async finish(): Promise<void> {
    const { db, src, dst } = this;
    if (this.current === src) await db.exec(`CREATE OR REPLACE TABLE ${ident(dst)} AS SELECT * FROM ${ident(src)}`);
    else await db.exec(`ALTER TABLE ${ident(this.current)} RENAME TO ${ident(dst)}`);
    for (const t of this.#temps) await db.exec(`DROP TABLE IF EXISTS ${ident(t)}`);
  }
}
