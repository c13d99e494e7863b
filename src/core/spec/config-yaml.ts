import { parseDocument, stringify } from 'yaml';
import type { z } from 'zod';
import { configSchema, showValue, type Config } from './config.ts';
import type { ParseResult, SpecIssue } from './parse.ts';

/**
 * Turns zod issues into `path: expected ..., got ...` lines. Messages written by the config
 * schema already say what was expected; zod's generic ones get the offending value appended.
 */
export function configIssues(error: z.ZodError): SpecIssue[] {
  return error.issues.map((i) => {
    const path = i.path.length ? i.path.map(String).join('.') : '(root)';
    if (i.code === 'unrecognized_keys') {
      const keys = (i as { keys: string[] }).keys;
      return { path: keys.length === 1 && path === '(root)' ? keys[0] : `${path === '(root)' ? '' : path + '.'}${keys[0]}`, message: `unknown key${keys.length > 1 ? `s ${keys.map((k) => `"${k}"`).join(', ')}` : ''}: not a setting of this section (check the spelling)` };
    }
    const input = (i as { input?: unknown }).input;
    const message = /\bgot\b/.test(i.message) || !('input' in i) ? i.message : `${i.message}, got ${showValue(input)}`;
    return { path, message };
  });
}

/** Parses an untrusted object (from YAML or JSON) into a full Config; missing keys take defaults. */
export function parseConfig(input: unknown): ParseResult<Config> {
  const r = configSchema.safeParse(input ?? {}, { reportInput: true } as never);
  return r.success ? { ok: true, value: r.data } : { ok: false, issues: configIssues(r.error) };
}

/**
 * Reads a YAML config. Syntax errors come back as one issue with path `line N` (1-based,
 * column included); schema errors as key paths (`training.chains: expected a positive integer, got "four"`).
 */
export function configFromYaml(text: string): ParseResult<Config> {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      issues: doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { path: pos ? `line ${pos.line}` : '(yaml)', message: `YAML syntax error${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}: ${e.message.split('\n')[0]}` };
      }),
    };
  }
  return parseConfig(doc.toJS());
}

/** Writes a config as YAML (every setting, section by section); `configFromYaml` reads it back to the same object. */
export function configToYaml(config: Config): string {
  return stringify(config, { lineWidth: 0 });
}
