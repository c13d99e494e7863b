/** Minimal view of an Arrow table as DuckDB-WASM returns it. */
interface ArrowLike {
  numRows: number;
  schema: { fields: { name: string }[] };
  getChildAt(i: number): { get(row: number): unknown } | null;
}

/**
 * Converts an Arrow result to plain row objects. BigInt becomes number (exact up to 2^53),
 * so callers never see BigInt; cast DECIMAL to DOUBLE in SQL.
 */
export function rowsToObjects(table: ArrowLike): Record<string, unknown>[] {
  const names = table.schema.fields.map((f) => f.name);
  const cols = names.map((_, i) => table.getChildAt(i));
  const out: Record<string, unknown>[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < names.length; c++) {
      const v = cols[c]?.get(r);
      row[names[c]] = typeof v === 'bigint' ? Number(v) : v;
    }
    out[r] = row;
  }
  return out;
}
