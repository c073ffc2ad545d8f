// A run whose link to PostgreSQL is cut, reset or whose backend is killed mid-run
// reconnects by itself, resumes from its last cached key and ends with exactly the
// rows a run that met no fault caches. A link that stays down ends the run as
// interrupted, resumable by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src-preload/contract.ts';
import { RunFileReader } from '../../src-main/engine/cache/run-file.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { cachedRows, createOrders, openService, type ServiceKit, sourceRows, tally, waitForRows } from './support/service-kit.ts';

const ROWS = 3000;
const CHUNK = 100;

describe('link faults mid-run', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let kit: ServiceKit;
  let expected: (string | null)[][];
  let freshRun: (string | null)[][];

  beforeAll(async () => {
    db = await createTestDatabase('faults_link');
    await createOrders(db.sql, 'orders', ROWS);
    const target = new URL(db.url);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    kit = await openService({ chunkSize: CHUNK, reconnectTries: 3, reconnectBackoffMs: 50 });
    expected = await sourceRows(db.url, 'SELECT id, customer, amount, placed_at, note FROM orders ORDER BY id');
    const fresh = await kit.service.startRun({ source: await kit.source(db.url), dataset: 'orders' });
    expect((await kit.service.waitForRun(fresh.runId)).status).toBe('completed');
    freshRun = await cachedRows(kit.service, fresh.runId);
    expect(freshRun).toEqual(expected);
  });

  afterAll(async () => {
    tally.faults += proxy.faults;
    tally.flush('link-faults');
    await kit.close();
    await proxy.close();
    await db.drop();
  });

  /** Starts a run of `orders` through the proxy, at a pace where chunks can be counted. */
  async function startThroughProxy(): Promise<{ runId: string; reconnects: NonNullable<RunProgress['reconnect']>[] }> {
    proxy.heal();
    proxy.slow(4);
    const run = await kit.service.startRun({ source: await kit.source(proxy.urlFor(db.url)), dataset: 'orders' });
    const reconnects: NonNullable<RunProgress['reconnect']>[] = [];
    kit.service.onEvent((event) => {
      if (event.kind === 'run-progress' && event.runId === run.runId && event.progress.reconnect) reconnects.push(event.progress.reconnect);
    });
    return { runId: run.runId, reconnects };
  }

  async function expectExact(runId: string): Promise<void> {
    const rows = await cachedRows(kit.service, runId);
    expect(rows.length).toBe(ROWS);
    expect(rows).toEqual(freshRun);
    tally.rowsCompared += rows.length;
  }

  function partsOf(file: string): number {
    const reader = new RunFileReader(file);
    try {
      return reader.parts().length;
    } finally {
      reader.close();
    }
  }

  it('a link cut after 5 chunks reconnects by itself and caches exactly what a fresh run caches', async () => {
    const { runId, reconnects } = await startThroughProxy();
    const atCut = await waitForRows(kit.service, runId, 5 * CHUNK);
    expect(atCut.status).toBe('running');
    expect(atCut.progress.rowsCached).toBeLessThan(ROWS);
    proxy.cut();
    const done = await kit.service.waitForRun(runId);
    expect(done.status).toBe('completed');
    expect(done.error).toBeNull();
    expect(reconnects[0]).toEqual({ attempt: 1, of: 3 });
    expect(partsOf(done.file)).toBeGreaterThanOrEqual(2);
    tally.resumes++;
    await expectExact(runId);
  });

  it('a reset link (RST) mid-run reconnects and completes exactly', async () => {
    const { runId, reconnects } = await startThroughProxy();
    expect((await waitForRows(kit.service, runId, 8 * CHUNK)).status).toBe('running');
    proxy.reset();
    const done = await kit.service.waitForRun(runId);
    expect(done.status).toBe('completed');
    expect(reconnects.length).toBeGreaterThanOrEqual(1);
    tally.resumes++;
    await expectExact(runId);
  });

  it('a run that loses its link five times still completes: reconnect tries count per outage', async () => {
    const { runId, reconnects } = await startThroughProxy();
    for (const rows of [3, 6, 10, 14, 18]) {
      expect((await waitForRows(kit.service, runId, rows * CHUNK)).status).toBe('running');
      if (rows % 2) proxy.cut();
      else proxy.reset();
      tally.resumes++;
    }
    const done = await kit.service.waitForRun(runId);
    expect(done.status).toBe('completed');
    expect(reconnects.filter((r) => r.attempt === 1).length).toBeGreaterThanOrEqual(5);
    expect(partsOf(done.file)).toBeGreaterThanOrEqual(6);
    await expectExact(runId);
  });

  it('a link that stays down shows "Reconnecting (n of 3)", stops as interrupted with a clear message, and resumes exactly by hand', async () => {
    const { runId, reconnects } = await startThroughProxy();
    await waitForRows(kit.service, runId, 7 * CHUNK);
    proxy.refuse();
    proxy.cut();
    const stopped = await kit.service.waitForRun(runId);
    expect(stopped.status).toBe('interrupted');
    expect(stopped.error?.kind).toBe('ConnectionLost');
    expect(stopped.error?.message).toMatch(/connection to the database was lost and all 3 reconnect tries failed/);
    expect(stopped.error?.message).toMatch(/rows cached so far are kept; resume/);
    expect(reconnects).toEqual([
      { attempt: 1, of: 3 },
      { attempt: 2, of: 3 },
      { attempt: 3, of: 3 },
    ]);
    const kept = await cachedRows(kit.service, runId);
    expect(kept.length).toBe(stopped.progress.rowsCached);
    expect(kept).toEqual(freshRun.slice(0, kept.length));
    tally.rowsCompared += kept.length;

    proxy.heal();
    await kit.service.resumeRun({ runId });
    tally.resumes++;
    expect((await kit.service.waitForRun(runId)).status).toBe('completed');
    await expectExact(runId);
  });

  it('pg_terminate_backend on the run\'s backend mid-run is a lost connection: reconnects and completes exactly', async () => {
    const { runId, reconnects } = await startThroughProxy();
    expect((await waitForRows(kit.service, runId, 4 * CHUNK)).status).toBe('running');
    const killed = await db.sql(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = current_database() AND application_name = 'reportstream' AND query LIKE 'SELECT "id"%ORDER BY%'`,
    );
    expect(killed.rows).toEqual([{ killed: true }]);
    tally.faults++;
    const done = await kit.service.waitForRun(runId);
    expect(done.status).toBe('completed');
    expect(reconnects[0]).toEqual({ attempt: 1, of: 3 });
    tally.resumes++;
    await expectExact(runId);
  });
});
