// The one ReportStreamApi the UI talks to: the Electron preload bridge when it
// is there, else the browser host's HTTP + Server-Sent Events client.
import type { ReportStreamApi } from '../../src-preload/contract.ts';
import { createHttpHost, readHostToken } from './http-client.ts';

declare global {
  interface Window {
    /** Set by the Electron preload script; absent in a plain browser. */
    reportStream?: ReportStreamApi;
  }
}

interface Host {
  api: ReportStreamApi;
  /** Where a finished export can be fetched with the browser; null where the file manager is at hand. */
  downloadUrl: (path: string) => string | null;
}

function pickHost(): Host {
  if (window.reportStream) return { api: window.reportStream, downloadUrl: () => null };
  return createHttpHost({ baseUrl: window.location.origin, token: readHostToken() });
}

const host = pickHost();

export const api: ReportStreamApi = host.api;
export const exportDownloadUrl = host.downloadUrl;
