// A link that goes silent without a word (blackhole, half-open) is noticed within
// the read timeout: the run reconnects or stops as interrupted, never hangs; a
// link that dies right after login fails a start, a dataset list or a test within
// the answer timeout; a cancel on a dead link returns at once; and a query that
// is merely slow to send its first row is never cut for it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isReportError } from '../../src-main/engine/errors.ts';
import type { RunSettings } from '../../src-main/engine/run.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { DirectRuns } from './support/direct-run.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { createOrders, openService, sourceRows, tally, waitUntil } from './support/service-kit.ts';

const ROWS = 2000;
const CHUNK = 100;
const READ_TIMEOUT_MS = 2_000;
const SETTINGS: RunSettings = {
  chunkSize: CHUNK,
  noProgressTimeoutMs: 60_000,
  reconnectTries: 2,
  reconnectBackoffMs: 50,
  readTimeoutMs: READ_TIMEOUT_MS,
};
/** Silence (the check that cannot connect included), then two reconnect tries that cannot connect, each bounded by the read timeout. */
const BOUND_MS = READ_TIMEOUT_MS + SETTINGS.reconnectTries * (READ_TIMEOUT_MS + 4 * SETTINGS.reconnectBackoffMs) + 3_000;
/** A dead link is cut when the read timeout is up (not after it, then a check); the rest is a busy machine's timers and polling. */
const NOTICED_WITHIN_MS = READ_TIMEOUT_MS + 1_000;

