import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { cachedRows, cancelAt, firstDifference, openTestService, type TestService, waitForRows } from '../support/engine.ts';

describe('cancel and resume', () => {
  let db: TestDatabase;
  let test: TestService;

  beforeAll(async () => {
    db = await createTestDatabase('cancel');
    await db.sql(`
      CREATE TABLE events (id int PRIMARY KEY, kind text, score numeric(8,3), at timestamptz);
      INSERT INTO events SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'kind ' || (g % 13) END, CASE WHEN g % 11 = 0 THEN NULL ELSE (g * 37 % 1000) / 10.0 END,
        timestamptz '2024-01-01 00:00:00+00' + (g % 5000) * interval '1 microsecond'
        FROM generate_series(1, 60000) g;
      CREATE TABLE composite (region text, seq int, note text, PRIMARY KEY (region, seq));
      INSERT INTO composite SELECT (ARRAY['north','south','Éast','west'])[1 + g % 4], g, 'n' || g FROM generate_series(1, 20000) g;
      ANALYZE;
    `);
    test = await openTestService();
  });
  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  async function runBackends(): Promise<number> {
    const { rows } = await db.sql(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'reportstream'`, [db.name]);
    return rows[0].n;
  }

  it('cancel keeps cached rows and frees the backend within a second', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'events', chunkSize: 200 });
    await waitForRows(test, run.runId, 1000);
    const cancelled = await test.service.cancelRun({ runId: run.runId });
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.error?.kind).toBe('Cancelled');
    const kept = cancelled.progress.rowsCached;
    expect(kept).toBeGreaterThanOrEqual(1000);
    expect(kept).toBeLessThan(60_000);
    expect((await cachedRows(test.service, run.runId)).length).toBe(kept);
    const deadline = Date.now() + 1000;
    while ((await runBackends()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await runBackends()).toBe(0);
  });

  it('stops a query the server is still computing (the backend is cancelled, not left running)', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, sql: 'SELECT g, pg_sleep(30) FROM generate_series(1, 2) g', key: ['g'] });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const cancelled = await test.service.cancelRun({ runId: run.runId });
    expect(cancelled.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(5000);
    const deadline = Date.now() + 1000;
    while ((await runBackends()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await runBackends()).toBe(0);
  });

  it('resume after cancel equals a fresh run: no duplicate, no gap', async () => {
    const source = await test.postgres(db.url);
    const fresh = await test.service.startRun({ source, dataset: 'events' });
    await test.service.waitForRun(fresh.runId);
    const run = await test.service.startRun({ source, dataset: 'events', chunkSize: 300 });
    expect((await cancelAt(test, run.runId, 300)).progress.rowsCached).toBeLessThan(60_000);
    const resumed = await test.service.resumeRun({ runId: run.runId });
    expect(resumed.status).toBe('running');
    const done = await test.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    expect(done.progress.rowsCached).toBe(60_000);
    expect(firstDifference(await cachedRows(test.service, run.runId), await cachedRows(test.service, fresh.runId))).toBeNull();
  });

  it('resumes exactly with a descending sort on a nullable column and a composite key', async () => {
    const source = await test.postgres(db.url);
    const definition = { source, dataset: 'events', sort: [{ column: 'score', direction: 'desc' as const }, { column: 'kind', direction: 'asc' as const }], chunkSize: 250 };
    const run = await test.service.startRun(definition);
    const kept = (await cancelAt(test, run.runId, 5000)).progress.rowsCached;
    expect(kept).toBeGreaterThanOrEqual(5000);
    expect(kept).toBeLessThan(60_000);
    await test.service.resumeRun({ runId: run.runId });
    expect(await test.service.waitForRun(run.runId)).toMatchObject({ status: 'completed', error: null, progress: { rowsCached: 60_000 } });
    const expected = await db.textRows('SELECT score, kind, id, at FROM events ORDER BY score DESC NULLS FIRST, kind ASC NULLS LAST, id');
    const cached = (await cachedRows(test.service, run.runId)).map((r) => [r[2], r[1], r[0], r[3]]);
    expect(firstDifference(cached, expected)).toBeNull();

    const composite = await test.service.startRun({ source, dataset: 'composite', chunkSize: 100 });
    expect(composite.resumeKey).toEqual(['region', 'seq']);
    expect((await cancelAt(test, composite.runId, 100)).progress.rowsCached).toBeLessThan(20_000);
    await test.service.resumeRun({ runId: composite.runId });
    await test.service.waitForRun(composite.runId);
    expect(firstDifference(await cachedRows(test.service, composite.runId), await db.textRows('SELECT * FROM composite ORDER BY region, seq'))).toBeNull();
  });

  it('refuses the run over the concurrency limit with a message naming the limit', async () => {
    const limited = await openTestService({ maxConcurrentRuns: 5 });
    try {
      const source = await limited.postgres(db.url);
      const slow = { source, sql: 'SELECT g, pg_sleep(0.2) FROM generate_series(1, 50) g', key: ['g'], chunkSize: 1 };
      const running = [];
      for (let i = 0; i < 5; i++) running.push(await limited.service.startRun(slow));
      await expect(limited.service.startRun(slow)).rejects.toMatchObject({ kind: 'TooManyRuns', message: expect.stringContaining('5') });
      await limited.service.cancelRun({ runId: running[0]!.runId });
      const sixth = await limited.service.startRun(slow);
      expect(sixth.status).toBe('running');
      await Promise.all([...running.slice(1), sixth].map((r) => limited.service.cancelRun({ runId: r.runId })));
    } finally {
      await limited.close();
    }
  });

  it('fails a run with no progress for the configured time as Timeout, keeping rows and resumable', async () => {
    const impatient = await openTestService({ noProgressTimeoutMs: 700 });
    try {
      const source = await impatient.postgres(db.url);
      // Ordered by an index scan, so the first rows arrive before the slow ones (a sort would compute all of them first).
      const run = await impatient.service.startRun({ source, sql: 'SELECT id, CASE WHEN id > 3 THEN pg_sleep(5) END AS pause FROM events WHERE id <= 6 ORDER BY id', key: ['id'], chunkSize: 1 });
      const done = await impatient.service.waitForRun(run.runId);
      expect(done.status).toBe('failed');
      expect(done.error?.kind).toBe('Timeout');
      expect(done.error?.message).toMatch(/filter/);
      expect(done.progress.rowsCached).toBe(3);
      expect(done.resumable).toBe(true);
    } finally {
      await impatient.close();
    }
  });

  it('restarts a report without a unique key from the beginning, since it cannot resume exactly', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, sql: 'SELECT kind, count(*) AS n FROM events GROUP BY kind', chunkSize: 2 });
    expect(run.resumable).toBe(false);
    await test.service.waitForRun(run.runId);
    await test.service.resumeRun({ runId: run.runId }).catch((err) => expect(err.kind).toBe('InvalidArgument'));
    const cancelledEarly = await test.service.startRun({ source, sql: 'SELECT g FROM generate_series(1, 100000) g', chunkSize: 10 });
    await cancelAt(test, cancelledEarly.runId, 10);
    await test.service.resumeRun({ runId: cancelledEarly.runId });
    const done = await test.service.waitForRun(cancelledEarly.runId);
    expect(done.progress.rowsCached).toBe(100_000);
    const rows = await cachedRows(test.service, cancelledEarly.runId);
    expect(new Set(rows.map((r) => r[0])).size).toBe(100_000);
  });
});
