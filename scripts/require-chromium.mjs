// Fails `npm test` loudly when Chromium is missing: the browser suite is never skipped silently.
import { findChromium } from './chromium.mjs';

if (!findChromium()) {
  console.error(
    'Chromium not found. The browser test suite needs it.\n' +
      '  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium\n' +
      '  Or set CHROMIUM_PATH=/path/to/chromium.\n' +
      'Do not use `npx playwright install`: tests use the system browser.',
  );
  process.exit(1);
}