describe('silent links', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  const runs = new DirectRuns();
  let expected: (string | null)[][];
  const definition = { dataset: 'orders' };

  beforeAll(async () => {
    db = await createTestDatabase('faults_silent');
    await createOrders(db.sql, 'orders', ROWS);
    const target = new URL(db.url);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    expected = await sourceRows(db.url, 'SELECT id, customer, amount, placed_at, note FROM orders ORDER BY id');
  });

  afterAll(async () => {
    tally.faults += proxy.faults;
    tally.flush('blackhole');
    await proxy.close();
    runs.remove();
    await db.drop();
  });

  it('a blackholed link is noticed within the read timeout, retried, and the run stops as interrupted: it never hangs, and resumes exactly', async () => {
    proxy.heal();
    proxy.slow(4);
    const url = proxy.urlFor(db.url);
    const report = await runs.prepare(url, definition);
    const file = runs.create(report, definition);
    const first = runs.start(file, url, report, SETTINGS);
    await waitUntil('some rows', () => runs.state(file).rowsCached >= 5 * CHUNK);
    proxy.blackhole({ newLinks: true });
    const silentAt = Date.now();
    await waitUntil('the first reconnect', () => first.progress.some((p) => p.reconnect), BOUND_MS);
    expect(Date.now() - silentAt, 'noticed within the read timeout, though no new connection works either').toBeLessThan(NOTICED_WITHIN_MS);
    const { state } = await first.finish();
    const tookMs = Date.now() - silentAt;
    expect(tookMs).toBeLessThan(BOUND_MS);
    expect(tookMs).toBeGreaterThanOrEqual(READ_TIMEOUT_MS);
    expect(state.status).toBe('interrupted');
    expect(state.errorKind).toBe('ConnectionLost');
    expect(state.errorMessage).toMatch(/lost and all 2 reconnect tries failed/);
    expect(first.progress.flatMap((p) => (p.reconnect ? [p.reconnect] : []))).toEqual([
      { attempt: 1, of: 2 },
      { attempt: 2, of: 2 },
    ]);
    const kept = runs.rows(file);
    expect(kept.length).toBe(state.rowsCached);
    expect(kept).toEqual(expected.slice(0, kept.length));

    proxy.heal();
    const second = runs.start(file, url, report, SETTINGS);
    expect((await second.finish()).state.status).toBe('completed');
    expect(runs.rows(file)).toEqual(expected);
    tally.resumes++;
    tally.rowsCompared += kept.length + ROWS;
  }, BOUND_MS + 20_000);

  it('a half-open link (the run\'s connection dies, new ones work) is proved dead by the server and reconnects by itself', async () => {
    proxy.heal();
    proxy.slow(4);
    const url = proxy.urlFor(db.url);
    const report = await runs.prepare(url, definition);
    const file = runs.create(report, definition);
    const run = runs.start(file, url, report, SETTINGS);
    await waitUntil('some rows', () => runs.state(file).rowsCached >= 5 * CHUNK);
    proxy.blackhole({ newLinks: false });
    const silentAt = Date.now();
    await waitUntil('a reconnect', () => run.progress.some((p) => p.reconnect), BOUND_MS);
    expect(Date.now() - silentAt).toBeLessThan(NOTICED_WITHIN_MS);
    const { state } = await run.finish();
    expect(state.status).toBe('completed');
    expect(runs.rows(file)).toEqual(expected);
    tally.resumes++;
    tally.rowsCompared += ROWS;
  });

  it('a link that dies right after login fails a start, a dataset list and a test as ConnectionLost within the answer timeout: none hangs, no run is left', async () => {
    proxy.heal();
    const kit = await openService({ readTimeoutMs: READ_TIMEOUT_MS });
    try {
      const source = await kit.source(proxy.urlFor(db.url));
      proxy.darkAfterLogin();
      const calls: [string, () => Promise<unknown>][] = [
        ['startRun', () => kit.service.startRun({ source, dataset: 'orders' })],
        ['listDatasets', () => kit.service.listDatasets({ source })],
        ['testSource', () => kit.service.testSource({ ref: source })],
      ];
      for (const [name, call] of calls) {
        const faultsBefore = proxy.faults;
        const startedAt = Date.now();
        const error = await call().then(() => null, (err: unknown) => err);
        const tookMs = Date.now() - startedAt;
        expect(proxy.faults, `${name}: its link went dark after login`).toBeGreaterThan(faultsBefore);
        expect(isReportError(error) ? { kind: error.kind, message: error.message } : error, name).toEqual({
          kind: 'ConnectionLost',
          message: expect.stringMatching(/did not answer for 2 s after accepting the login/),
        });
        // The answer timeout, then at most the bounded close of the dead connection (2 s), and slack for a busy machine.
        expect(tookMs, name).toBeGreaterThanOrEqual(READ_TIMEOUT_MS);
        expect(tookMs, name).toBeLessThan(READ_TIMEOUT_MS + 2_000 + 3_000);
      }
      expect(await kit.service.listRuns()).toEqual([]);
    } finally {
      proxy.heal();
      await kit.close();
    }
  }, 30_000);

  it('a cancel on a blackholed link returns within seconds and keeps the cached rows', async () => {
    proxy.heal();
    proxy.slow(4);
    const url = proxy.urlFor(db.url);
    const report = await runs.prepare(url, definition);
    const file = runs.create(report, definition);
    const run = runs.start(file, url, report, { ...SETTINGS, readTimeoutMs: 60_000 });
    await waitUntil('some rows', () => runs.state(file).rowsCached >= 3 * CHUNK);
    proxy.blackhole({ newLinks: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopAt = Date.now();
    await run.run.stop('cancel');
    expect(Date.now() - stopAt).toBeLessThan(6_000);
    const { state } = await run.finish();
    expect(state.status).toBe('cancelled');
    const kept = runs.rows(file);
    expect(kept.length).toBe(state.rowsCached);
    expect(kept).toEqual(expected.slice(0, kept.length));
    tally.rowsCompared += kept.length;
  });

  it('a process whose run met a dead link exits by itself right after the run ends: nothing of the dead connection is left', async () => {
    proxy.heal();
    proxy.slow(4);
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'support/child-run.ts'), proxy.urlFor(db.url), String(READ_TIMEOUT_MS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let blackholed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const rows = [...output.matchAll(/^rows (\d+)$/gm)].map((m) => Number(m[1])).at(-1) ?? 0;
      if (!blackholed && rows >= 5 * CHUNK) {
        blackholed = true;
        proxy.blackhole({ newLinks: true });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitedAt = await new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now())));
    const result = JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as { status: string; errorKind: string; finishedAt: number };
    expect(result, output).toMatchObject({ status: 'interrupted', errorKind: 'ConnectionLost' });
    // A dead socket left open would hold the process for minutes (TCP keepalive gives up after about 11);
    // 5 s leaves room for the bounded close (2 s) and a busy machine.
    expect(exitedAt - result.finishedAt).toBeLessThan(5_000);
  }, 30_000);

  it('a first row that takes longer than the read timeout is not cut while the server works on it', async () => {
    proxy.heal();
    const url = proxy.urlFor(db.url);
    const slowFirstRow = {
      sql: 'WITH pause AS MATERIALIZED (SELECT pg_sleep(3)) SELECT o.id, o.note FROM orders o, pause',
      key: ['id'],
    };
    const report = await runs.prepare(url, slowFirstRow);
    const file = runs.create(report, slowFirstRow);
    const run = runs.start(file, url, report, { ...SETTINGS, readTimeoutMs: READ_TIMEOUT_MS });
    const { state } = await run.finish();
    expect(state.status).toBe('completed');
    expect(state.firstChunkMs).toBeGreaterThanOrEqual(3_000);
    expect(run.progress.some((p) => p.reconnect)).toBe(false);
    expect(runs.rows(file)).toEqual(expected.map((row) => [row[0], row[4]]));
    tally.rowsCompared += ROWS;
  });
});
