// Who may use the browser host, and what it serves: the token, the Host header
// (DNS rebinding), the page and its assets with their security headers, and
// the exports folder that is the only place it writes to and downloads from.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, callOk, openEventStream, rawRequest, startBrowserHost, type BrowserHost } from '../support/browser-host.ts';

describe('browser host access and files', () => {
  let cacheDir: string;
  let rendererDir: string;
  let outside: string;
  let host: BrowserHost;

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'rs-access-'));
    rendererDir = mkdtempSync(join(tmpdir(), 'rs-renderer-'));
    outside = mkdtempSync(join(tmpdir(), 'rs-outside-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>ReportStream</title><script type="module" src="./assets/app.js"></script>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
    writeFileSync(join(outside, 'secret.txt'), 'not for the browser');
    host = await startBrowserHost({ cacheDir, rendererDir });
  });

  afterAll(async () => {
    await host?.stop();
    for (const dir of [cacheDir, rendererDir, outside]) rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL that carries the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=${encodeURIComponent(host.token)}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses API calls and the event stream without the right token (401)', async () => {
    const missing = await rawRequest(host.port, {
      method: 'POST',
      path: '/api/listRuns',
      headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(missing.status).toBe(401);
    expect(JSON.parse(missing.body)).toMatchObject({ ok: false });
    const wrong = await callApi({ baseUrl: host.baseUrl, token: 'not-the-token' }, 'listRuns', undefined);
    expect(wrong.status).toBe(401);
    const events = await fetch(`${host.baseUrl}/api/events`);
    expect(events.status).toBe(401);
    const wrongEvents = await fetch(`${host.baseUrl}/api/events?token=nope`);
    expect(wrongEvents.status).toBe(401);
    // The token in a query string is only for the event stream and downloads, never for calls.
    const queryToken = await fetch(`${host.baseUrl}/api/listRuns?token=${host.token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(queryToken.status).toBe(401);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403, even with the token', async () => {
    for (const hostHeader of ['evil.example', `evil.example:${host.port}`, `127.0.0.1:${host.port + 1}`, `127.0.0.1`, `[::1]:${host.port}`]) {
      const answer = await rawRequest(host.port, {
        method: 'POST',
        path: '/api/listRuns',
        headers: { Host: hostHeader, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(answer.status, hostHeader).toBe(403);
      const page = await rawRequest(host.port, { path: `/?token=${host.token}`, headers: { Host: hostHeader } });
      expect(page.status, hostHeader).toBe(403);
    }
    for (const hostHeader of [`127.0.0.1:${host.port}`, `localhost:${host.port}`]) {
      const answer = await rawRequest(host.port, {
        method: 'POST',
        path: '/api/listRuns',
        headers: { Host: hostHeader, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(answer.status, hostHeader).toBe(200);
    }
  });

  it('serves the page with the token, with a strict CSP, and its assets by the session cookie', async () => {
    expect((await fetch(`${host.baseUrl}/`)).status).toBe(401);
    expect((await fetch(`${host.baseUrl}/assets/app.js`)).status).toBe(401);

    const page = await fetch(host.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>ReportStream</title>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    const cookie = page.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);

    const sessionCookie = cookie.split(';')[0] ?? '';
    const asset = await fetch(`${host.baseUrl}/assets/app.js`, { headers: { Cookie: sessionCookie } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript/);
    const reload = await fetch(`${host.baseUrl}/`, { headers: { Cookie: sessionCookie } });
    expect(reload.status).toBe(200);
    // The cookie signs in the page's files, not the API: calls need the bearer token.
    const call = await fetch(`${host.baseUrl}/api/listRuns`, {
      method: 'POST',
      headers: { Cookie: sessionCookie, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(call.status).toBe(401);
    const traversal = await rawRequest(host.port, {
      path: '/..%2f..%2f..%2fetc%2fpasswd',
      headers: { Host: `127.0.0.1:${host.port}`, Cookie: sessionCookie },
    });
    expect(traversal.status).toBe(404);
  });

  it('refuses malformed calls with a Result and a clear status', async () => {
    const post = (path: string, body: string, type = 'application/json') =>
      fetch(`${host.baseUrl}${path}`, { method: 'POST', headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': type }, body });
    expect((await post('/api/noSuchMethod', '{}')).status).toBe(404);
    expect((await post('/api/listRuns', 'not json')).status).toBe(400);
    expect((await post('/api/listRuns', '[1]')).status).toBe(400);
    expect((await post('/api/listRuns', '{}', 'text/plain')).status).toBe(415);
    expect((await post('/api/listRuns', JSON.stringify({ arg: 'x'.repeat(5 * 1024 * 1024) }))).status).toBe(413);
    const get = await fetch(`${host.baseUrl}/api/listRuns`, { headers: { Authorization: `Bearer ${host.token}` } });
    expect(get.status).toBe(405);
    const invalid = await callApi(host, 'getRun', { runId: 42 } as never);
    expect(invalid.status).toBe(400);
    expect(invalid.result).toMatchObject({ ok: false, error: { kind: 'InvalidArgument' } });
    expect(!invalid.result.ok && invalid.result.error.message).toMatch(/runId/);
  });

  it('does the host-only methods as a browser host can', async () => {
    const first = await callOk(host, 'chooseExportPath', { suggestedName: 'Q3 orders', format: 'csv' });
    expect(first).toBe(join(cacheDir, 'exports', 'Q3 orders.csv'));
    const second = await callOk(host, 'chooseExportPath', { suggestedName: 'Q3 orders', format: 'csv' });
    expect(second).toBe(join(cacheDir, 'exports', 'Q3 orders-2.csv'));
    const sneaky = await callOk(host, 'chooseExportPath', { suggestedName: '../../etc/passwd', format: 'xlsx' });
    expect(sneaky?.startsWith(join(cacheDir, 'exports') + '/')).toBe(true);

    expect(await callOk(host, 'chooseReportFile', undefined)).toBeNull();
    const reveal = await callApi(host, 'showInFolder', { path: first ?? '' });
    expect(reveal.status).toBe(501);
    expect(reveal.result).toMatchObject({ ok: false, error: { kind: 'Unsupported' } });

    const elsewhere = await callApi(host, 'startExport', { runId: 'any', path: join(outside, 'out.csv'), format: 'csv' });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.result).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
  });

  it('downloads files from the exports folder only', async () => {
    const exportsDir = join(cacheDir, 'exports');
    mkdirSync(exportsDir, { recursive: true });
    writeFileSync(join(exportsDir, 'done.csv'), 'id,name\n1,Ada\n');
    symlinkSync(join(outside, 'secret.txt'), join(exportsDir, 'link.csv'));
    const download = (path: string, token = host.token) =>
      fetch(`${host.baseUrl}/api/download?${new URLSearchParams({ path, token })}`);

    const ok = await download(join(exportsDir, 'done.csv'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toMatch(/^attachment; filename="done.csv"/);
    expect(await ok.text()).toBe('id,name\n1,Ada\n');
    expect((await download(join(exportsDir, 'done.csv'), 'wrong')).status).toBe(401);
    expect((await download(join(outside, 'secret.txt'))).status).toBe(403);
    expect((await download(join(exportsDir, '..', '..', 'etc', 'passwd'))).status).toBe(403);
    expect((await download(join(exportsDir, 'link.csv'))).status).toBe(403);
    expect((await download(join(exportsDir, 'missing.csv'))).status).toBe(404);
  });

  it('keeps one event stream per page id and bounds the anonymous ones', async () => {
    const a = await openEventStream(host, 'tab-a');
    const b = await openEventStream(host, 'tab-a');
    await a.ended;
    const anonymous = await Promise.all(Array.from({ length: 17 }, () => openEventStream(host)));
    await anonymous[0]?.ended;
    b.close();
    anonymous.forEach((stream) => stream.close());
  });
});
