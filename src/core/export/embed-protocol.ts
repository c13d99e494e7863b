import { checkBundle, decodeShareBundle, fromBase64Url, ShareBundleError, type ShareBundle } from './share-bundle.ts';
import type { ReportPart } from './report-html.ts';

/** Version of the postMessage interface; a `carryover:load` of another version gets `carryover:error`. */
export const EMBED_PROTOCOL_VERSION = 1;

/** Host -> app: load a share bundle (the object, its gzip bytes, or its base64url / `#share=` text). */
export interface EmbedLoadMessage {
  type: 'carryover:load';
  version: typeof EMBED_PROTOCOL_VERSION;
  bundle: ShareBundle | Uint8Array | ArrayBuffer | string;
}

/** App -> host. `ready` is posted once at start, to each allowed origin (the host may load then). */
export type EmbedOutMessage =
  | { type: 'carryover:ready'; version: typeof EMBED_PROTOCOL_VERSION; view: ReportPart }
  | { type: 'carryover:loaded'; version: typeof EMBED_PROTOCOL_VERSION; title: string; channels: string[]; includesRows: boolean }
  | { type: 'carryover:error'; version: typeof EMBED_PROTOCOL_VERSION; message: string }
  | { type: 'carryover:selection'; version: typeof EMBED_PROTOCOL_VERSION; channel: string };

/** What `?embed=...&allow=...` asks for. */
export interface EmbedParams {
  /** `report`, `plan`, or one chart (`chart=roi` / `chart=fit`) */ view: ReportPart;
  /** origins whose messages are accepted and to which events are posted; empty: none */ allow: string[];
}

/** Charts an embed can show alone. */
export const EMBED_CHARTS = ['roi', 'fit'] as const;

/**
 * Reads the embed parameters of a URL query; null when the page is not embedded.
 * `allow` is a comma-separated list of origins (URL-encoded); a value that is not an
 * http(s) origin is dropped, so a typo cannot widen the list.
 */
export function parseEmbedParams(search: string): EmbedParams | null {
  const q = new URLSearchParams(search);
  const embed = q.get('embed');
  const chart = q.get('chart');
  if (embed === null && chart === null) return null;
  let view: ReportPart = 'report';
  if (embed === 'plan') view = 'plan';
  else if (chart !== null || embed === 'chart') view = (EMBED_CHARTS as readonly string[]).includes(chart ?? '') ? (`chart:${chart}` as ReportPart) : 'chart:roi';
  const allow = (q.get('allow') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s.replace(/\/$/, '');
      } catch {
        return false;
      }
    })
    .map((s) => s.replace(/\/$/, ''));
  return { view, allow };
}

/** Whether a message from `origin` may be read ('null' and '*' are never allowed). */
export function originAllowed(origin: string, allow: readonly string[]): boolean {
  return origin !== 'null' && allow.includes(origin);
}

/**
 * The bundle of a `carryover:load` message.
 * @returns null for a message that is not for Carryover (other types are ignored, not errors)
 * @throws ShareBundleError for a load message of another version or with a bad bundle
 */
export function readLoadMessage(data: unknown): ShareBundle | null {
  const m = data as Partial<EmbedLoadMessage> | null;
  if (!m || typeof m !== 'object' || m.type !== 'carryover:load') return null;
  if (m.version !== EMBED_PROTOCOL_VERSION) throw new ShareBundleError(`carryover:load version ${String(m.version)} is not supported; this app speaks version ${EMBED_PROTOCOL_VERSION}.`);
  const b = m.bundle;
  if (b instanceof Uint8Array) return decodeShareBundle(b);
  if (b instanceof ArrayBuffer) return decodeShareBundle(new Uint8Array(b));
  if (typeof b === 'string') return decodeShareBundle(fromBase64Url(b.replace(/^#?share=/, '')));
  return checkBundle(b);
}
