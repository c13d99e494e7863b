import { gunzipSync, gzipSync, strFromU8, strToU8 } from 'fflate';
import { REPORT_MODEL_VERSION, withoutRows, type ReportModel } from './report-model.ts';

/** Version of the share bundle format (the `version` of the postMessage interface is separate). */
export const SHARE_BUNDLE_VERSION = 1;
/** Longest `#share=` fragment accepted, characters (browsers keep ~2 MB URLs; mail and chat clients far less). */
export const MAX_FRAGMENT_CHARS = 1_500_000;
/** Largest bundle accepted after decompression, bytes (guards against a decompression bomb). */
export const MAX_BUNDLE_BYTES = 50_000_000;

/** A shared report: results, and the weekly series only when the user opted in. */
export interface ShareBundle {
  format: 'carryover-share';
  version: typeof SHARE_BUNDLE_VERSION;
  /** whether the weekly (row-level) series is included; the viewer says so on its first screen */ includesRows: boolean;
  report: ReportModel;
}

/** A bundle that cannot be opened: a clear message for the user. */
export class ShareBundleError extends Error {
  override name = 'ShareBundleError';
}

/** The bundle of a report; row-level data is dropped unless `includeRows`. */
export function makeShareBundle(report: ReportModel, includeRows = false): ShareBundle {
  const r = includeRows ? report : withoutRows(report);
  return { format: 'carryover-share', version: SHARE_BUNDLE_VERSION, includesRows: includeRows && r.series !== null, report: r };
}

/** Gzipped JSON of a bundle (the `.carryover.gz` file). */
export function encodeShareBundle(b: ShareBundle): Uint8Array {
  return gzipSync(strToU8(JSON.stringify(b)), { level: 9, mtime: 0 });
}

/**
 * Reads a gzipped bundle (a dropped file or a decoded fragment).
 * @throws ShareBundleError naming what is wrong: not gzip, too large, not a bundle, a newer version
 */
export function decodeShareBundle(bytes: Uint8Array): ShareBundle {
  if (bytes.length < 18 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) throw new ShareBundleError('This is not a Carryover share bundle: the file is not gzip-compressed (expected a .carryover.gz file).');
  // gzip's trailer holds the uncompressed size mod 2^32: refuse before inflating
  const n = bytes.length;
  const size = (bytes[n - 4] | (bytes[n - 3] << 8) | (bytes[n - 2] << 16) | (bytes[n - 1] << 24)) >>> 0;
  if (size > MAX_BUNDLE_BYTES) throw new ShareBundleError(`The bundle unpacks to ${(size / 1e6).toFixed(1)} MB, above the ${MAX_BUNDLE_BYTES / 1e6} MB limit.`);
  let text: string;
  try {
    text = strFromU8(gunzipSync(bytes));
  } catch (err) {
    throw new ShareBundleError(`The bundle is damaged and could not be unpacked (${err instanceof Error ? err.message : String(err)}).`);
  }
  let b: unknown;
  try {
    b = JSON.parse(text);
  } catch {
    throw new ShareBundleError('The bundle unpacked, but its content is not JSON.');
  }
  return checkBundle(b);
}

/** Checks a parsed value is a share bundle this viewer can show. */
export function checkBundle(b: unknown): ShareBundle {
  const o = b as Partial<ShareBundle> | null;
  if (!o || typeof o !== 'object' || o.format !== 'carryover-share') throw new ShareBundleError('This is not a Carryover share bundle (format is not "carryover-share").');
  if (typeof o.version !== 'number' || o.version > SHARE_BUNDLE_VERSION) throw new ShareBundleError(`This bundle has version ${String(o.version)}; this viewer reads version ${SHARE_BUNDLE_VERSION}. Open it in a newer Carryover.`);
  const r = o.report as Partial<ReportModel> | undefined;
  if (!r || typeof r !== 'object' || !Array.isArray(r.channels) || !r.summary) throw new ShareBundleError('The bundle holds no report.');
  if (typeof r.version !== 'number' || r.version > REPORT_MODEL_VERSION) throw new ShareBundleError(`The report in this bundle has version ${String(r.version)}; this viewer reads version ${REPORT_MODEL_VERSION}.`);
  return { format: 'carryover-share', version: SHARE_BUNDLE_VERSION, includesRows: o.includesRows === true && !!r.series, report: r as ReportModel };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url without padding (RFC 4648 section 5). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i], b = bytes[i + 1] ?? 0, c = bytes[i + 2] ?? 0;
    const v = (a << 16) | (b << 8) | c;
    out += B64[(v >> 18) & 63] + B64[(v >> 12) & 63];
    if (i + 1 < bytes.length) out += B64[(v >> 6) & 63];
    if (i + 2 < bytes.length) out += B64[v & 63];
  }
  return out;
}

/** @throws ShareBundleError on a character outside base64url */
export function fromBase64Url(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0, acc = 0, j = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = B64.indexOf(clean[i]);
    if (v < 0) throw new ShareBundleError(`The share link is damaged: character ${i + 1} ("${clean[i]}") is not base64url.`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 255;
    }
  }
  return out.subarray(0, j);
}

/**
 * The `#share=` fragment of a bundle (never sent to a server: browsers keep fragments local).
 * @throws ShareBundleError when the link would exceed MAX_FRAGMENT_CHARS (share the file instead)
 */
export function bundleToFragment(b: ShareBundle, limit = MAX_FRAGMENT_CHARS): string {
  const frag = `share=${toBase64Url(encodeShareBundle(b))}`;
  if (frag.length > limit) throw new ShareBundleError(`This report is too large for a link (${frag.length.toLocaleString('en-US')} characters, limit ${limit.toLocaleString('en-US')}). Download the bundle file and share that instead${b.includesRows ? ', or leave out the weekly data' : ''}.`);
  return frag;
}

/** The bundle in a URL hash (`#share=...`), or null when the hash holds none. @throws ShareBundleError */
export function bundleFromFragment(hash: string, limit = MAX_FRAGMENT_CHARS): ShareBundle | null {
  const m = /^#?share=(.*)$/s.exec(hash);
  if (!m) return null;
  if (m[1].length > limit) throw new ShareBundleError(`The share link is too long (${m[1].length.toLocaleString('en-US')} characters, limit ${limit.toLocaleString('en-US')}); ask for the bundle file instead.`);
  return decodeShareBundle(fromBase64Url(m[1]));
}
