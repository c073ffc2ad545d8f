// PostgreSQL stopped in immediate mode mid-run (every backend killed, no
// checkpoint): a run whose server stays down reports the loss clearly and stops
// as interrupted, then resumes exactly; a server back within the backoff is
// reconnected to by the run itself.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src-preload/contract.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { startOwnPostgres, type OwnPostgres } from './support/own-postgres.ts';
import { cachedRows, createOrders, openService, type ServiceKit, sourceRows, tally, waitForRows } from './support/service-kit.ts';

const ROWS = 5000;
const CHUNK = 100;

describe('PostgreSQL restarted in immediate mode mid-run', () => {
  let server: OwnPostgres;
  let proxy: FaultProxy;
  let expected: (string | null)[][];
  let crashes = 0;

  beforeAll(async () => {
    server = await startOwnPostgres();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await createOrders((text) => admin.query(text), 'orders', ROWS);
    await admin.end();
    expected = await sourceRows(server.url, 'SELECT id, customer, amount, placed_at, note FROM orders ORDER BY id');
    const target = new URL(server.url);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    // Only to pace the run, so the crash lands in its middle.
    proxy.slow(4);
  });

  afterAll(async () => {
    tally.faults += crashes;
    tally.flush('restart');
    await proxy?.close();
    await server?.remove();
  });

  async function startRun(kit: ServiceKit): Promise<{ runId: string; reconnects: NonNullable<RunProgress['reconnect']>[] }> {
    const run = await kit.service.startRun({ source: await kit.source(proxy.urlFor(server.url)), dataset: 'orders' });
    const reconnects: NonNullable<RunProgress['reconnect']>[] = [];
    kit.service.onEvent((event) => {
      if (event.kind === 'run-progress' && event.runId === run.runId && event.progress.reconnect) reconnects.push(event.progress.reconnect);
    });
    return { runId: run.runId, reconnects };
  }

  it('a server that stays down: the run says the connection was lost, stops as interrupted with its rows, and resumes exactly once the server is back', async () => {
    const kit = await openService({ chunkSize: CHUNK, reconnectTries: 2, reconnectBackoffMs: 100 });
    try {
      const { runId, reconnects } = await startRun(kit);
      expect((await waitForRows(kit.service, runId, 10 * CHUNK)).status).toBe('running');
      server.crash();
      crashes++;
      const stopped = await kit.service.waitForRun(runId);
      expect(stopped.status).toBe('interrupted');
      expect(stopped.error?.kind).toBe('ConnectionLost');
      expect(stopped.error?.message).toMatch(/^The connection to the database was lost and all 2 reconnect tries failed\. The rows cached so far are kept; resume when the server is back\./);
      expect(reconnects).toEqual([
        { attempt: 1, of: 2 },
        { attempt: 2, of: 2 },
      ]);
      const kept = await cachedRows(kit.service, runId);
      expect(kept.length).toBe(stopped.progress.rowsCached);
      expect(kept.length).toBeGreaterThanOrEqual(10 * CHUNK);
      expect(kept).toEqual(expected.slice(0, kept.length));

      await server.start();
      await kit.service.resumeRun({ runId });
      tally.resumes++;
      const done = await kit.service.waitForRun(runId);
      expect(done.status).toBe('completed');
      expect(await cachedRows(kit.service, runId)).toEqual(expected);
      tally.rowsCompared += kept.length + ROWS;
    } finally {
      await kit.close();
    }
  });

  it('a server back within the backoff: the run reconnects by itself and completes exactly', async () => {
    const kit = await openService({ chunkSize: CHUNK, reconnectTries: 6, reconnectBackoffMs: 250 });
    try {
      const { runId, reconnects } = await startRun(kit);
      expect((await waitForRows(kit.service, runId, 10 * CHUNK)).status).toBe('running');
      server.crash();
      crashes++;
      await server.start();
      const done = await kit.service.waitForRun(runId);
      expect(done.status).toBe('completed');
      expect(reconnects[0]).toEqual({ attempt: 1, of: 6 });
      expect(await cachedRows(kit.service, runId)).toEqual(expected);
      tally.resumes++;
      tally.rowsCompared += ROWS;
    } finally {
      await kit.close();
    }
  });
});
