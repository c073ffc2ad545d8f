// The library's history as the Activity view and `reportstream stats` show it:
// completed runs count as successes, failed runs and lost connections as failures
// by kind, and runs stopped by the user or by the app closing as neither.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastJson, runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { cancelAt, openTestService, waitForRows } from '../support/engine.ts';

describe('history statistics', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('stats');
    await db.sql(`
      CREATE TABLE items (id int PRIMARY KEY, label text);
      INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 20000) g;
      ANALYZE;
    `);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('counts successes, failures by kind, and neither for cancelled runs or runs the app stopped', async () => {
    const first = await openTestService();
    const { cacheDir } = first;
    const source = await first.postgres(db.url);
    // Two that complete.
    for (let i = 0; i < 2; i++) {
      const run = await first.service.startRun({ source, dataset: 'items' });
      expect((await first.service.waitForRun(run.runId)).status).toBe('completed');
    }
    // One the database fails at row 3,000.
    const failing = await first.service.startRun({ source, sql: 'SELECT id, 1 / (id - 3000) AS x FROM items ORDER BY id', key: ['id'], chunkSize: 500 });
    const failed = await first.service.waitForRun(failing.runId);
    expect(failed).toMatchObject({ status: 'failed', error: { kind: 'InvalidQuery' } });
    // One the user cancels, and one still running when the app closes: each row waits a little in the scan.
    const slow = 'SELECT id, label FROM items WHERE pg_sleep(0.0002) IS NOT NULL';
    const cancelling = await first.service.startRun({ source, sql: slow, key: ['id'], chunkSize: 200 });
    expect((await cancelAt(first, cancelling.runId, 400)).status).toBe('cancelled');
    const closing = await first.service.startRun({ source, sql: slow, key: ['id'], chunkSize: 200 });
    await waitForRows(first, closing.runId, 400);
    await first.service.close();

    const again = await openTestService({ cacheDir });
    try {
      expect((await again.service.getRun({ runId: closing.runId })).status).toBe('interrupted');
      const stats = await again.service.getStats();
      expect(stats).toMatchObject({ runs: 5, completed: 2, successRate: 2 / 3, failuresByKind: { InvalidQuery: 1 } });
      expect(stats.recentFailures).toEqual([
        { runId: failing.runId, name: expect.any(String), kind: 'InvalidQuery', message: expect.stringMatching(/division by zero/), at: expect.any(String) },
      ]);
      expect(stats.averageDurationMs).toBeGreaterThan(0);

      const cli = await runCli(['stats', '--json', '--cache', cacheDir]);
      expect(cli.code, cli.stderr).toBe(0);
      expect(lastJson(cli)).toEqual(JSON.parse(JSON.stringify(stats)));
      const text = await runCli(['stats', '--cache', cacheDir]);
      expect(text.stdout).toMatch(/runs 5, completed 2, success rate 66\.7%/);
      expect(text.stdout).toMatch(/failures InvalidQuery: 1/);
    } finally {
      await again.close();
    }
  });
});
