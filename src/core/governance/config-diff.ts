/** One changed leaf between two JSON values. */
export interface JsonChange {
  /** Dotted path, e.g. `model.adstock.lags`, `data.controls[1]`. */
  path: string;
  /** undefined when the member was added. */
  previous: unknown;
  /** undefined when the member was removed. */
  current: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Leaf-level differences between two plain JSON values (configs, mappings, model specs), keys in
 * sorted order so the list is stable. Arrays are compared element by element.
 * @param limit most changes returned (default 500): a config is small, a mistake is not
 */
export function diffJson(previous: unknown, current: unknown, limit = 500): JsonChange[] {
  const out: JsonChange[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= limit) return;
    if (isObject(a) && isObject(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) walk(a[k], b[k], path ? `${path}.${k}` : k);
    } else if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
    } else if (!Object.is(a, b)) out.push({ path: path || '(root)', previous: a, current: b });
  };
  walk(previous, current, '');
  return out;
}
