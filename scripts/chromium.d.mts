/** Absolute path of a Chromium binary, or undefined when none is installed. */
export function findChromium(): string | undefined;
/** Flags for headless Chromium on a closed network. */
export const CHROMIUM_ARGS: string[];
