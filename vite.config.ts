import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import type { Plugin } from 'vite';

/**
 * The built page's Content-Security-Policy: nothing off-origin can load or be contacted (fetch,
 * scripts, images, frames), wasm may compile (DuckDB, tfjs), styles may be inline (Svelte, Plot).
 * Only on build: the dev server's HMR socket would be refused by it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'carryover-csp',
    apply: 'build',
    transformIndexHtml: (html) =>
      html.replace('<meta charset="UTF-8" />', `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`),
  };
}

// Static SPA: `vite build` output can be dropped on any static host.
// The service worker makes the app work offline after the first visit: the shell and scripts are
// precached at install; the large wasm files (DuckDB ~35 MB, tfjs) and the demo files are cached
// the first time the app fetches them, so a visit never downloads the bundle it does not use.
export default defineConfig({
  base: './',
  plugins: [
    svelte(),
    contentSecurityPolicy(),
    VitePWA({
      registerType: 'prompt', // an update is announced and applied on the user's click, never mid-fit
      injectRegister: false,
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,json}'],
        globIgnores: ['**/duckdb-*.worker-*.js'],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        navigateFallback: null,
        cleanupOutdatedCaches: true,
        clientsClaim: true, // the first visit's own later fetches (DuckDB, demos) fill the cache
        runtimeCaching: [
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && /\.(wasm|js)$/.test(url.pathname),
            handler: 'CacheFirst',
            options: { cacheName: 'carryover-engines', expiration: { maxEntries: 40 } },
          },
          {
            urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.includes('/demo/'),
            handler: 'StaleWhileRevalidate',
            options: { cacheName: 'carryover-demos', expiration: { maxEntries: 40 } },
          },
        ],
      },
    }),
  ],
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@duckdb/duckdb-wasm'] },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096 },
  server: { host: '127.0.0.1' },
  // A sandboxed iframe (sandbox="allow-scripts", embed mode) has an opaque origin, so its module
  // scripts are cross-origin CORS requests with `Origin: null`: the static host must answer them
  // with Access-Control-Allow-Origin: * (the assets are public). README: Embedding.
  preview: { host: '127.0.0.1', cors: { origin: '*' } },
});
