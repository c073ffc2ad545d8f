// The window's security settings and guards, as plain data and functions:
// what Electron is told, and what each guard does with a hostile request.
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, devContentSecurityPolicy } from '../../src-main/csp.ts';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  denyPermissionCheck,
  denyPermissionRequest,
  installContentsGuards,
  installSessionGuards,
  isAllowedExternalLink,
  mainWindowOptions,
  navigationGuard,
  secureWebPreferences,
  windowOpenHandler,
  type GuardedContents,
  type GuardedSession,
} from '../../src-main/security.ts';

function recordingGuards() {
  const opened: string[] = [];
  const options = { trustedOrigins: [APP_ORIGIN], openExternal: (url: string) => opened.push(url) };
  return { opened, options };
}

function navigate(guard: (event: { url: string; preventDefault(): void }) => void, url: string): boolean {
  let prevented = false;
  guard({ url, preventDefault: () => (prevented = true) });
  return prevented;
}

describe('window security', () => {
  it('runs the renderer sandboxed, isolated, without Node and with web security', () => {
    const options = mainWindowOptions({ preloadPath: '/app/out/preload/index.cjs' });
    expect(options.webPreferences).toEqual(secureWebPreferences('/app/out/preload/index.cjs'));
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
    expect(options.show).toBe(false);
    expect(options.minWidth).toBeLessThanOrEqual(768);
  });

  it('loads the renderer from the app scheme, never from file://', () => {
    expect(APP_ENTRY_URL).toBe('app://reportstream/index.html');
  });

  it('has a strict Content-Security-Policy: scripts from the app only, no eval, no plugins, no frames', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    expect(directives).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'object-src': "'none'",
      'frame-src': "'none'",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
      'connect-src': "'self'",
    });
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
    expect(devContentSecurityPolicy('http://localhost:5173')).toContain('ws://localhost:5173');
  });

  it('keeps navigation on our origin and opens only allowed links outside', () => {
    const { opened, options } = recordingGuards();
    const guard = navigationGuard(options);
    expect(navigate(guard, `${APP_ORIGIN}/index.html#/library`)).toBe(false);
    for (const hostile of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'http://127.0.0.1:9222/json', 'app://reportstream.evil/']) {
      expect(navigate(guard, hostile), hostile).toBe(true);
    }
    expect(opened).toEqual([]);
    expect(navigate(guard, 'https://www.postgresql.org/docs/current/sql-grant.html')).toBe(true);
    expect(opened).toEqual(['https://www.postgresql.org/docs/current/sql-grant.html']);
  });

  it('never opens a new window; an allowed link goes to the system browser', () => {
    const { opened, options } = recordingGuards();
    const handler = windowOpenHandler(options);
    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(handler({ url: `${APP_ORIGIN}/index.html` })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://www.postgresql.org/docs/17/ddl-priv.html' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://www.postgresql.org/docs/17/ddl-priv.html']);
  });

  it('lets shell.openExternal open only http(s) links the app offers', () => {
    expect(isAllowedExternalLink('https://www.postgresql.org/docs/current/')).toBe(true);
    for (const url of [
      'https://www.postgresql.org.evil.example/docs/',
      'https://user:pw@www.postgresql.org/docs/',
      'http://evil.example/',
      'file:///C:/Windows/System32/calc.exe',
      'smb://server/share',
      'ms-msdt:/id',
      'not a url',
    ]) {
      expect(isAllowedExternalLink(url), url).toBe(false);
    }
  });

  it('denies every permission request and check', () => {
    const answers: boolean[] = [];
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      denyPermissionRequest(null, permission, (granted) => answers.push(granted));
    }
    expect(answers).toEqual([false, false, false, false, false, false]);
    expect(denyPermissionCheck()).toBe(false);
  });

  it('installs the guards on every web contents and session', () => {
    const listeners = new Map<string, (...args: unknown[]) => void>();
    let windowOpen: ((details: { url: string }) => unknown) | null = null;
    const contents = {
      on: (event: string, listener: (...args: unknown[]) => void) => listeners.set(event, listener),
      setWindowOpenHandler: (handler: (details: { url: string }) => unknown) => (windowOpen = handler),
    } as unknown as GuardedContents;
    const { opened, options } = recordingGuards();
    installContentsGuards(contents, options);
    expect([...listeners.keys()].sort()).toEqual(['will-attach-webview', 'will-navigate', 'will-redirect']);
    expect(windowOpen).not.toBeNull();

    const event = (url: string, isMainFrame = true) => {
      const e = { url, isMainFrame, prevented: false, preventDefault: () => (e.prevented = true) };
      return e;
    };
    const away = event('https://evil.example/');
    listeners.get('will-navigate')?.(away);
    expect(away.prevented).toBe(true);
    const redirect = event('https://evil.example/');
    listeners.get('will-redirect')?.(redirect);
    expect(redirect.prevented).toBe(true);
    const webview = event('');
    listeners.get('will-attach-webview')?.(webview);
    expect(webview.prevented).toBe(true);
    expect(opened).toEqual([]);

    const handlers: Record<string, unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: unknown) => (handlers.request = h),
      setPermissionCheckHandler: (h: unknown) => (handlers.check = h),
      setDevicePermissionHandler: (h: unknown) => (handlers.device = h),
    } as unknown as GuardedSession;
    installSessionGuards(session);
    expect(handlers.request).toBe(denyPermissionRequest);
    expect(handlers.check).toBe(denyPermissionCheck);
    expect((handlers.device as () => boolean)()).toBe(false);
  });
});
