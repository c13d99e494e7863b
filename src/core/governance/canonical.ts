/*
 * Canonical byte forms and SHA-256 hashes for the run manifest: the same inputs give the same
 * hex digest in node, a worker or the page (Web Crypto), whatever the key order of an object.
 */

/** A weekly table as governance sees it: ISO dates and one float64 column per name (NaN = missing). */
export interface WeeklyTable {
  /** ISO dates (YYYY-MM-DD), one per row, ascending. */
  dates: string[];
  /** Column name -> values, each of length dates.length. */
  columns: Record<string, Float64Array>;
}

/** SHA-256 of bytes as 64 lowercase hex characters (globalThis.crypto.subtle: browser, worker, node >= 20). */
export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  // a copy: subtle.digest wants an ArrayBuffer-backed view, and a SharedArrayBuffer view is refused
  const digest = await globalThis.crypto.subtle.digest('SHA-256', view.slice());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * JSON with object keys sorted at every depth, typed arrays as arrays, undefined members dropped.
 * Non-finite numbers are refused: they have no JSON form, and a hash must not silently merge them.
 * @throws on NaN/Infinity, functions, symbols, bigints or cycles (names the path)
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): string => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return JSON.stringify(v);
      case 'number':
        if (!Number.isFinite(v)) throw new Error(`canonicalJson: ${path} is ${v}, which has no JSON form`);
        return JSON.stringify(Object.is(v, -0) ? 0 : v);
      case 'object': {
        if (seen.has(v)) throw new Error(`canonicalJson: ${path} refers back to itself`);
        seen.add(v);
        let out: string;
        if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
          out = walk(Array.from(v as unknown as ArrayLike<number>), path);
        } else if (Array.isArray(v)) {
          out = `[${v.map((x, i) => (x === undefined ? 'null' : walk(x, `${path}[${i}]`))).join(',')}]`;
        } else {
          const o = v as Record<string, unknown>;
          const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
          out = `{${keys.map((k) => `${JSON.stringify(k)}:${walk(o[k], `${path}.${k}`)}`).join(',')}}`;
        }
        seen.delete(v);
        return out;
      }
      default:
        throw new Error(`canonicalJson: ${path} is a ${typeof v}, which has no JSON form`);
    }
  };
  return walk(value, '$');
}

/** SHA-256 hex of the canonical JSON of a value (mapping + config + model spec, summaries...). */
export function hashJson(value: unknown): Promise<string> {
  return sha256Hex(new TextEncoder().encode(canonicalJson(value)));
}

const CANONICAL_NAN_HI = 0x7ff80000;

/**
 * The canonical bytes of a cleaned table: `CTAB1`, row count, each date, then each column in
 * sorted name order as (name, float64 little-endian values). NaN is written with one bit
 * pattern and -0 as 0, so equal tables in meaning give equal bytes.
 * @throws when a column's length differs from the number of dates
 */
export function canonicalTableBytes(table: WeeklyTable): Uint8Array {
  const enc = new TextEncoder();
  const names = Object.keys(table.columns).sort();
  const n = table.dates.length;
  const parts: Uint8Array[] = [enc.encode('CTAB1')];
  const u32 = (x: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, x, true);
    return b;
  };
  const text = (s: string) => {
    const b = enc.encode(s);
    parts.push(u32(b.length), b);
  };
  parts.push(u32(n), u32(names.length));
  for (const d of table.dates) text(d);
  for (const name of names) {
    const col = table.columns[name]!;
    if (col.length !== n) throw new Error(`canonicalTableBytes: column "${name}" has ${col.length} values for ${n} dates`);
    text(name);
    const b = new Uint8Array(8 * n);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      if (Number.isNaN(x)) {
        dv.setUint32(8 * i, 0, true);
        dv.setUint32(8 * i + 4, CANONICAL_NAN_HI, true);
      } else dv.setFloat64(8 * i, x === 0 ? 0 : x, true);
    }
    parts.push(b);
  }
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** SHA-256 hex of a cleaned table's canonical bytes (see canonicalTableBytes). */
export function hashTable(table: WeeklyTable): Promise<string> {
  return sha256Hex(canonicalTableBytes(table));
}
