// The bridge the sandboxed renderer sees as `window.reportStream`: the
// contract's named operations and one event subscription, nothing else (no
// ipcRenderer, no generic invoke). Bundled to one CommonJS file: a sandboxed
// preload can require only `electron`.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf, EVENT_CHANNEL } from './contract.ts';
import type { AppEvent, MethodArg, MethodName, MethodValue, ReportStreamApi, Result } from './contract.ts';

function operation<M extends MethodName>(method: M): (arg: MethodArg<M>) => Promise<Result<MethodValue<M>>> {
  const channel = channelOf(method);
  return async (arg) => {
    try {
      return (await ipcRenderer.invoke(channel, arg)) as Result<MethodValue<M>>;
    } catch (err) {
      // An argument that cannot be cloned, or the main process going away: still a Result.
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: { kind: 'Internal', message: `${method} could not reach the app: ${message}` } };
    }
  };
}

const api = {
  getAppInfo: operation('getAppInfo'),
  listSources: operation('listSources'),
  saveSource: operation('saveSource'),
  testSource: operation('testSource'),
  removeSource: operation('removeSource'),
  listDatasets: operation('listDatasets'),
  describeSql: operation('describeSql'),
  startRun: operation('startRun'),
  cancelRun: operation('cancelRun'),
  resumeRun: operation('resumeRun'),
  deleteRun: operation('deleteRun'),
  renameRun: operation('renameRun'),
  listRuns: operation('listRuns'),
  getRun: operation('getRun'),
  getRows: operation('getRows'),
  importRunFile: operation('importRunFile'),
  getStats: operation('getStats'),
  startExport: operation('startExport'),
  cancelExport: operation('cancelExport'),
  listExports: operation('listExports'),
  chooseExportPath: operation('chooseExportPath'),
  chooseReportFile: operation('chooseReportFile'),
  showInFolder: operation('showInFolder'),
  onEvent(listener: (event: AppEvent) => void): () => void {
    // The renderer gets the event alone, never Electron's IpcRendererEvent (it carries `sender`).
    const relay = (_event: IpcRendererEvent, event: AppEvent): void => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, relay);
    };
  },
} satisfies ReportStreamApi;

contextBridge.exposeInMainWorld('reportStream', api);
