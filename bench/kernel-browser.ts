import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { findChromium, CHROMIUM_ARGS } from '../scripts/chromium.mjs';
import type { ModelSpec } from '../src/core/spec/model-spec.ts';
import type { ModelData } from '../src/core/model/model-data.ts';
import type { SuiteOptions } from './kernel-measure.ts';
import type { PagePayload, PageResult, PlainModelData } from './kernel-page.ts';

// The kernel benchmark in Debian's Chromium: a Vite dev server serves bench/kernel-page.html,
// playwright-core drives the page, the page measures fused and tfjs (wasm, cpu, webgpu) kernels.

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Settings of the browser run. */
export interface BrowserBenchOptions {
  suite: SuiteOptions;
  /** whole-run limit, ms */
  timeoutMs: number;
}

/**
 * Measures the kernels in headless Chromium (--enable-unsafe-webgpu: WebGPU is SwiftShader on a
 * GPU-less machine). Throws when no Chromium is installed or the page fails.
 */
export async function runBrowserKernelBench(spec: ModelSpec, data: ModelData, opts: BrowserBenchOptions): Promise<PageResult> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found (apt-get install chromium, or set CHROMIUM_PATH).');
  const server = await createServer({
    root: ROOT,
    configFile: false,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, hmr: false },
    // prebundle up front so no dependency is discovered (and re-optimised) while the page runs
    optimizeDeps: {
      entries: ['bench/kernel-page.html'],
      include: [
        '@tensorflow/tfjs-core',
        '@tensorflow/tfjs-core/dist/register_all_gradients',
        '@tensorflow/tfjs-backend-cpu',
        '@tensorflow/tfjs-backend-wasm',
        '@tensorflow/tfjs-backend-webgpu',
      ],
    },
  });
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  try {
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('Vite dev server has no local URL.');
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${url}bench/kernel-page.html`);
    await page.waitForFunction(() => 'runKernelBench' in window, undefined, { timeout: 60_000 }).catch(() => {
      throw new Error(`Benchmark page did not load: ${errors.join('; ') || 'timeout'}`);
    });
    const plain = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]),
    ) as PlainModelData;
    const payload: PagePayload = { spec, data: plain, options: opts.suite };
    page.setDefaultTimeout(opts.timeoutMs);
    return await page.evaluate(
      (p) => (window as unknown as { runKernelBench(p: PagePayload): Promise<PageResult> }).runKernelBench(p),
      payload,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}
