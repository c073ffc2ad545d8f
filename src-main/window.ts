// The main window and the `app:` scheme that serves the built renderer to it
// with the Content-Security-Policy header (Chromium treats file:// as one
// origin for every file, and a header cannot be set there).
import { readFile } from 'node:fs/promises';
import { BrowserWindow, type Protocol } from 'electron';
import { CONTENT_SECURITY_POLICY } from './csp.ts';
import { APP_ORIGIN, mainWindowOptions, type MainWindowSettings } from './security.ts';
import { contentTypeOf, resolveStaticFile } from './server/static-files.ts';

export function createMainWindow(settings: MainWindowSettings & { entryUrl: string }): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(settings));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(settings.entryUrl);
  return win;
}

/** Serves `app://reportstream/<path>` from the renderer's build folder. */
export function serveRendererScheme(protocol: Pick<Protocol, 'handle'>, scheme: string, rendererDir: string): void {
  protocol.handle(scheme, async (request) => {
    const url = new URL(request.url);
    const file = `${url.protocol}//${url.host}` === APP_ORIGIN ? resolveStaticFile(rendererDir, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404, headers: { 'Content-Type': 'text/plain' } });
    return new Response(await readFile(file), {
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  });
}
