// Exact resume while the source changes between stretches: rows inserted and
// deleted before and after the resume point, duplicate sort values broken by a
// unique key, NULLs in sort and non-key columns. Each stretch reads its own
// snapshot; together they hold every row after the last cached key once, in
// order: no duplicate, no gap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, SortKey } from '../../src-preload/contract.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { cachedRows, openService, type ServiceKit, sourceRows, tally, waitForRows, waitUntil } from './support/service-kit.ts';

const CHUNK = 7;
const COLUMNS = ['id', 'grp', 'rank', 'label', 'amount'] as const;

/** A small deterministic random source, so a failure can be replayed. */
function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

/** PostgreSQL's order for the report: each sort key (ASC NULLS LAST / DESC NULLS FIRST), then id. */
function comparator(sort: SortKey[]): (a: CellValue[], b: CellValue[]) => number {
  const keys = [...sort, { column: 'id', direction: 'asc' as const }].map((key) => ({ index: COLUMNS.indexOf(key.column as (typeof COLUMNS)[number]), desc: key.direction === 'desc' }));
  return (a, b) => {
    for (const { index, desc } of keys) {
      const x = a[index] ?? null;
      const y = b[index] ?? null;
      if (x === y) continue;
      if (x === null) return desc ? -1 : 1;
      if (y === null) return desc ? 1 : -1;
      const diff = Number(x) - Number(y);
      if (diff !== 0) return desc ? -diff : diff;
    }
    return 0;
  };
}

