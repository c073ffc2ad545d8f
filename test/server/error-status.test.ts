// Every error kind the engine can throw reaches the browser as its Result and
// the HTTP status the contract names. The engine here throws on purpose; the
// kinds that a real PostgreSQL produces are proved in browser-host.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_KINDS, HTTP_STATUS_OF, type EngineMethodName, type ErrorKind } from '../../src-preload/contract.ts';
import { ReportError } from '../../src-main/engine/errors.ts';
import { forwardingMethods } from '../../src-main/engine-relay.ts';
import { startServer, type BrowserHostService, type RunningServer } from '../../src-main/server/server.ts';
import { callApi } from '../support/browser-host.ts';

describe('error kinds over HTTP', () => {
  let cacheDir: string;
  let server: RunningServer;
  let nextKind: ErrorKind = 'Internal';
  const calls: EngineMethodName[] = [];

  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'rs-status-'));
    const failing: BrowserHostService = {
      ...forwardingMethods(async (method) => {
        calls.push(method);
        throw new ReportError(nextKind, `${method} failed as ${nextKind}`);
      }),
      getAppInfo: async () => ({
        name: 'ReportStream',
        version: 'test',
        host: 'browser',
        cacheDir,
        maxConcurrentRuns: 5,
        passwordStorage: { available: true },
        interruptedAtStart: [],
      }),
      onEvent: () => () => {},
    };
    server = await startServer({ service: failing, host: '127.0.0.1', rendererDir: cacheDir });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it.each(ERROR_KINDS.map((kind) => [kind, HTTP_STATUS_OF[kind]] as const))('%s is HTTP %i with its kind and message', async (kind, status) => {
    nextKind = kind;
    const host = { baseUrl: `http://127.0.0.1:${server.port}`, token: server.token };
    const answer = await callApi(host, 'getRun', { runId: 'r1' });
    expect(answer.status).toBe(status);
    expect(answer.result).toEqual({ ok: false, error: { kind, message: `getRun failed as ${kind}` } });
  });

  it('maps the statuses the issue names', () => {
    expect(HTTP_STATUS_OF).toMatchObject({
      NotFound: 404,
      PermissionDenied: 403,
      TooManyRuns: 429,
      Unreachable: 503,
      ConnectionLost: 503,
      Timeout: 504,
    });
  });

  it('turns an unexpected throw into Internal (500) without leaking a stack', async () => {
    const host = { baseUrl: `http://127.0.0.1:${server.port}`, token: server.token };
    nextKind = 'Internal';
    const answer = await callApi(host, 'listRuns', undefined);
    expect(answer.status).toBe(500);
    expect(JSON.stringify(answer.result)).not.toMatch(/at .*\.ts:\d+/);
  });
});
