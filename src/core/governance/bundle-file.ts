import { sha256Hex } from './canonical.ts';
import { describeIssues, migrateBundle, runBundleSchema, type RunBundle, type RunBundleInput } from './bundle-schema.ts';

/*
 * The `.carryover` file: one run bundle, gzip-compressed (CompressionStream: browsers, workers
 * and node >= 18), behind a small header that lets a reader refuse a wrong, truncated or
 * tampered file before trusting a byte of it:
 *
 *   "CARRYOVER\n" (10 bytes) | container version u8 | SHA-256 of the JSON (32 bytes)
 *   | JSON length u32 LE | gzip(JSON)
 *
 * Non-finite numbers (an R-hat of NaN) are written as {"$num":"NaN"} since JSON has no form
 * for them.
 */

const MAGIC = new TextEncoder().encode('CARRYOVER\n');
const CONTAINER_VERSION = 1;
const HEADER_BYTES = MAGIC.length + 1 + 32 + 4;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** Why a `.carryover` file was refused (a closed list the UI can map to help text). */
export type BundleFileErrorCode =
  | 'too-large'
  | 'bad-magic'
  | 'unsupported-container'
  | 'truncated'
  | 'corrupt'
  | 'checksum'
  | 'bad-json'
  | 'hostile'
  | 'version'
  | 'schema';

/** A refused `.carryover` file: `code` says which check failed, `message` says it for a person. */
export class BundleFileError extends Error {
  readonly code: BundleFileErrorCode;
  constructor(code: BundleFileErrorCode, message: string) {
    super(message);
    this.name = 'BundleFileError';
    this.code = code;
  }
}

/** Size limits on import, bytes. */
export interface BundleFileLimits {
  /** Largest file accepted (default 64 MiB). */
  maxFileBytes: number;
  /** Largest uncompressed JSON accepted (default 128 MiB): a zip bomb stops here. */
  maxJsonBytes: number;
}

/** Default import limits: far above a real bundle (a few MB), far below a tab's memory. */
export const DEFAULT_BUNDLE_LIMITS: BundleFileLimits = { maxFileBytes: 64 * 2 ** 20, maxJsonBytes: 128 * 2 ** 20 };

async function streamBytes(stream: ReadableStream<Uint8Array>, limit: number, onOver: () => never): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel();
      onOver();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Writes a bundle as `.carryover` bytes; validates it first, so an invalid bundle is never saved.
 * @throws BundleFileError('schema') naming the offending fields
 */
export async function encodeBundleFile(bundle: RunBundleInput): Promise<Uint8Array> {
  const parsed = runBundleSchema.safeParse(bundle);
  if (!parsed.success) throw new BundleFileError('schema', `the run bundle is not valid: ${describeIssues(parsed.error)}`);
  const json = JSON.stringify(parsed.data, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v));
  const jsonBytes = new TextEncoder().encode(json);
  const digest = hexToBytes(await sha256Hex(jsonBytes));
  const gz = await streamBytes(new Blob([jsonBytes]).stream().pipeThrough(new CompressionStream('gzip')), Infinity, () => {
    throw new Error('unreachable');
  });
  const out = new Uint8Array(HEADER_BYTES + gz.length);
  out.set(MAGIC, 0);
  out[MAGIC.length] = CONTAINER_VERSION;
  out.set(digest, MAGIC.length + 1);
  new DataView(out.buffer).setUint32(MAGIC.length + 33, jsonBytes.length, true);
  out.set(gz, HEADER_BYTES);
  return out;
}

/** JSON.parse that refuses prototype-polluting keys and restores {"$num": "NaN"} markers. */
function parseJsonSafely(text: string, where: string): unknown {
  try {
    return JSON.parse(text, function (key, value: unknown) {
      if (FORBIDDEN_KEYS.has(key)) throw new BundleFileError('hostile', `${where} contains the key "${key}", which is never written by Carryover: the file was crafted or tampered with`);
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const o = value as Record<string, unknown>;
        const keys = Object.keys(o);
        if (keys.length === 1 && keys[0] === '$num' && typeof o.$num === 'string' && o.$num in NON_FINITE) return NON_FINITE[o.$num];
      }
      return value;
    });
  } catch (e) {
    if (e instanceof BundleFileError) throw e;
    throw new BundleFileError('bad-json', `${where} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads `.carryover` bytes into a validated, migrated bundle. Every refusal is a BundleFileError
 * whose message names the file and the failed check; nothing is returned half-read.
 * @param bytes the whole file
 * @param fileName for messages (e.g. `march-refresh.carryover`)
 */
export async function decodeBundleFile(bytes: Uint8Array, fileName = 'the file', limits: BundleFileLimits = DEFAULT_BUNDLE_LIMITS): Promise<RunBundle> {
  const where = `"${fileName}"`;
  if (bytes.length > limits.maxFileBytes) {
    throw new BundleFileError('too-large', `${where} is ${bytes.length} bytes, above the ${limits.maxFileBytes}-byte limit for a run bundle`);
  }
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new BundleFileError('bad-magic', `${where} is not a Carryover run bundle (it does not start with the CARRYOVER header): export the run again from Carryover`);
  }
  if (bytes.length < HEADER_BYTES) throw new BundleFileError('truncated', `${where} is truncated: its ${bytes.length} bytes end inside the ${HEADER_BYTES}-byte header`);
  const container = bytes[MAGIC.length]!;
  if (container !== CONTAINER_VERSION) {
    throw new BundleFileError('unsupported-container', `${where} uses container version ${container}; this app reads version ${CONTAINER_VERSION}: update the app`);
  }
  const digest = bytes.slice(MAGIC.length + 1, MAGIC.length + 33);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length + 33, true);
  if (declared > limits.maxJsonBytes) {
    throw new BundleFileError('too-large', `${where} declares ${declared} bytes of content, above the ${limits.maxJsonBytes}-byte limit`);
  }
  let json: Uint8Array;
  try {
    const gz = new Blob([bytes.slice(HEADER_BYTES)]).stream().pipeThrough(new DecompressionStream('gzip'));
    json = await streamBytes(gz, declared, () => {
      throw new BundleFileError('corrupt', `${where} holds more content than its header declares (${declared} bytes): the file was altered`);
    });
  } catch (e) {
    if (e instanceof BundleFileError) throw e;
    const msg = (e as Error).message;
    if (/end of|unexpected end|truncat|premature/i.test(msg)) throw new BundleFileError('truncated', `${where} is truncated: the compressed content ends early (${msg}); copy or download it again`);
    throw new BundleFileError('corrupt', `${where} is corrupt: its compressed content cannot be read (${msg})`);
  }
  if (json.length !== declared) {
    throw new BundleFileError('truncated', `${where} is truncated: ${json.length} of ${declared} content bytes were read; copy or download it again`);
  }
  const actual = hexToBytes(await sha256Hex(json));
  if (actual.some((b, i) => b !== digest[i])) {
    throw new BundleFileError('checksum', `${where} was modified after export: its SHA-256 does not match the one in its header`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw new BundleFileError('bad-json', `${where} is not UTF-8 text inside`);
  }
  const raw = parseJsonSafely(text, where);
  let migrated: Record<string, unknown>;
  try {
    migrated = migrateBundle(raw);
  } catch (e) {
    throw new BundleFileError('version', `${where}: ${(e as Error).message}`);
  }
  const parsed = runBundleSchema.safeParse(migrated);
  if (!parsed.success) throw new BundleFileError('schema', `${where} does not match the run bundle schema: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