describe('exact resume while the source changes', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let kit: ServiceKit;
  let nextId = 10_000;

  beforeAll(async () => {
    db = await createTestDatabase('faults_change');
    const target = new URL(db.url);
    proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    proxy.slow(3);
    kit = await openService({ chunkSize: CHUNK, reconnectTries: 20, reconnectBackoffMs: 40 });
  });

  afterAll(async () => {
    tally.faults += proxy.faults;
    tally.flush('resume-under-change');
    await kit.close();
    await proxy.close();
    await db.drop();
  });

  async function freshTable(name: string, rows: number): Promise<void> {
    await db.sql(`CREATE TABLE ${name} (id integer PRIMARY KEY, grp integer, rank numeric(6, 1), label text, amount numeric(10, 2))`);
    // Few distinct sort values, so chunk boundaries fall inside runs of duplicates; NULLs everywhere but the key.
    await db.sql(`INSERT INTO ${name}
      SELECT g, CASE WHEN g % 9 = 0 THEN NULL ELSE g % 4 END, CASE WHEN g % 11 = 0 THEN NULL ELSE (g % 3) / 2.0 END,
             CASE WHEN g % 5 = 0 THEN NULL ELSE 'label ' || g END, CASE WHEN g % 7 = 0 THEN NULL ELSE g * 1.25 END
      FROM generate_series(1, ${rows}) g`);
  }

  /** Inserts and deletes rows on both sides of the resume point, and rewrites non-key columns. */
  async function change(table: string, random: (n: number) => number): Promise<void> {
    for (let i = 0; i < 6; i++) {
      const grp = random(6) === 0 ? 'NULL' : String(random(4));
      const rank = random(5) === 0 ? 'NULL' : String(random(3) / 2);
      await db.sql(`INSERT INTO ${table} VALUES (${nextId++}, ${grp}, ${rank}, ${random(3) === 0 ? 'NULL' : `'added ${nextId}'`}, NULL)`);
    }
    await db.sql(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} ORDER BY md5(id::text || '${random(1000)}') LIMIT 4)`);
    await db.sql(`UPDATE ${table} SET amount = coalesce(amount, 0) + 1, label = CASE WHEN label IS NULL THEN 'now set' ELSE NULL END
      WHERE id IN (SELECT id FROM ${table} ORDER BY md5(id::text || '${random(1000)}') LIMIT 5)`);
  }

  function orderBy(sort: SortKey[]): string {
    return [...sort, { column: 'id', direction: 'asc' }].map((k) => `${k.column} ${k.direction === 'desc' ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`).join(', ');
  }

  /** What the cache must hold: from each stretch's snapshot, the rows after the previous stretch's last key, up to its own. */
  function expectedRows(snapshots: CellValue[][][], bounds: (CellValue[] | null)[], compare: (a: CellValue[], b: CellValue[]) => number): CellValue[][] {
    return snapshots.flatMap((snapshot, k) => {
      const after = k === 0 ? null : bounds[k - 1];
      const upTo = bounds[k] ?? null;
      return snapshot.filter((row) => (after === null || after === undefined || compare(row, after) > 0) && (upTo === null || compare(row, upTo) <= 0));
    });
  }

  function expectOrderedAndUnique(rows: CellValue[][], compare: (a: CellValue[], b: CellValue[]) => number): void {
    for (let i = 1; i < rows.length; i++) expect(compare(rows[i - 1] as CellValue[], rows[i] as CellValue[]), `rows ${i - 1} and ${i}`).toBeLessThan(0);
    expect(new Set(rows.map((r) => r[0])).size).toBe(rows.length);
  }

  for (const [label, sort, seed] of [
    ['duplicate sort values ascending, NULLs last', [{ column: 'grp', direction: 'asc' }], 7],
    ['two sort keys, descending with NULLs first, then ascending', [{ column: 'grp', direction: 'desc' }, { column: 'rank', direction: 'asc' }], 11],
  ] as [string, SortKey[], number][]) {
    it(`cancel, change the source, resume, again and again (${label}): no duplicate, no gap`, async () => {
      const table = `events_${seed}`;
      await freshTable(table, 400);
      const compare = comparator(sort);
      const random = seeded(seed);
      const select = `SELECT ${COLUMNS.join(', ')} FROM ${table} ORDER BY ${orderBy(sort)}`;
      const snapshots: CellValue[][][] = [await sourceRows(db.url, select)];
      for (const snapshot of snapshots) for (let i = 1; i < snapshot.length; i++) expect(compare(snapshot[i - 1] as CellValue[], snapshot[i] as CellValue[])).toBeLessThan(0);
      const bounds: (CellValue[] | null)[] = [];
      const run = await kit.service.startRun({ source: await kit.source(proxy.urlFor(db.url)), dataset: table, sort });
      let status = 'running';
      while (status !== 'completed') {
        const cached = (await kit.service.getRun({ runId: run.runId })).progress.rowsCached;
        await waitForRows(kit.service, run.runId, cached + CHUNK + random(3 * CHUNK));
        try {
          status = (await kit.service.cancelRun({ runId: run.runId })).status;
        } catch {
          status = (await kit.service.getRun({ runId: run.runId })).status;
        }
        if (status === 'completed') break;
        expect(status).toBe('cancelled');
        const rows = await cachedRows(kit.service, run.runId);
        bounds.push(rows.at(-1) ?? null);
        await change(table, random);
        snapshots.push(await sourceRows(db.url, select));
        await kit.service.resumeRun({ runId: run.runId });
        tally.resumes++;
        status = 'running';
      }
      bounds.push(null);
      expect(snapshots.length).toBeGreaterThanOrEqual(4);
      const rows = await cachedRows(kit.service, run.runId);
      expectOrderedAndUnique(rows, compare);
      expect(rows).toEqual(expectedRows(snapshots, bounds, compare));
      tally.rowsCompared += rows.length;
    });
  }

  it('a link lost three times while rows come and go: the run reconnects by itself each time, no duplicate, no gap', async () => {
    const table = 'events_reconnect';
    await freshTable(table, 300);
    const sort: SortKey[] = [{ column: 'grp', direction: 'asc' }];
    const compare = comparator(sort);
    const random = seeded(5);
    const select = `SELECT ${COLUMNS.join(', ')} FROM ${table} ORDER BY ${orderBy(sort)}`;
    const snapshots: CellValue[][][] = [await sourceRows(db.url, select)];
    const bounds: (CellValue[] | null)[] = [];
    proxy.heal();
    proxy.slow(3);
    const run = await kit.service.startRun({ source: await kit.source(proxy.urlFor(db.url)), dataset: table, sort });
    let reconnecting = false;
    kit.service.onEvent((event) => {
      if (event.kind === 'run-progress' && event.runId === run.runId && event.progress.reconnect) reconnecting = true;
    });
    for (const atRows of [5 * CHUNK, 15 * CHUNK, 25 * CHUNK]) {
      expect((await waitForRows(kit.service, run.runId, atRows)).status).toBe('running');
      // No way back in while the source changes: the next snapshot is taken after every change.
      proxy.refuse();
      proxy.cut();
      reconnecting = false;
      await waitUntil('a reconnect try', () => reconnecting);
      const rows = await cachedRows(kit.service, run.runId);
      bounds.push(rows.at(-1) ?? null);
      await change(table, random);
      snapshots.push(await sourceRows(db.url, select));
      proxy.heal();
      proxy.slow(3);
      tally.resumes++;
    }
    const done = await kit.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    bounds.push(null);
    const rows = await cachedRows(kit.service, run.runId);
    expectOrderedAndUnique(rows, compare);
    expect(rows).toEqual(expectedRows(snapshots, bounds, compare));
    tally.rowsCompared += rows.length;
  });
});
