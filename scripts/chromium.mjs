// Locates Debian's chromium for tests and benchmarks; never downloads a browser.
import { existsSync } from 'node:fs';

const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

/** Absolute path of a Chromium binary, or undefined when none is installed. */
export function findChromium() {
  return CANDIDATES.find((p) => p && existsSync(p));
}

/** Flags for headless Chromium on a closed network (see design/toolchain.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];
