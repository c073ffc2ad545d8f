// Electron lifecycle: one instance, one window, the engine in a utility
// process, every contract method registered through the one IPC wrapper.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  Notification,
  protocol,
  safeStorage,
  session,
  shell,
  utilityProcess,
  type UtilityProcess,
} from 'electron';
import { EVENT_CHANNEL, type AppEvent, type EngineMethodName, type MethodArg, type MethodValue } from '../src-preload/contract.ts';
import { devContentSecurityPolicy } from './csp.ts';
import { DesktopShell } from './desktop.ts';
import { defaultCacheDir } from './engine/paths.ts';
import { EngineClient, forwardingMethods, type RelayPort } from './engine-relay.ts';
import { handleContract, isTrustedFrame, originOf, type Implementations } from './ipc.ts';
import { SafeStorageSecretStore } from './secrets-electron.ts';
import { APP_ENTRY_URL, APP_ORIGIN, APP_SCHEME, installContentsGuards, installSessionGuards } from './security.ts';
import { ELECTRON_SQLITE_ADDON_ENV, electronSqliteAddon } from './sqlite-addon.ts';
import { createMainWindow, serveRendererScheme } from './window.ts';

const here = dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');
const engineEntry = join(here, 'engine-process.js');
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trustedOrigins = [APP_ORIGIN, ...(devServerUrl ? [originOf(devServerUrl) ?? devServerUrl] : [])];

// Before ready: the scheme must be privileged, and every renderer sandboxed.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;
let engine: EngineClient | null = null;
let engineProcess: UtilityProcess | null = null;
let quitting = false;
const engineRestarts: number[] = [];

const secrets = new SafeStorageSecretStore(join(app.getPath('userData'), 'passwords.json'), safeStorage);
const desktop = new DesktopShell(
  {
    dialog,
    shell,
    createNotification: (options) => new Notification(options),
    notificationsSupported: () => Notification.isSupported(),
    defaultExportDir: () => app.getPath('documents'),
  },
  () => mainWindow,
);

function forwardEvent(event: AppEvent): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(EVENT_CHANNEL, event);
  desktop.onEngineEvent(event);
}

async function startEngine(): Promise<EngineClient> {
  const addon = electronSqliteAddon(app.isPackaged, app.getAppPath(), process.resourcesPath);
  const child = utilityProcess.fork(engineEntry, [], {
    serviceName: 'ReportStream engine',
    stdio: 'inherit',
    env: { ...process.env, ...(addon ? { [ELECTRON_SQLITE_ADDON_ENV]: addon } : {}) },
  });
  engineProcess = child;
  const port: RelayPort = {
    postMessage: (message) => child.postMessage(message),
    onMessage: (listener) => {
      child.on('message', listener);
      return () => child.off('message', listener);
    },
  };
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) => {
      const message = `The ReportStream engine stopped unexpectedly (exit code ${code}).`;
      reject(new Error(message));
      if (engine && engineProcess === child) onEngineExit(engine, message);
    });
  });
  exited.catch(() => {});
  const client = await Promise.race([
    EngineClient.open(
      port,
      { cacheDir: defaultCacheDir(), version: app.getVersion(), secrets: { status: secrets.status(), passwords: secrets.loadAll() } },
      (change) => {
        try {
          secrets.apply(change);
        } catch (err) {
          console.error('[secrets] could not store a password change', err);
          // The engine holds the password for this session only: say so rather than lose it silently at the next start.
          const message = change.op === 'save' ? 'The password could not be saved for next time.' : 'A removed password could not be deleted from disk.';
          const detail = `${(err as Error).message ?? String(err)}\n\nIt works until ReportStream closes. Check that the folder ${app.getPath('userData')} is writable, then save the connection again.`;
          const options = { type: 'warning' as const, title: 'ReportStream', message, detail };
          void (mainWindow && !mainWindow.isDestroyed() ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));
        }
      },
    ),
    exited,
  ]);
  client.onEvent(forwardEvent);
  return client;
}

/** A crashed engine fails the calls in flight; it is started again unless it keeps crashing. */
function onEngineExit(client: EngineClient, message: string): void {
  client.fail(message);
  if (quitting) return;
  const now = Date.now();
  engineRestarts.push(now);
  while (engineRestarts.length > 0 && now - (engineRestarts[0] ?? now) > 60_000) engineRestarts.shift();
  if (engineRestarts.length > 3) {
    dialog.showErrorBox('ReportStream', `${message} It crashed several times in a minute, so it was not restarted. Restart ReportStream.`);
    return;
  }
  startEngine().then(
    (restarted) => (engine = restarted),
    (err: unknown) => dialog.showErrorBox('ReportStream', `The engine could not be restarted: ${String(err)}`),
  );
}

const call = <M extends EngineMethodName>(method: M, arg: MethodArg<M>): Promise<MethodValue<M>> => {
  if (!engine) return Promise.reject(new Error('The engine is not running.'));
  return engine.call(method, arg);
};

const implementations: Implementations = {
  ...forwardingMethods(call),
  startExport: async (arg) => {
    desktop.assertExportPathChosen(arg.path);
    return call('startExport', arg);
  },
  importRunFile: async (arg) => {
    desktop.assertReportFileChosen(arg.path);
    return call('importRunFile', arg);
  },
  chooseExportPath: (arg) => desktop.chooseExportPath(arg),
  chooseReportFile: () => desktop.chooseReportFile(),
  showInFolder: (arg) => desktop.showInFolder(arg),
};

function openWindow(): void {
  const iconPath = app.isPackaged ? join(process.resourcesPath, 'icon.png') : join(app.getAppPath(), 'build', 'icon.png');
  mainWindow = createMainWindow({ preloadPath, entryUrl: devServerUrl ?? APP_ENTRY_URL, ...(existsSync(iconPath) ? { iconPath } : {}) });
  mainWindow.on('closed', () => (mainWindow = null));
}

function installMenu(): void {
  const isMac = process.platform === 'darwin';
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(isMac ? [{ role: 'appMenu' as const }] : [{ role: 'fileMenu' as const }]),
      { role: 'editMenu' },
      ...(app.isPackaged ? [] : [{ role: 'viewMenu' as const }]),
      { role: 'windowMenu' },
    ]),
  );
}

async function start(): Promise<void> {
  installSessionGuards(session.defaultSession);
  serveRendererScheme(session.defaultSession.protocol, APP_SCHEME, rendererDir);
  if (devServerUrl) {
    const policy = devContentSecurityPolicy(originOf(devServerUrl) ?? devServerUrl);
    session.defaultSession.webRequest.onHeadersReceived({ urls: [`${devServerUrl}*`] }, (details, respond) =>
      respond({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } }),
    );
  }
  installMenu();
  engine = await startEngine();
  handleContract(ipcMain, implementations, (event) => isTrustedFrame(event.senderFrame, trustedOrigins));
  openWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.setAppUserModelId('app.reportstream.desktop');
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) =>
    installContentsGuards(contents, { trustedOrigins, openExternal: (url) => shell.openExternal(url) }),
  );
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && engine && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  // Let the engine close its runs and SQLite files before the process goes.
  app.on('before-quit', (event) => {
    if (quitting) return;
    quitting = true;
    if (!engine) return;
    event.preventDefault();
    void engine.close().finally(() => {
      engineProcess?.kill();
      app.quit();
    });
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      const hint = app.isPackaged ? '' : '\n\nIn development, `npm start` builds the SQLite addon for Electron first (npm run rebuild:electron).';
      dialog.showErrorBox('ReportStream could not start', `${err instanceof Error ? err.message : String(err)}${hint}`);
      app.exit(1);
    });
}
