import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { findChromium, CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

/** A page of the built app plus every request it made, to assert that none leaves the origin. */
export interface AppPage {
  page: Page;
  browser: Browser;
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
  close(): Promise<void>;
}

/** Launches Debian's Chromium headless and opens the app at baseUrl (+ hash). */
export async function openApp(baseUrl: string, hash = ''): Promise<AppPage> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('Chromium not found: apt-get install -y chromium');
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(baseUrl + hash);
  return { page, browser, requests, errors, close: () => browser.close() };
}

/** Requests whose origin differs from the app's (data: and blob: URLs are local). */
export function offOrigin(requests: string[], baseUrl: string): string[] {
  const origin = new URL(baseUrl).origin;
  return requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
}

/**
 * Puts a file in the Data screen's file input and waits until that file (by name, not the one
 * loaded before) is shown as loaded; returns the row count the app shows.
 */
export async function loadFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<string> {
  await page.getByTestId('file-input').setInputFiles(file);
  const name = typeof file === 'string' ? file.split('/').pop()! : file.name;
  await page.getByTestId('loaded-file').filter({ hasText: name }).waitFor({ timeout: 60_000 });
  return page.getByTestId('row-count').innerText();
}

/** Short-run settings for e2e fits: a few seconds per chain on two shared cores. */
export interface ShortFit {
  chains?: number;
  warmup?: number;
  draws?: number;
  seed?: number;
}

/**
 * Fills the Fit screen's settings (chains, warmup, draws, seed; "stop when converged" off) with
 * mouse-free fills, starts the fit and waits until it is done (a fit error fails the wait with
 * its message).
 */
export async function runShortFit(page: Page, { chains = 2, warmup = 100, draws = 100, seed }: ShortFit = {}): Promise<void> {
  await page.getByLabel('chains', { exact: true }).fill(String(chains));
  await page.getByLabel('warmup', { exact: true }).fill(String(warmup));
  await page.getByLabel('draws', { exact: true }).fill(String(draws));
  if (seed !== undefined) await page.getByLabel('seed', { exact: true }).fill(String(seed));
  await page.getByTestId('fit-until-converged').uncheck();
  await page.getByTestId('fit-start').click();
  const end = page.locator('[data-testid="fit-done"], [data-testid="fit-error"]').first();
  await end.waitFor({ timeout: 180_000 });
  const err = page.getByTestId('fit-error');
  if (await err.count()) throw new Error(`the fit failed: ${await err.first().innerText()}`);
}

/**
 * The setup most e2e files share: loads a demo on the Data screen (the app must be there),
 * confirms the mapping, waits for the checks to pass and runs a short fit.
 * @param demo a demo id from public/demo/index.json, e.g. 'robyn_simulated_weekly'
 */
export async function startShortFit(page: Page, demo: string, fit: ShortFit = {}): Promise<void> {
  await page.getByTestId(`demo-${demo}`).click();
  await fitLoadedData(page, fit);
}

/** From the Data screen with a file loaded: confirms the mapping, waits for the checks, runs a short fit. */
export async function fitLoadedData(page: Page, fit: ShortFit = {}): Promise<void> {
  await page.getByTestId('go-checks').click({ timeout: 60_000 });
  await page.getByTestId('checks-ready').waitFor({ timeout: 90_000 });
  await page.getByTestId('go-fit').click();
  await runShortFit(page, fit);
}

/** One serious or critical axe-core finding, with the elements it names. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (the npm package's own file, evaluated in the page: no CDN; an inline
 * <script> tag would be refused by the app's Content-Security-Policy) on the whole page and
 * returns its serious and critical violations.
 */
export async function axeSerious(page: Page): Promise<AxeFinding[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
}

/**
 * Moves the focus with Tab (Shift+Tab when `back`) until it is on `target` or inside it, as a
 * keyboard user would; fails when `max` presses never reach it (unfocusable or trapped).
 */
export async function tabTo(page: Page, target: Locator, { max = 250, back = false } = {}): Promise<void> {
  await target.waitFor({ timeout: 60_000 });
  // resolved once: a role locator re-resolved on every press is slow on a page full of SVG
  const el = (await target.elementHandle())!;
  try {
    for (let i = 0; i < max; i++) {
      if (await el.evaluate((e) => e === document.activeElement || e.contains(document.activeElement))) return;
      await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    }
  } finally {
    await el.dispose();
  }
  const at = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120));
  throw new Error(`${max} Tab presses never reached ${target}; the focus is on ${at}`);
}
