// The browser host: the built renderer and the contract over loopback HTTP.
// `POST /api/<method>` with `{ "arg": … }` answers the method's Result with
// the error kind's HTTP status; `GET /api/events` is the event stream;
// `GET /api/download` fetches a finished export. Plain Node `http`.
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import { HTTP_STATUS_OF, type AppError, type MethodName, type Result } from '../../src-preload/contract.ts';
import { CONTENT_SECURITY_POLICY } from '../csp.ts';
import { ReportError, toAppError } from '../engine/errors.ts';
import type { EngineMethods, ServiceEvents } from '../engine/service-api.ts';
import { isMethodName, parseArg } from '../schemas.ts';
import { EventStreams } from './event-streams.ts';
import { ExportsFolder } from './exports-folder.ts';
import { bearerToken, cookieToken, isAllowedHost, newToken, sessionCookie, tokenMatches } from './guard.ts';
import { contentTypeOf, resolveStaticFile } from './static-files.ts';

/** What the browser host drives: the engine's methods and events (a `ReportService`). */
export type BrowserHostService = EngineMethods & ServiceEvents;

export interface ServerOptions {
  service: BrowserHostService;
  /** 0 or absent: a free port. */
  port?: number;
  /** Loopback only. */
  host?: '127.0.0.1';
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** A random one when absent. */
  token?: string;
  heartbeatMs?: number;
}

export interface RunningServer {
  /** The page, with its token: what a person opens. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

const COMMON_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: AppError,
  ) {
    super(error.message);
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { service, rendererDir } = options;
  const token = options.token ?? newToken();
  const exportsFolder = new ExportsFolder((await service.getAppInfo()).cacheDir);
  const streams = new EventStreams(options.heartbeatMs ?? 15_000);
  const stopEvents = service.onEvent((event) => streams.broadcast(event));
  let port = 0;

  /** The host-only methods, as a browser host does them; the engine does the rest. */
  async function call(method: MethodName, arg: unknown): Promise<unknown> {
    switch (method) {
      case 'chooseExportPath': {
        const { suggestedName, format } = arg as { suggestedName: string; format: 'csv' | 'xlsx' };
        return exportsFolder.choosePath(suggestedName, format);
      }
      case 'chooseReportFile':
        return null;
      case 'showInFolder':
        throw new ReportError('Unsupported', 'A browser cannot open the file manager; download the file instead.');
      case 'startExport':
        exportsFolder.assertWritable((arg as { path: string }).path);
        return service.startExport(arg as Parameters<EngineMethods['startExport']>[0]);
      default: {
        const engineMethod = service[method] as (arg: unknown) => Promise<unknown>;
        return engineMethod.call(service, arg);
      }
    }
  }

  async function answerMethod(request: IncomingMessage, response: ServerResponse, name: string): Promise<void> {
    if (!isMethodName(name)) throw new HttpError(404, { kind: 'NotFound', message: `There is no method ${name}.` });
    if (request.method !== 'POST') throw new HttpError(405, { kind: 'InvalidArgument', message: `Call ${name} with POST.` });
    if (!tokenMatches(bearerToken(request), token)) throw unauthorized();
    const body = await readJson(request);
    const parsed = parseArg(name, body.arg);
    if (!parsed.ok) return sendResult(response, { ok: false, error: { kind: 'InvalidArgument', message: parsed.message } });
    try {
      sendResult(response, { ok: true, value: await call(name, parsed.arg) });
    } catch (err) {
      const error = toAppError(err);
      if (error.kind === 'Internal') console.error(`[browser host] ${name} failed`, err);
      sendResult(response, { ok: false, error });
    }
  }

  async function download(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (!tokenMatches(url.searchParams.get('token') ?? bearerToken(request), token)) throw unauthorized();
    const file = exportsFolder.readableFile(url.searchParams.get('path') ?? '');
    const known = (await service.listExports({})).find((entry) => exportsFolder.readableFileOrNull(entry.path) === file);
    if (known && known.status !== 'completed') {
      throw new ReportError('InvalidArgument', `The export is ${known.status}; download it once it has completed.`);
    }
    const name = basename(file);
    response.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': contentTypeOf(file) === 'application/octet-stream' ? downloadType(name) : contentTypeOf(file),
      'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'no-store',
    });
    createReadStream(file).pipe(response);
  }

  async function serveStatic(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, { kind: 'InvalidArgument', message: 'Only GET here.' });
    const fromQuery = url.searchParams.get('token');
    const signedIn = tokenMatches(fromQuery, token) || tokenMatches(cookieToken(request, port), token);
    if (!signedIn) {
      response.writeHead(401, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end('ReportStream: open the address that `reportstream serve` printed; it carries the access token.\n');
      return;
    }
    const file = resolveStaticFile(rendererDir, url.pathname);
    if (!file) throw new HttpError(404, { kind: 'NotFound', message: `Nothing at ${url.pathname}.` });
    const body = await readFile(file);
    response.writeHead(200, {
      ...COMMON_HEADERS,
      'Content-Type': contentTypeOf(file),
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Cache-Control': 'no-store',
      // The page was opened with the token: remember it for its scripts, styles and reloads.
      ...(tokenMatches(fromQuery, token) ? { 'Set-Cookie': sessionCookie(port, token) } : {}),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Before anything else: a request for another host name is a DNS-rebinding attempt.
    if (!isAllowedHost(request.headers.host, port)) {
      throw new HttpError(403, { kind: 'PermissionDenied', message: 'This host answers only to 127.0.0.1 and localhost.' });
    }
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/api/events') {
      if (request.method !== 'GET') throw new HttpError(405, { kind: 'InvalidArgument', message: 'Open the event stream with GET.' });
      if (!tokenMatches(url.searchParams.get('token') ?? bearerToken(request), token)) throw unauthorized();
      streams.open(url.searchParams.get('client'), response);
      return;
    }
    if (url.pathname === '/api/download') return download(request, response, url);
    if (url.pathname.startsWith('/api/')) return answerMethod(request, response, url.pathname.slice('/api/'.length));
    return serveStatic(request, response, url);
  }

  const server = createServer((request, response) => {
    route(request, response).catch((err: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // A body left unread (too large, wrong type) must not be parsed as the next request.
      if (!request.complete) response.setHeader('Connection', 'close');
      if (err instanceof HttpError) return sendResult(response, { ok: false, error: err.error }, err.status);
      sendResult(response, { ok: false, error: toAppError(err) });
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: async () => {
      stopEvents();
      streams.closeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function unauthorized(): HttpError {
  return new HttpError(401, { kind: 'PermissionDenied', message: 'Missing or wrong access token: open the address that `reportstream serve` printed.' });
}

function sendResult(response: ServerResponse, result: Result<unknown>, status?: number): void {
  const body = JSON.stringify(result);
  response.writeHead(status ?? (result.ok ? 200 : HTTP_STATUS_OF[result.error.kind]), {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
  });
  response.end(body);
}

async function readJson(request: IncomingMessage): Promise<{ arg?: unknown }> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(415, { kind: 'InvalidArgument', message: 'Send the argument as JSON (Content-Type: application/json).' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, { kind: 'InvalidArgument', message: `The request is larger than ${MAX_BODY_BYTES} bytes.` });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, { kind: 'InvalidArgument', message: 'The request body is not valid JSON.' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, { kind: 'InvalidArgument', message: 'The request body must be a JSON object: {"arg": …}.' });
  }
  return body as { arg?: unknown };
}

function downloadType(name: string): string {
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.xlsx')) return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  return 'application/octet-stream';
}
