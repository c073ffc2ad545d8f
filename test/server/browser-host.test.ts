// The browser host over real HTTP, against a real PostgreSQL: runs, their
// events over Server-Sent Events, rows, cancel, and the error kinds' statuses.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent, RunProgress, SourceRef } from '../../src-preload/contract.ts';
import { freePort } from '../support/postgres-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { callApi, callOk, openEventStream, startBrowserHost, type BrowserHost } from '../support/browser-host.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';

const isRunStatus = (runId: string, status: string) => (event: AppEvent) =>
  event.kind === 'run-status' && event.runId === runId && event.status === status;

describe('browser host over real HTTP', () => {
  let db: TestDatabase;
  let cacheDir: string;
  let host: BrowserHost;
  let source: SourceRef;

  beforeAll(async () => {
    db = await createTestDatabase('host');
    await db.sql(`CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, amount numeric(12,2))`);
    await db.sql(`INSERT INTO orders SELECT g, 'customer ' || g, g * 1.25 FROM generate_series(1, 20000) g`);
    await db.sql(`ANALYZE orders`);
    // Read in chunks of 100, this one takes seconds: long enough to cancel mid-way.
    await db.sql(`CREATE TABLE big_orders (id int PRIMARY KEY, customer text NOT NULL)`);
    await db.sql(`INSERT INTO big_orders SELECT g, 'customer ' || g FROM generate_series(1, 300000) g`);
    await db.sql(`ANALYZE big_orders`);
    await db.sql(`CREATE TABLE salaries (id int PRIMARY KEY, amount int)`);
    await db.sql(`CREATE ROLE analyst_${db.name} LOGIN PASSWORD 'analyst-pw'`);
    await db.sql(`GRANT SELECT ON orders TO analyst_${db.name}`);

    cacheDir = mkdtempSync(join(tmpdir(), 'rs-host-'));
    host = await startBrowserHost({ cacheDir, heartbeatMs: 200 });
    const profile = await callOk(host, 'saveSource', { ...profileFromUrl(db.url), name: 'test database', sslMode: 'disable' });
    source = { type: 'postgres', profileId: profile.id };
  });

  afterAll(async () => {
    await host?.stop();
    await db?.sql(`DROP OWNED BY analyst_${db.name}`).catch(() => {});
    await db?.drop();
    await db?.sql(`DROP ROLE IF EXISTS analyst_${db.name}`).catch(() => {});
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('streams a run’s progress over SSE until completed, then pages its rows', async () => {
    const events = await openEventStream(host, 'page-run');
    try {
      const started = await callApi(host, 'startRun', { source, dataset: 'orders', chunkSize: 1000, name: 'All orders' });
      expect(started.status).toBe(200);
      if (!started.result.ok) throw new Error(started.result.error.message);
      const runId = started.result.value.runId;

      const completed = await events.waitFor(isRunStatus(runId, 'completed'));
      expect(completed.kind === 'run-status' && completed.run.progress.rowsCached).toBe(20000);
      const progress = events.events.flatMap((event) => (event.kind === 'run-progress' && event.runId === runId ? [event.progress] : []));
      expect(progress.length).toBeGreaterThanOrEqual(2);
      const counts = progress.map((p: RunProgress) => p.rowsCached);
      expect(counts).toEqual([...counts].sort((a, b) => a - b));
      expect(counts.at(-1)).toBe(20000);

      const first = await callOk(host, 'getRows', { runId, start: 0, end: 100 });
      expect(first).toMatchObject({ rowCount: 20000, final: true });
      expect(first.rows).toHaveLength(100);
      expect(first.rows[0]).toEqual(['1', 'customer 1', '1.25']);
      const last = await callOk(host, 'getRows', { runId, start: 19990, end: 20000 });
      expect(last.rows.at(-1)).toEqual(['20000', 'customer 20000', '25000.00']);
      const sorted = await callOk(host, 'getRows', { runId, start: 0, end: 1, sort: [{ column: 'id', direction: 'desc' }] });
      expect(sorted.rows[0]?.[0]).toBe('20000');
    } finally {
      events.close();
    }
  });

  it('cancels a run mid-way and keeps the rows cached so far', async () => {
    const events = await openEventStream(host, 'page-cancel');
    try {
      const run = await callOk(host, 'startRun', { source, dataset: 'big_orders', chunkSize: 100 });
      await events.waitFor((event) => event.kind === 'run-progress' && event.runId === run.runId && event.progress.rowsCached > 0);
      const cancelled = await callApi(host, 'cancelRun', { runId: run.runId });
      expect(cancelled.status).toBe(200);
      await events.waitFor(isRunStatus(run.runId, 'cancelled'));

      const summary = await callOk(host, 'getRun', { runId: run.runId });
      expect(summary.status).toBe('cancelled');
      expect(summary.progress.rowsCached).toBeGreaterThan(0);
      expect(summary.progress.rowsCached).toBeLessThan(300000);
      const page = await callOk(host, 'getRows', { runId: run.runId, start: 0, end: 10 });
      expect(page.rowCount).toBe(summary.progress.rowsCached);
      expect(page.rows[0]?.[0]).toBe('1');
    } finally {
      events.close();
    }
  });

  it('sends heartbeats, and a new stream for the same page ends the old one', async () => {
    const first = await openEventStream(host, 'page-twice');
    const other = await openEventStream(host, 'page-other');
    const second = await openEventStream(host, 'page-twice');
    try {
      await first.ended;
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(second.comments).toContain('heartbeat');
      const run = await callOk(host, 'startRun', { source, dataset: 'orders', chunkSize: 5000 });
      await second.waitFor(isRunStatus(run.runId, 'completed'));
      await other.waitFor(isRunStatus(run.runId, 'completed'));
      expect(first.events.some((event) => 'runId' in event && event.runId === run.runId)).toBe(false);
    } finally {
      first.close();
      second.close();
      other.close();
    }
  });

  it('exports a run into the exports folder and downloads the finished file', async () => {
    const events = await openEventStream(host, 'page-export');
    try {
      const run = await callOk(host, 'startRun', { source, dataset: 'orders', chunkSize: 5000, filters: [{ column: 'id', op: '<=', value: 3 }] });
      await events.waitFor(isRunStatus(run.runId, 'completed'));
      const path = await callOk(host, 'chooseExportPath', { suggestedName: 'first orders', format: 'csv' });
      expect(path).toBe(join(cacheDir, 'exports', 'first orders.csv'));
      const started = await callOk(host, 'startExport', { runId: run.runId, path: path as string, format: 'csv' });
      await events.waitFor((event) => event.kind === 'export-status' && event.exportId === started.exportId && event.status === 'completed');

      const download = await fetch(`${host.baseUrl}/api/download?${new URLSearchParams({ path: path as string, token: host.token })}`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(download.headers.get('content-disposition')).toContain("filename*=UTF-8''first%20orders.csv");
      expect(await download.text()).toBe('id,customer,amount\n1,customer 1,1.25\n2,customer 2,2.50\n3,customer 3,3.75\n');
    } finally {
      events.close();
    }
  });

  it('answers NotFound with 404', async () => {
    const answer = await callApi(host, 'getRun', { runId: 'no-such-run' });
    expect(answer.status).toBe(404);
    expect(answer.result).toMatchObject({ ok: false, error: { kind: 'NotFound' } });
    const dataset = await callApi(host, 'startRun', { source, dataset: 'no_such_table' });
    expect(dataset.status).toBe(404);
  });

  it('answers PermissionDenied with 403 for a role without SELECT', async () => {
    const analyst = await callOk(host, 'saveSource', { ...profileFromUrl(db.urlAs(`analyst_${db.name}`, 'analyst-pw')), name: 'analyst', sslMode: 'disable' });
    const answer = await callApi(host, 'startRun', { source: { type: 'postgres', profileId: analyst.id }, dataset: 'salaries' });
    expect(answer.status).toBe(403);
    expect(answer.result).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
  });

  it('answers Unreachable with 503 for a server that is not there', async () => {
    const closedPort = await freePort();
    const answer = await callApi(host, 'testSource', {
      profile: { name: 'nobody', host: '127.0.0.1', port: closedPort, database: 'x', user: 'x', sslMode: 'disable' },
    });
    expect(answer.status).toBe(503);
    expect(answer.result).toMatchObject({ ok: false, error: { kind: 'Unreachable' } });
  });

  it('answers TooManyRuns with 429 past the limit', async () => {
    const limitedCache = mkdtempSync(join(tmpdir(), 'rs-limit-'));
    const limited = await startBrowserHost({ cacheDir: limitedCache, maxConcurrentRuns: 1 });
    try {
      const profile = await callOk(limited, 'saveSource', { ...profileFromUrl(db.url), name: 'db', sslMode: 'disable' });
      const limitedSource: SourceRef = { type: 'postgres', profileId: profile.id };
      const running = await callOk(limited, 'startRun', { source: limitedSource, dataset: 'big_orders', chunkSize: 100 });
      const second = await callApi(limited, 'startRun', { source: limitedSource, dataset: 'orders' });
      expect(second.status).toBe(429);
      expect(second.result).toMatchObject({ ok: false, error: { kind: 'TooManyRuns' } });
      await callApi(limited, 'cancelRun', { runId: running.runId });
    } finally {
      await limited.stop();
      rmSync(limitedCache, { recursive: true, force: true });
    }
  });

  it('refuses invalid arguments with 400 before the engine sees them', async () => {
    const before = (await callOk(host, 'listRuns', undefined)).length;
    const tooBig = await callApi(host, 'getRows', { runId: 'x', start: 0, end: 10_001 });
    expect(tooBig.status).toBe(400);
    expect(tooBig.result).toMatchObject({ ok: false, error: { kind: 'InvalidArgument' } });
    const extra = await callApi(host, 'startRun', { source, dataset: 'orders', drop: true } as never);
    expect(extra.status).toBe(400);
    const both = await callApi(host, 'startRun', { source, dataset: 'orders', sql: 'select 1' });
    expect(both.status).toBe(400);
    expect((await callOk(host, 'listRuns', undefined)).length).toBe(before);
  });
});
