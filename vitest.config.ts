import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { findChromium, CHROMIUM_ARGS } from './scripts/chromium.mjs';

// Three suites: `node` (core + data in node), `browser` (the same code in real Chromium:
// workers, WebGPU, DuckDB-WASM), `e2e` (the built app driven by playwright-core).
export default defineConfig({
  test: {
    projects: [
      {
        // the Svelte plugin compiles src/state/*.svelte.ts (runes) so the state runs in node
        plugins: [svelte()],
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/core/**/*.test.ts', 'test/data/**/*.test.ts', 'test/state/**/*.test.ts', 'test/regression/**/*.test.ts'],
          testTimeout: 60_000,
          // DuckDB's start in beforeAll takes 10-30 s on a loaded shared machine (the 10 s default failed)
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [svelte()],
        optimizeDeps: {
          exclude: ['@duckdb/duckdb-wasm'],
          // prebundled up front: the tfjs kernel imports its backends lazily, and a dependency
          // found mid-run makes Vite re-optimise and break the page's already-loaded imports
          include: [
            '@tensorflow/tfjs-core',
            '@tensorflow/tfjs-core/dist/register_all_gradients',
            '@tensorflow/tfjs-backend-cpu',
            '@tensorflow/tfjs-backend-wasm',
            '@tensorflow/tfjs-backend-webgpu',
          ],
        },
        worker: { format: 'es' },
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
