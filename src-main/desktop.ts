// The desktop touches: native save and open dialogs, "Show in folder", a
// notification when a run or export ends while the window is in the
// background, and taskbar/dock progress while runs are active. Electron's
// modules are passed in; the decisions are plain functions.
import { existsSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { BrowserWindow, Dialog, NotificationConstructorOptions, Shell } from 'electron';
import type { AppEvent, ExportFormat, RunProgress } from '../src-preload/contract.ts';
import { ReportError } from './engine/errors.ts';
import { runFileName } from './engine/paths.ts';
import { exportFileName } from './file-names.ts';

export const REPORT_FILE_EXTENSION = extname(runFileName('x')).slice(1);

export type TaskbarProgress = { value: number; mode: 'none' | 'normal' | 'indeterminate' };

/** One bar for all active runs: their mean percent, indeterminate when any total is unknown, none when idle. */
export function taskbarProgress(active: ReadonlyMap<string, RunProgress | null>): TaskbarProgress {
  if (active.size === 0) return { value: -1, mode: 'none' };
  const percents = [...active.values()].map((progress) => progress?.percent ?? null);
  if (percents.some((percent) => percent === null)) return { value: 2, mode: 'indeterminate' };
  const mean = (percents as number[]).reduce((sum, percent) => sum + percent, 0) / percents.length;
  return { value: Math.min(1, Math.max(0, mean / 100)), mode: 'normal' };
}

/** The notification for an event that ends something the user waits for; null for every other event. */
export function notificationFor(event: AppEvent): { title: string; body: string } | null {
  switch (event.kind) {
    case 'run-status':
      if (event.status === 'completed') {
        return { title: 'Report ready', body: `${event.run.name}: ${event.run.progress.rowsCached.toLocaleString('en-US')} rows cached.` };
      }
      if (event.status === 'failed') return { title: 'Report failed', body: `${event.run.name}: ${event.run.error?.message ?? 'the run failed.'}` };
      return null;
    case 'export-status':
      if (event.status === 'completed') return { title: 'Export finished', body: `${event.export.rowsWritten.toLocaleString('en-US')} rows written to ${event.export.path}.` };
      if (event.status === 'failed') return { title: 'Export failed', body: event.export.error?.message ?? 'The export failed.' };
      return null;
    case 'run-progress':
    case 'export-progress':
      return null;
    default:
      return event satisfies never;
  }
}

export interface DesktopModules {
  dialog: Pick<Dialog, 'showSaveDialog' | 'showOpenDialog'>;
  shell: Pick<Shell, 'showItemInFolder'>;
  /** Electron's Notification class. */
  createNotification: (options: NotificationConstructorOptions) => { show(): void; on(event: 'click', listener: () => void): unknown };
  notificationsSupported: () => boolean;
  defaultExportDir: () => string;
}

/** The host-only methods and the window's reactions to engine events. */
export class DesktopShell {
  /** Paths the user picked in a dialog: the only ones an export may write or an import may read. */
  private readonly chosenExportPaths = new Set<string>();
  private readonly chosenReportFiles = new Set<string>();
  private readonly activeRuns = new Map<string, RunProgress | null>();
  private lastProgressAt = 0;

  constructor(
    private readonly modules: DesktopModules,
    private readonly window: () => BrowserWindow | null,
  ) {}

  async chooseExportPath({ suggestedName, format }: { suggestedName: string; format: ExportFormat }): Promise<string | null> {
    const win = this.window();
    const options = {
      title: 'Export report',
      defaultPath: join(this.modules.defaultExportDir(), exportFileName(suggestedName, format)),
      filters: [format === 'csv' ? { name: 'CSV', extensions: ['csv'] } : { name: 'Excel workbook', extensions: ['xlsx'] }],
      properties: ['createDirectory', 'showOverwriteConfirmation'] as ('createDirectory' | 'showOverwriteConfirmation')[],
    };
    const result = win ? await this.modules.dialog.showSaveDialog(win, options) : await this.modules.dialog.showSaveDialog(options);
    if (result.canceled || !result.filePath) return null;
    const path = resolve(extname(result.filePath) ? result.filePath : `${result.filePath}.${format}`);
    this.chosenExportPaths.add(path);
    return path;
  }

  async chooseReportFile(): Promise<string | null> {
    const win = this.window();
    const options = {
      title: 'Open a report file',
      filters: [
        { name: 'ReportStream report', extensions: [REPORT_FILE_EXTENSION] },
        { name: 'All files', extensions: ['*'] },
      ],
      properties: ['openFile'] as 'openFile'[],
    };
    const result = win ? await this.modules.dialog.showOpenDialog(win, options) : await this.modules.dialog.showOpenDialog(options);
    const path = result.canceled ? undefined : result.filePaths[0];
    if (!path) return null;
    this.chosenReportFiles.add(resolve(path));
    return resolve(path);
  }

  async showInFolder({ path }: { path: string }): Promise<void> {
    if (!existsSync(path)) throw new ReportError('NotFound', `${path} does not exist any more.`);
    this.modules.shell.showItemInFolder(path);
  }

  /** A compromised renderer must not write anywhere it likes: an export goes only where the user said. */
  assertExportPathChosen(path: string): void {
    if (!this.chosenExportPaths.has(resolve(path))) {
      throw new ReportError('PermissionDenied', 'Choose where to save the export in the save dialog first.');
    }
  }

  assertReportFileChosen(path: string): void {
    if (!this.chosenReportFiles.has(resolve(path))) {
      throw new ReportError('PermissionDenied', 'Choose the report file in the open dialog first.');
    }
  }

  /** Taskbar/dock progress and background notifications follow the engine's events. */
  onEngineEvent(event: AppEvent): void {
    const win = this.window();
    this.track(event);
    if (win && !win.isDestroyed()) {
      const now = Date.now();
      // Progress events come per chunk; the taskbar needs a few updates a second at most.
      if (event.kind !== 'run-progress' || now - this.lastProgressAt > 250) {
        this.lastProgressAt = now;
        const progress = taskbarProgress(this.activeRuns);
        win.setProgressBar(progress.value, { mode: progress.mode });
      }
    }
    const note = notificationFor(event);
    if (note && (!win || win.isDestroyed() || !win.isFocused()) && this.modules.notificationsSupported()) {
      const notification = this.modules.createNotification({ title: note.title, body: note.body, silent: false });
      notification.on('click', () => {
        const target = this.window();
        if (!target || target.isDestroyed()) return;
        if (target.isMinimized()) target.restore();
        target.show();
        target.focus();
      });
      notification.show();
    }
  }

  private track(event: AppEvent): void {
    if (event.kind === 'run-progress' && this.activeRuns.has(event.runId)) this.activeRuns.set(event.runId, event.progress);
    if (event.kind !== 'run-status') return;
    if (event.status === 'queued' || event.status === 'running') this.activeRuns.set(event.runId, event.run.progress);
    else this.activeRuns.delete(event.runId);
  }
}
