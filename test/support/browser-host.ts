// Starts the real browser host (ReportService + HTTP + SSE) for a test, and
// speaks its protocol from Node: typed calls and an event stream reader.
import { request as httpRequest } from 'node:http';
import type { AppEvent, MethodArg, MethodName, MethodValue, Result } from '../../src-preload/contract.ts';
import { ReportService, type ServiceOptions } from '../../src-main/engine/service.ts';
import { DEFAULT_RENDERER_DIR } from '../../src-main/server/serve.ts';
import { startServer } from '../../src-main/server/server.ts';

export interface BrowserHostOptions extends Omit<ServiceOptions, 'cacheDir' | 'host'> {
  cacheDir: string;
  /** out/renderer by default (built by `npm run build`). */
  rendererDir?: string;
  port?: number;
  heartbeatMs?: number;
}

export interface BrowserHost {
  /** The page with its token: what a person (or Playwright) opens. */
  url: string;
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  baseUrl: string;
  token: string;
  port: number;
  service: ReportService;
  stop(): Promise<void>;
}

export async function startBrowserHost({ cacheDir, rendererDir, port, heartbeatMs, ...serviceOptions }: BrowserHostOptions): Promise<BrowserHost> {
  const service = await ReportService.open({ ...serviceOptions, cacheDir, host: 'browser' });
  const server = await startServer({
    service,
    host: '127.0.0.1',
    rendererDir: rendererDir ?? DEFAULT_RENDERER_DIR,
    ...(port !== undefined ? { port } : {}),
    ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
  });
  return {
    url: server.url,
    baseUrl: `http://127.0.0.1:${server.port}`,
    token: server.token,
    port: server.port,
    service,
    stop: async () => {
      await server.close();
      await service.close();
    },
  };
}

export interface ApiAnswer<T> {
  status: number;
  result: Result<T>;
}

/** One contract call over HTTP, as the renderer's client makes it. */
export async function callApi<M extends MethodName>(
  host: Pick<BrowserHost, 'baseUrl' | 'token'>,
  method: M,
  arg: MethodArg<M>,
): Promise<ApiAnswer<MethodValue<M>>> {
  const response = await fetch(`${host.baseUrl}/api/${method}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(arg === undefined ? {} : { arg }),
  });
  return { status: response.status, result: (await response.json()) as Result<MethodValue<M>> };
}

/** The value of a call that must succeed; a failure throws with its error kind and message. */
export async function callOk<M extends MethodName>(host: Pick<BrowserHost, 'baseUrl' | 'token'>, method: M, arg: MethodArg<M>): Promise<MethodValue<M>> {
  const { status, result } = await callApi(host, method, arg);
  if (!result.ok) throw new Error(`${method} failed with HTTP ${status}: ${result.error.kind}: ${result.error.message}`);
  return result.value;
}

/** A raw request with any headers, for what fetch will not send (a foreign Host header). */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

export interface EventStream {
  /** Every event received so far, in order. */
  readonly events: AppEvent[];
  /** Comments (heartbeats) received so far. */
  readonly comments: string[];
  /** Resolves with the first event (already received or still to come) that matches. */
  waitFor<E extends AppEvent>(predicate: (event: AppEvent) => event is E, timeoutMs?: number): Promise<E>;
  waitFor(predicate: (event: AppEvent) => boolean, timeoutMs?: number): Promise<AppEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens `GET /api/events` and parses the Server-Sent Events as they arrive. */
export async function openEventStream(host: Pick<BrowserHost, 'baseUrl' | 'token'>, client?: string): Promise<EventStream> {
  const controller = new AbortController();
  const query = new URLSearchParams({ token: host.token, ...(client ? { client } : {}) });
  const response = await fetch(`${host.baseUrl}/api/events?${query}`, { signal: controller.signal });
  if (response.status !== 200 || !response.body) throw new Error(`The event stream answered HTTP ${response.status}.`);
  const events: AppEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const notify = (): void => waiters.forEach((wake) => wake());
  let isEnded = false;

  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = message
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart());
          if (data.length > 0) events.push(JSON.parse(data.join('\n')) as AppEvent);
          for (const line of message.split('\n')) if (line.startsWith(':')) comments.push(line.slice(1).trim());
          notify();
        }
      }
    } catch {
      // Aborted by close().
    }
    isEnded = true;
    notify();
  })();

  function waitFor(predicate: (event: AppEvent) => boolean, timeoutMs = 30_000): Promise<AppEvent> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = events.find(predicate);
        if (found) {
          done();
          resolve(found);
          return true;
        }
        if (isEnded) {
          done();
          reject(new Error('The event stream ended before the awaited event.'));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`No matching event within ${timeoutMs} ms; got ${events.map((e) => e.kind).join(', ') || 'none'}.`));
      }, timeoutMs);
      const wake = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
      };
      waiters.add(wake);
      check();
    });
  }

  return {
    events,
    comments,
    waitFor: waitFor as EventStream['waitFor'],
    ended,
    close: () => controller.abort(),
  };
}
