// ReportStreamApi over the browser host's protocol: `POST /api/<method>` with a
// bearer token and `{ arg }`, answered by a `Result` JSON whatever the HTTP
// status; events arrive on one EventSource, one JSON AppEvent per message.
import {
  METHOD_NAMES,
  type AppError,
  type AppEvent,
  type MethodArg,
  type MethodName,
  type MethodValue,
  type ReportStreamApi,
  type Result,
} from '../../src-preload/contract.ts';

const TOKEN_KEY = 'reportstream.token';

/**
 * Reads the host's token from `?token=` (then drops it from the address bar so it
 * does not end up in screenshots or history) or from this tab's sessionStorage.
 */
export function readHostToken(): string {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromUrl);
      url.searchParams.delete('token');
      window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    } catch {
      // Storage can be disabled; the token then lives only in memory for this page.
    }
    return fromUrl;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

interface HttpApiOptions {
  baseUrl: string;
  token: string;
}

function hostError(message: string): { ok: false; error: AppError } {
  return { ok: false, error: { kind: 'Internal', message } };
}

function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null || !('ok' in value)) return false;
  const candidate = value as { ok: unknown; error?: unknown };
  if (candidate.ok === true) return true;
  return candidate.ok === false && typeof candidate.error === 'object' && candidate.error !== null;
}

/** The contract over HTTP, plus the browser host's download address for finished exports. */
export function createHttpHost({ baseUrl, token }: HttpApiOptions): { api: ReportStreamApi; downloadUrl: (path: string) => string } {
  async function call<M extends MethodName>(method: M, arg: MethodArg<M>): Promise<Result<MethodValue<M>>> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/${method}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(arg === undefined ? {} : { arg }),
        cache: 'no-store',
      });
    } catch {
      return hostError('The ReportStream host is not answering. Is it still running? Restart it and reload this page.');
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      if (response.status === 401 || response.status === 403) {
        return hostError('This page is not signed in to the ReportStream host. Open the link the host printed (it carries the token).');
      }
      return hostError(`The ReportStream host sent an unreadable answer to ${method} (HTTP ${response.status}).`);
    }
    if (!isResult(body)) {
      return hostError(`The ReportStream host sent an unexpected answer to ${method} (HTTP ${response.status}).`);
    }
    return body as Result<MethodValue<M>>;
  }

  const listeners = new Set<(event: AppEvent) => void>();
  const pageId = typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Math.random().toString(36).slice(2);
  let source: EventSource | null = null;

  function openEvents(): void {
    if (source) return;
    // `client` names this page, so that the host ends a stale stream of it when EventSource reconnects.
    source = new EventSource(`${baseUrl}/api/events?${new URLSearchParams({ token, client: pageId })}`);
    source.onmessage = (message: MessageEvent<string>) => {
      let event: AppEvent;
      try {
        event = JSON.parse(message.data) as AppEvent;
      } catch {
        return;
      }
      for (const listener of listeners) listener(event);
    };
  }

  function onEvent(listener: (event: AppEvent) => void): () => void {
    listeners.add(listener);
    openEvents();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && source) {
        source.close();
        source = null;
      }
    };
  }

  const methods = Object.fromEntries(
    METHOD_NAMES.map((method) => [method, (arg: MethodArg<typeof method>) => call(method, arg)]),
  ) as { [M in MethodName]: (arg: MethodArg<M>) => Promise<Result<MethodValue<M>>> };

  return {
    api: { ...methods, onEvent },
    downloadUrl: (path) => `${baseUrl}/api/download?${new URLSearchParams({ token, path })}`,
  };
}
