import { chromium, type Browser, type Page } from 'playwright-core';
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
