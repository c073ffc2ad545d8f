// The desktop touches, with Electron's dialog, shell and Notification passed
// in: what the save dialog proposes, that exports go only where the user chose,
// when a notification shows, and what the taskbar shows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserWindow } from 'electron';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppEvent, RunProgress, RunSummary } from '../../src-preload/contract.ts';
import { DesktopShell, notificationFor, taskbarProgress, type DesktopModules } from '../../src-main/desktop.ts';
import { exportFileName } from '../../src-main/file-names.ts';

const progress = (percent: number | null, rowsCached = 10): RunProgress => ({
  rowsCached,
  totalRows: percent === null ? null : 100,
  totalIsExact: false,
  percent,
  rowsPerSec: 1000,
  etaSeconds: null,
  elapsedMs: 10,
});

const runStatus = (runId: string, status: RunSummary['status'], percent: number | null = 50): AppEvent => ({
  kind: 'run-status',
  runId,
  status,
  run: { runId, name: `Run ${runId}`, status, progress: progress(percent, 1234), error: null } as RunSummary,
});

function fakeWindow(focused: boolean) {
  const bars: { value: number; mode?: string }[] = [];
  const win = {
    isDestroyed: () => false,
    isFocused: () => focused,
    isMinimized: () => false,
    setProgressBar: (value: number, options?: { mode?: string }) => bars.push({ value, mode: options?.mode }),
    restore: () => {},
    show: () => {},
    focus: () => {},
  };
  return { win: win as unknown as BrowserWindow, bars };
}

function fakeModules(savePath: string | undefined, openPath?: string) {
  const shown: { title: string; body: string }[] = [];
  const revealed: string[] = [];
  const modules: DesktopModules = {
    dialog: {
      showSaveDialog: (async () => ({ canceled: savePath === undefined, filePath: savePath ?? '' })) as DesktopModules['dialog']['showSaveDialog'],
      showOpenDialog: (async () => ({ canceled: openPath === undefined, filePaths: openPath ? [openPath] : [] })) as DesktopModules['dialog']['showOpenDialog'],
    },
    shell: { showItemInFolder: (path: string) => void revealed.push(path) },
    createNotification: (options) => ({ show: () => void shown.push({ title: options.title ?? '', body: options.body ?? '' }), on: () => undefined }),
    notificationsSupported: () => true,
    defaultExportDir: () => '/home/analyst/Documents',
  };
  return { modules, shown, revealed };
}

describe('desktop touches', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-desktop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('proposes a safe file name with the format’s extension', () => {
    expect(exportFileName('Q3 orders', 'csv')).toBe('Q3 orders.csv');
    expect(exportFileName('a/b\\c:d*?"<>|', 'xlsx')).toBe('a_b_c_d_.xlsx');
    expect(exportFileName('../../etc/passwd', 'csv')).toBe('_.._etc_passwd.csv');
    expect(exportFileName('', 'csv')).toBe('report.csv');
    expect(exportFileName('report.csv', 'csv')).toBe('report.csv');
  });

  it('lets an export write only where the user chose in the save dialog', async () => {
    const { modules } = fakeModules(join(dir, 'chosen'));
    const shell = new DesktopShell(modules, () => null);
    const chosen = await shell.chooseExportPath({ suggestedName: 'orders', format: 'csv' });
    expect(chosen).toBe(join(dir, 'chosen.csv'));
    expect(() => shell.assertExportPathChosen(join(dir, 'chosen.csv'))).not.toThrow();
    expect(() => shell.assertExportPathChosen(join(dir, 'elsewhere.csv'))).toThrow(expect.objectContaining({ kind: 'PermissionDenied' }));
    const cancelled = new DesktopShell(fakeModules(undefined).modules, () => null);
    expect(await cancelled.chooseExportPath({ suggestedName: 'orders', format: 'xlsx' })).toBeNull();
  });

  it('imports only a report file the user picked, and reveals files that exist', async () => {
    const file = join(dir, 'shared.rsreport');
    writeFileSync(file, 'x');
    const { modules, revealed } = fakeModules(undefined, file);
    const shell = new DesktopShell(modules, () => null);
    expect(() => shell.assertReportFileChosen(file)).toThrow(expect.objectContaining({ kind: 'PermissionDenied' }));
    expect(await shell.chooseReportFile()).toBe(file);
    expect(() => shell.assertReportFileChosen(file)).not.toThrow();
    await shell.showInFolder({ path: file });
    expect(revealed).toEqual([file]);
    await expect(shell.showInFolder({ path: join(dir, 'gone.csv') })).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('notifies when a run or export ends while the window is in the background, not in front', () => {
    const background = fakeModules(undefined);
    new DesktopShell(background.modules, () => fakeWindow(false).win).onEngineEvent(runStatus('r1', 'completed'));
    expect(background.shown).toEqual([{ title: 'Report ready', body: 'Run r1: 1,234 rows cached.' }]);
    const front = fakeModules(undefined);
    new DesktopShell(front.modules, () => fakeWindow(true).win).onEngineEvent(runStatus('r1', 'completed'));
    expect(front.shown).toEqual([]);
    expect(notificationFor(runStatus('r1', 'cancelled'))).toBeNull();
    expect(notificationFor(runStatus('r1', 'running'))).toBeNull();
    expect(notificationFor(runStatus('r1', 'failed'))?.title).toBe('Report failed');
  });

  it('shows run progress on the taskbar and clears it when runs end', () => {
    expect(taskbarProgress(new Map())).toEqual({ value: -1, mode: 'none' });
    expect(taskbarProgress(new Map([['a', progress(20)], ['b', progress(60)]]))).toEqual({ value: 0.4, mode: 'normal' });
    expect(taskbarProgress(new Map([['a', progress(20)], ['b', progress(null)]]))).toEqual({ value: 2, mode: 'indeterminate' });

    const { win, bars } = fakeWindow(true);
    const shell = new DesktopShell(fakeModules(undefined).modules, () => win);
    shell.onEngineEvent(runStatus('r1', 'running', 10));
    shell.onEngineEvent(runStatus('r1', 'completed', 100));
    expect(bars.at(0)).toEqual({ value: 0.1, mode: 'normal' });
    expect(bars.at(-1)).toEqual({ value: -1, mode: 'none' });
  });
});
