// Drives the renderer in Debian's Chromium against the real browser host:
// launch, open the page, pick a source, generate a report, read the grid.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { RunStatus, SourceRef } from '../../../src-preload/contract.ts';
import { callOk, startBrowserHost, type BrowserHost, type BrowserHostOptions } from '../../support/browser-host.ts';

export const SCREENSHOT_DIR = resolve('test-results/screenshots');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Headless unless E2E_HEADED=1 (with a DISPLAY, e.g. Xvfb): a headed window paints scrollbars as a desktop does, for screenshots. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: process.env.E2E_HEADED !== '1' });
}

export interface TestHost extends BrowserHost {
  cacheDir: string;
  /** Stops the host and removes its cache folder (unless `keepCache`). */
  dispose(options?: { keepCache?: boolean }): Promise<void>;
}

/** A browser host on a fresh cache folder (or the one given, to reopen a library). */
export async function startTestHost(options: Partial<BrowserHostOptions> = {}): Promise<TestHost> {
  const cacheDir = options.cacheDir ?? mkdtempSync(join(tmpdir(), 'rs-e2e-'));
  const host = await startBrowserHost({
    ...options,
    cacheDir,
    ...(process.env.RENDERER_DIR ? { rendererDir: process.env.RENDERER_DIR } : {}),
  });
  return {
    ...host,
    cacheDir,
    dispose: async ({ keepCache = false } = {}) => {
      await host.stop();
      if (!keepCache) rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** Saves a PostgreSQL profile for `url` through the contract; returns its source. */
export async function addProfile(host: BrowserHost, url: string, name: string): Promise<SourceRef> {
  const parsed = new URL(url);
  const profile = await callOk(host, 'saveSource', {
    name,
    host: parsed.hostname,
    port: Number(parsed.port),
    database: decodeURIComponent(parsed.pathname.slice(1)),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    sslMode: 'disable',
  });
  return { type: 'postgres', profileId: profile.id };
}

export interface AppPage {
  page: Page;
  /** Uncaught errors and CSP violations seen by the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

export async function openApp(browser: Browser, host: BrowserHost, viewport = { width: 1280, height: 800 }): Promise<AppPage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(host.url);
  // Ready once the host has answered with its sources (usable in beforeAll, unlike expect.poll).
  await page.locator('[data-testid="source-picker"] option').first().waitFor({ state: 'attached', timeout: 15_000 });
  return { page, pageErrors, close: () => context.close() };
}

/** What a spec works with: the browser host, Chromium and the app's page, opened together and closed in reverse. */
export interface AppSession {
  host: TestHost;
  browser: Browser;
  app: AppPage;
  /** Closes the page and the host and opens both again on the same cache, as when the app is restarted. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** A host on a fresh cache with these PostgreSQL sources saved, and the app open in Chromium. */
export async function openAppSession(sources: { url: string; name: string }[] = []): Promise<AppSession> {
  const host = await startTestHost();
  let browser: Browser | undefined;
  let app: AppPage;
  try {
    for (const source of sources) await addProfile(host, source.url, source.name);
    browser = await launchChromium();
    app = await openApp(browser, host);
  } catch (err) {
    // A spec whose setup failed has no session to close: leave nothing running behind it.
    await browser?.close();
    await host.dispose();
    throw err;
  }
  const session: AppSession = {
    host,
    browser,
    app,
    restart: async () => {
      await session.app.close();
      await session.host.dispose({ keepCache: true });
      session.host = await startTestHost({ cacheDir: session.host.cacheDir });
      session.app = await openApp(session.browser, session.host);
    },
    close: async () => {
      await session.app.close();
      await session.browser.close();
      await session.host.dispose();
    },
  };
  return session;
}

/** Selects the source the datasets and the builder work on, by its label, in the sidebar. */
export async function selectSource(page: Page, label: string): Promise<void> {
  await page.getByTestId('sidebar-tab-datasets').click();
  await page.getByTestId('datasets-panel').getByTestId('source-picker').selectOption({ label });
}

export async function generateDataset(page: Page, dataset: string, name?: string): Promise<void> {
  await page.getByTestId('new-report').click();
  await page.locator('label:has([data-testid="mode-dataset"])').click();
  await page.getByTestId('builder-dataset').fill(dataset);
  await page.getByTestId('builder-name').fill(name ?? '');
  await page.getByTestId('generate').click();
}

export async function generateSql(page: Page, sql: string, name: string): Promise<void> {
  await page.getByTestId('new-report').click();
  await page.locator('label:has([data-testid="mode-sql"])').click();
  await page.getByTestId('builder-sql').fill(sql);
  await page.getByTestId('builder-name').fill(name);
  // Ctrl+Enter generates from anywhere in the builder.
  await page.getByTestId('builder-sql').press('Control+Enter');
}

/** The report tab on screen. */
export function activeRun(page: Page): Locator {
  return page.locator('[role="tabpanel"]:not([hidden]) [data-testid="run-view"]');
}

export async function waitForRunStatus(page: Page, status: RunStatus, timeout = 60_000): Promise<void> {
  await expect.poll(() => activeRun(page).getAttribute('data-status'), { timeout, interval: 100 }).toBe(status);
}

export async function rowsCached(page: Page): Promise<number> {
  return Number(await activeRun(page).getByTestId('run-progress').getAttribute('data-rows-cached'));
}

export async function gridRowCount(page: Page): Promise<number> {
  const value = await activeRun(page).getByTestId('grid-row-count').getAttribute('data-count');
  return value === null || value === '' ? -1 : Number(value);
}

/** The text of one cell of the report on screen; `column` is the report column's index. */
export function cell(page: Page, rowIndex: number, column: number): Locator {
  return activeRun(page).locator(`.ag-row[row-index="${rowIndex}"] .ag-cell[col-id="c${column}"]`);
}

/** Used JS heap of the page, from the DevTools protocol, in MB. */
export async function jsHeapUsedMB(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('Performance.enable');
    const { metrics } = await session.send('Performance.getMetrics');
    const used = metrics.find((metric) => metric.name === 'JSHeapUsedSize')?.value ?? Number.NaN;
    return used / (1024 * 1024);
  } finally {
    await session.detach();
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}
