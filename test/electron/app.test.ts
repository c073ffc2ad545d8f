// The real desktop app under Playwright: opens the window, checks at run time
// the security settings the unit tests assert as data, and runs the demo
// report through window.reportStream. It needs the Electron binary; where
// there is none (no GitHub to download it from) it is skipped, saying why.
// On a headless Linux machine it makes its own display with Xvfb.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { METHOD_NAMES } from '../../src-preload/contract.ts';
import { DEV_ADDON_PATH } from '../../src-main/sqlite-addon.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The binary `npm install electron` downloads; never `require('electron')`, which would try to download it. */
function electronBinary(): string | null {
  const pathFile = join(root, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(root, 'node_modules', 'electron', 'dist'), readFileSync(pathFile, 'utf8'));
  return existsSync(binary) ? binary : null;
}

/** Where an X server for a headless Linux machine would come from (Debian's xvfb package). */
const xvfb = process.platform === 'linux' ? (spawnSync('sh', ['-c', 'command -v Xvfb'], { encoding: 'utf8' }).stdout.trim() || null) : null;

/** A virtual X display for the app, on the first free display number; stopped after the spec. */
async function startVirtualDisplay(program: string): Promise<{ display: string; stop: () => void }> {
  const number = [99, 98, 97, 96, 95].find((n) => !existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`));
  if (number === undefined) throw new Error('no free X display number for Xvfb');
  const server = spawn(program, [`:${number}`, '-screen', '0', '1280x800x24', '-nolisten', 'tcp'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!existsSync(`/tmp/.X11-unix/X${number}`)) {
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill();
      throw new Error(`Xvfb did not start on :${number}`);
    }
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return { display: `:${number}`, stop: () => void server.kill() };
}

const binary = electronBinary();
const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY || xvfb);
const skipReason = !binary
  ? 'the Electron binary is not installed (node_modules/electron/dist is missing)'
  : !existsSync(join(root, 'out', 'main', 'index.js'))
    ? 'the app is not built (npm run build)'
    : !existsSync(join(root, DEV_ADDON_PATH))
      ? 'better-sqlite3 is not built for Electron (npm run rebuild:electron)'
      : !hasDisplay
        ? 'there is no display and no Xvfb to make one (apt-get install xvfb)'
        : null;

interface DemoOutcome {
  status: string;
  rowsCached: number;
  firstRows: (string | null)[][];
}

describe('Electron app', () => {
  it.skipIf(skipReason !== null)(
    `opens the window, runs the demo report, and keeps its security settings at run time${skipReason ? ` — SKIPPED: ${skipReason}` : ''}`,
    { timeout: 180_000 },
    async () => {
      const home = mkdtempSync(join(tmpdir(), 'rs-electron-'));
      const needsDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
      const virtual = needsDisplay ? await startVirtualDisplay(xvfb as string) : null;
      const app = await electron.launch({
        executablePath: binary as string,
        // Chromium refuses to start as root without --no-sandbox (CI runs as root).
        args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
        env: { ...process.env, REPORTSTREAM_HOME: home, ELECTRON_ENABLE_LOGGING: '1', ...(virtual ? { DISPLAY: virtual.display } : {}) },
        cwd: root,
      }).catch((err: unknown) => {
        virtual?.stop();
        throw err;
      });
      try {
        const page = await app.firstWindow();
        await page.waitForLoadState('domcontentloaded');
        expect(page.url()).toBe('app://reportstream/index.html');

        const preferences = await app.evaluate(({ BrowserWindow }) => {
          const contents = BrowserWindow.getAllWindows()[0]?.webContents as unknown as { getLastWebPreferences?: () => Record<string, unknown> };
          const prefs = contents.getLastWebPreferences?.();
          return prefs ? { contextIsolation: prefs.contextIsolation, sandbox: prefs.sandbox, nodeIntegration: prefs.nodeIntegration, webSecurity: prefs.webSecurity } : null;
        });
        expect(preferences, 'webContents.getLastWebPreferences() answered').toEqual({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });

        const isolation = await page.evaluate(() => {
          const global = window as unknown as Record<string, unknown>;
          const bridge = global.reportStream as Record<string, unknown>;
          let evalBlocked = false;
          try {
            eval('1 + 1');
          } catch {
            evalBlocked = true;
          }
          return {
            require: typeof global.require,
            process: typeof global.process,
            bridgeKeys: Object.keys(bridge).sort(),
            evalBlocked,
            popup: window.open('https://evil.example/') === null,
          };
        });
        expect(isolation).toEqual({
          require: 'undefined',
          process: 'undefined',
          bridgeKeys: [...METHOD_NAMES, 'onEvent'].sort(),
          evalBlocked: true,
          popup: true,
        });
        expect(app.windows()).toHaveLength(1);

        const outcome = await page.evaluate(async (): Promise<DemoOutcome | string> => {
          type Bridge = {
            startRun(arg: unknown): Promise<{ ok: boolean; value?: { runId: string }; error?: { message: string } }>;
            getRows(arg: unknown): Promise<{ ok: boolean; value?: { rows: (string | null)[][] } }>;
            onEvent(listener: (event: { kind: string; runId?: string; status?: string; run?: { progress: { rowsCached: number } } }) => void): () => void;
          };
          const api = (window as unknown as { reportStream: Bridge }).reportStream;
          const ended = new Map<string, { status: string; rowsCached: number }>();
          const stop = api.onEvent((event) => {
            if (event.kind === 'run-status' && event.runId && ['completed', 'failed', 'cancelled'].includes(event.status ?? '')) {
              ended.set(event.runId, { status: event.status ?? '', rowsCached: event.run?.progress.rowsCached ?? -1 });
            }
          });
          const started = await api.startRun({ source: { type: 'demo' }, dataset: 'orders', name: 'Demo orders' });
          if (!started.ok || !started.value) return `startRun failed: ${started.error?.message}`;
          const runId = started.value.runId;
          while (!ended.has(runId)) await new Promise((wake) => setTimeout(wake, 100));
          stop();
          const rows = await api.getRows({ runId, start: 0, end: 5 });
          const end = ended.get(runId) as { status: string; rowsCached: number };
          return { ...end, firstRows: rows.value?.rows ?? [] };
        });
        expect(outcome).toMatchObject({ status: 'completed', rowsCached: 250_000 });
        expect((outcome as DemoOutcome).firstRows).toHaveLength(5);

        mkdirSync(join(root, 'test-results'), { recursive: true });
        await page.screenshot({ path: join(root, 'test-results', 'electron-demo-report.png') });
      } finally {
        await app.close();
        virtual?.stop();
        rmSync(home, { recursive: true, force: true });
      }
    },
  );
});
