import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunProgress } from '../../src-preload/contract.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { cachedRows, firstDifference, openTestService, type TestService } from '../support/engine.ts';

describe('a report run', () => {
  let db: TestDatabase;
  let test: TestService;

  beforeAll(async () => {
    db = await createTestDatabase('run');
    await db.sql(`
      CREATE TABLE orders (id int PRIMARY KEY, customer text, amount numeric(12,2), placed_at timestamptz, paid boolean);
      INSERT INTO orders SELECT g, 'customer ' || (g % 977), (g * 7 % 100000) / 100.0, timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 second', g % 3 = 0
        FROM generate_series(1, 100000) g;
      CREATE TABLE empty_things (id int PRIMARY KEY, name text);
      CREATE TABLE exact_values (id int PRIMARY KEY, big int8, money numeric(30,10), at timestamptz, day date, ratio float8, label text);
      INSERT INTO exact_values VALUES
        (1, 9223372036854775807, 12345678901234567890.0123456789, '2024-02-29 23:59:59.999999+00', '2024-02-29', 0.1, '<img src=x onerror=alert(1)>'),
        (2, -9223372036854775808, -0.0000000001, '1970-01-01 00:00:00.000001+00', '0001-01-01', 1e308, '<script>alert("x")</script>'),
        (3, 0, 0, NULL, NULL, -0.5, 'Zoë 🚀 王小明 مرحبا "quoted", comma'),
        (4, NULL, NULL, 'infinity', 'infinity', 'NaN', E'line one\\nline two\\ttab'),
        (5, 1, 1.5, '2024-06-01 12:00:00+02', '2024-06-01', 3.141592653589793, '');
      ANALYZE;
    `);
    test = await openTestService();
  });
  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  it('caches a 100,000-row dataset exactly as the source returns it', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'orders' });
    expect(run.resumable).toBe(true);
    expect(run.resumeKey).toEqual(['id']);
    const done = await test.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ rowsCached: 100_000, totalRows: 100_000, totalIsExact: true, percent: 100 });
    expect(done.firstChunkMs).not.toBeNull();

    const cached = await cachedRows(test.service, run.runId);
    const expected = await db.textRows('SELECT * FROM orders ORDER BY id');
    expect(cached.length).toBe(100_000);
    expect(firstDifference(cached, expected)).toBeNull();
  });

  it('reports progress from the first chunk on, never above 100 percent', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'orders', chunkSize: 5000 });
    await test.service.waitForRun(run.runId);
    const progress = test.events
      .filter((e): e is { kind: 'run-progress'; runId: string; progress: RunProgress } => e.kind === 'run-progress' && e.runId === run.runId)
      .map((e) => e.progress);
    expect(progress.length).toBeGreaterThan(1);
    // An estimate may come first; the first event with rows comes with the first chunk.
    expect(progress.find((p) => p.rowsCached > 0)?.rowsCached).toBe(5000);
    for (const p of progress) {
      if (p.percent !== null) expect(p.percent).toBeLessThanOrEqual(100);
      expect(p.rowsCached).toBeLessThanOrEqual(100_000);
    }
    const counts = progress.map((p) => p.rowsCached);
    expect([...counts].sort((a, b) => a - b)).toEqual(counts);
    expect(progress.at(-1)).toMatchObject({ rowsCached: 100_000, percent: 100, totalIsExact: true, etaSeconds: 0 });
    const statuses = test.events.filter((e) => e.kind === 'run-status' && e.runId === run.runId).map((e) => (e.kind === 'run-status' ? e.status : ''));
    expect(statuses).toEqual(['running', 'completed']);
  });

  it('completes an empty dataset with 0 rows', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'empty_things' });
    const done = await test.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    expect(done.progress).toMatchObject({ rowsCached: 0, totalRows: 0, percent: 100 });
    expect((await test.service.getRows({ runId: run.runId, start: 0, end: 100 })).rows).toEqual([]);
  });

  it('keeps int8 extremes, numeric(30,10), microsecond timestamps, unicode and HTML-looking text exactly', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'exact_values' });
    await test.service.waitForRun(run.runId);
    const cached = await cachedRows(test.service, run.runId);
    const expected = await db.textRows('SELECT * FROM exact_values ORDER BY id');
    expect(cached).toEqual(expected);
    expect(cached[0]?.[1]).toBe('9223372036854775807');
    expect(cached[1]?.[1]).toBe('-9223372036854775808');
    expect(cached[0]?.[2]).toBe('12345678901234567890.0123456789');
    expect(cached[0]?.[3]).toMatch(/\.999999/);
    expect(cached[0]?.[6]).toBe('<img src=x onerror=alert(1)>');
    expect(cached[2]?.[6]).toBe('Zoë 🚀 王小明 مرحبا "quoted", comma');
    expect(cached[4]?.[6]).toBe('');
    expect(cached[3]?.[1]).toBeNull();
    const kinds = Object.fromEntries(run.columns.map((c) => [c.name, c.kind]));
    expect(kinds).toMatchObject({ id: 'integer', big: 'integer', money: 'number', at: 'timestamp', day: 'date', ratio: 'number', label: 'text' });
  });

  it('serves pages with sort and filter from the cache', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'orders' });
    await test.service.waitForRun(run.runId);
    const middle = await test.service.getRows({ runId: run.runId, start: 54_321, end: 54_324 });
    expect(middle.rows.map((r) => r[0])).toEqual(['54322', '54323', '54324']);
    expect(middle).toMatchObject({ rowCount: 100_000, final: true });
    const top = await test.service.getRows({ runId: run.runId, start: 0, end: 3, sort: [{ column: 'amount', direction: 'desc' }] });
    const expected = await db.textRows('SELECT id FROM orders ORDER BY amount DESC, id LIMIT 3');
    expect(top.rows.map((r) => r[0])).toEqual(expected.map((r) => r[0]));
    const filtered = await test.service.getRows({ runId: run.runId, start: 0, end: 5, filter: [{ column: 'customer', op: '=', value: 'customer 5' }, { column: 'amount', op: '>', value: 500 }] });
    const { rows: count } = await db.sql(`SELECT count(*)::int AS n FROM orders WHERE customer = 'customer 5' AND amount > 500`);
    expect(filtered.rowCount).toBe(count[0].n);
    expect(filtered.rows.every((r) => r[1] === 'customer 5' && Number(r[2]) > 500)).toBe(true);
  });

  it('runs one read-only SQL statement, resumable when key columns are named', async () => {
    const source = await test.postgres(db.url);
    const keyed = await test.service.startRun({ source, sql: 'SELECT id, amount FROM orders WHERE id <= 2500;', key: ['id'] });
    expect(keyed.resumable).toBe(true);
    expect((await test.service.waitForRun(keyed.runId)).progress.rowsCached).toBe(2500);
    const unkeyed = await test.service.startRun({ source, sql: 'SELECT customer, count(*) FROM orders GROUP BY customer' });
    expect(unkeyed.resumable).toBe(false);
    const done = await test.service.waitForRun(unkeyed.runId);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsCached: 977 } });
  });

  it('lists saved runs and reports history statistics', async () => {
    const runs = await test.service.listRuns();
    expect(runs.length).toBeGreaterThanOrEqual(5);
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    const stats = await test.service.getStats();
    expect(stats).toMatchObject({ runs: runs.length, completed: runs.length, successRate: 1 });
    expect(stats.averageDurationMs).toBeGreaterThan(0);
    const first = runs.find((r) => r.definition.dataset === 'orders' && r.progress.rowsCached === 100_000);
    expect(first?.peakRssMB).toBeGreaterThan(0);
    expect(first?.durationMs).toBeGreaterThan(0);
    expect(first?.progress.rowsPerSec).toBeGreaterThan(0);
  });
});
