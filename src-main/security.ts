// Everything that keeps the window a window and not a browser: its web
// preferences, where it may navigate, which windows it may open, which
// permissions it gets, which links leave the app. Plain data and functions
// with type-only Electron imports, so a unit test asserts them under Node.
import type { BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';
import { originOf } from './ipc.ts';

/** The renderer is served from this privileged custom scheme, never from `file://`. */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://reportstream`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The only places `shell.openExternal` may open: https links the app itself offers. */
export const EXTERNAL_LINK_PREFIXES: readonly string[] = [
  'https://www.postgresql.org/docs/',
  'https://www.electronjs.org/docs/latest/api/safe-storage',
];

export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export interface MainWindowSettings {
  preloadPath: string;
  iconPath?: string;
}

export function mainWindowOptions({ preloadPath, iconPath }: MainWindowSettings): BrowserWindowConstructorOptions {
  return {
    title: 'ReportStream',
    width: 1280,
    height: 800,
    minWidth: 768,
    minHeight: 520,
    // Shown on ready-to-show, so the user never sees a blank frame.
    show: false,
    backgroundColor: '#111827',
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** Whether `shell.openExternal` may open this URL: http(s) only, no credentials, under an allowed prefix. */
export function isAllowedExternalLink(url: string, allowedPrefixes: readonly string[] = EXTERNAL_LINK_PREFIXES): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  if (parsed.username || parsed.password) return false;
  return allowedPrefixes.some((prefix) => parsed.href.startsWith(prefix));
}

export interface GuardOptions {
  /** Origins of our own renderer (`app://reportstream`, and the dev server in development). */
  trustedOrigins: readonly string[];
  openExternal: (url: string) => unknown;
  allowedLinkPrefixes?: readonly string[];
}

export interface PreventableNavigation {
  url: string;
  preventDefault(): void;
}

/** will-navigate / will-redirect: stay on our own origin; an allowed link opens in the system browser instead. */
export function navigationGuard(options: GuardOptions): (event: PreventableNavigation) => void {
  return (event) => {
    const origin = originOf(event.url);
    if (origin !== null && options.trustedOrigins.includes(origin)) return;
    event.preventDefault();
    if (isAllowedExternalLink(event.url, options.allowedLinkPrefixes)) void options.openExternal(event.url);
  };
}

/** window.open and target=_blank: never a new Electron window; an allowed link opens in the system browser. */
export function windowOpenHandler(options: GuardOptions): (details: { url: string }) => { action: 'deny' } {
  return ({ url }) => {
    if (isAllowedExternalLink(url, options.allowedLinkPrefixes)) void options.openExternal(url);
    return { action: 'deny' };
  };
}

/** <webview> is disabled in the preferences; this refuses it even if a page tries. */
export const webviewGuard = (event: { preventDefault(): void }): void => event.preventDefault();

/** Every permission request (camera, notifications, clipboard read, geolocation, …) is refused. */
export const denyPermissionRequest = (_contents: unknown, _permission: string, callback: (granted: boolean) => void): void => callback(false);
export const denyPermissionCheck = (): boolean => false;
export const denyDevicePermission = (): boolean => false;

export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;
export type GuardedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/** Installs the navigation, window and webview guards on one web contents (every one the app creates). */
export function installContentsGuards(contents: GuardedContents, options: GuardOptions): void {
  const guard = navigationGuard(options);
  contents.on('will-navigate', (event) => guard({ url: event.url, preventDefault: () => event.preventDefault() }));
  contents.on('will-redirect', (event) => {
    if (event.isMainFrame) guard({ url: event.url, preventDefault: () => event.preventDefault() });
  });
  contents.on('will-attach-webview', webviewGuard);
  contents.setWindowOpenHandler(windowOpenHandler(options));
}

export function installSessionGuards(session: GuardedSession): void {
  session.setPermissionRequestHandler(denyPermissionRequest);
  session.setPermissionCheckHandler(denyPermissionCheck);
  session.setDevicePermissionHandler(denyDevicePermission);
}
