// Pages of a cached run under the grid's sort and filter. A settled run serves
// them from an ordered view built once; a running one straight from the table.
// Both must give the same rows in the same order, PostgreSQL's order for
// numbers and NULLs, and a view must never outlive the rows it was built on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter, SortKey } from '../../src-preload/contract.ts';
import { RunFileReader } from '../../src-main/engine/cache/run-file.ts';
import { RowsReader, trimViews } from '../../src-main/engine/cache/rows-query.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { cancelAt, openTestService, type TestService } from '../support/engine.ts';

const ROWS = 20_000;

describe('sorted and filtered pages', () => {
  let db: TestDatabase;
  let test: TestService;

  beforeAll(async () => {
    db = await createTestDatabase('pages');
    // Many ties, NULLs in every column but the key, numbers whose text order differs from their order.
    await db.sql(`
      CREATE TABLE sales (id int PRIMARY KEY, region text, amount numeric(12,2), units int8, note text);
      INSERT INTO sales SELECT g,
          CASE WHEN g % 9 = 0 THEN NULL ELSE (ARRAY['north','south','east','west','Zeta','alpha'])[1 + g % 6] END,
          CASE WHEN g % 13 = 0 THEN NULL ELSE ((g * 7919) % 2000 - 1000) / 4.0 END,
          CASE WHEN g % 17 = 0 THEN NULL ELSE (g * 104729) % 97 END,
          CASE WHEN g % 5 = 0 THEN '' ELSE 'note ' || (g % 300) END
        FROM generate_series(1, ${ROWS}) g;
      ANALYZE;
    `);
    test = await openTestService();
  });
  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  const orders: { sort?: SortKey[]; filter?: Filter[] }[] = [
    { sort: [{ column: 'amount', direction: 'asc' }] },
    { sort: [{ column: 'amount', direction: 'desc' }] },
    { sort: [{ column: 'units', direction: 'desc' }, { column: 'region', direction: 'asc' }] },
    { sort: [{ column: 'region', direction: 'asc' }] },
    { filter: [{ column: 'amount', op: '>', value: 100 }] },
    { sort: [{ column: 'note', direction: 'desc' }], filter: [{ column: 'region', op: 'contains', value: 'th' }, { column: 'units', op: 'notNull' }] },
    { sort: [{ column: 'units', direction: 'asc' }], filter: [{ column: 'note', op: '=', value: 'no such note' }] },
  ];

  /** Every page of a run in one order, read 1,000 rows at a time. */
  function allPages(reader: RowsReader, order: { sort?: SortKey[]; filter?: Filter[] }, final: boolean): { rows: (string | null)[][]; counts: number[] } {
    const rows: (string | null)[][] = [];
    const counts: number[] = [];
    for (let start = 0; ; start += 1000) {
      const page = reader.page({ start, end: start + 1000, ...order }, final);
      rows.push(...page.rows);
      counts.push(page.rowCount);
      if (page.rows.length < 1000) return { rows, counts };
    }
  }

  it('a settled run gives, page by page, the rows a running one would, in PostgreSQL\'s order for numbers and NULLs', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'sales' });
    expect((await test.service.waitForRun(run.runId)).status).toBe('completed');
    const reader = new RowsReader(new RunFileReader(run.file));
    try {
      for (const order of orders) {
        const settled = allPages(reader, order, true);
        const straight = allPages(reader, order, false);
        expect(settled.rows.length, JSON.stringify(order)).toBe(straight.rows.length);
        expect(settled.rows, JSON.stringify(order)).toEqual(straight.rows);
        expect(new Set(settled.counts), JSON.stringify(order)).toEqual(new Set([straight.rows.length]));
      }
      const byAmount = allPages(reader, orders[1] as { sort: SortKey[] }, true).rows.map((row) => row[0]);
      const postgres = await db.textRows('SELECT id FROM sales ORDER BY amount DESC NULLS FIRST, id');
      expect(byAmount).toEqual(postgres.map((row) => row[0]));
      const filtered = await db.textRows('SELECT id FROM sales WHERE amount > 100 ORDER BY id');
      expect(allPages(reader, orders[4] as { filter: Filter[] }, true).rows.map((row) => row[0])).toEqual(filtered.map((row) => row[0]));
    } finally {
      reader.file.close();
    }
  });

  it('serves any page of a settled run, the last one and beyond the end included, through the service', async () => {
    const [run] = (await test.service.listRuns()).filter((r) => r.status === 'completed');
    if (!run) throw new Error('the first test leaves a completed run');
    const sort: SortKey[] = [{ column: 'units', direction: 'asc' }];
    const expected = await db.textRows('SELECT id FROM sales ORDER BY units ASC NULLS LAST, id');
    for (const start of [0, 1, 9_999, ROWS - 7]) {
      const page = await test.service.getRows({ runId: run.runId, start, end: start + 10, sort });
      expect(page.rows.map((row) => row[0]), `page at ${start}`).toEqual(expected.slice(start, start + 10).map((row) => row[0]));
      expect(page).toMatchObject({ rowCount: ROWS, final: true });
    }
    expect(await test.service.getRows({ runId: run.runId, start: ROWS + 5, end: ROWS + 10, sort })).toMatchObject({ rows: [], rowCount: ROWS });
  });

  it('a view built on a cancelled run is not reused once the run has resumed: the new rows are in the next pages', async () => {
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'sales', chunkSize: 500 });
    const cancelled = await cancelAt(test, run.runId, 2000);
    const kept = cancelled.progress.rowsCached;
    expect(kept).toBeLessThan(ROWS);
    const sort: SortKey[] = [{ column: 'amount', direction: 'desc' }];
    const before = await test.service.getRows({ runId: run.runId, start: 0, end: 5, sort });
    expect(before).toMatchObject({ rowCount: kept, final: true });

    await test.service.resumeRun({ runId: run.runId });
    expect((await test.service.waitForRun(run.runId)).status).toBe('completed');
    const after = await test.service.getRows({ runId: run.runId, start: 0, end: 5, sort });
    expect(after).toMatchObject({ rowCount: ROWS, final: true });
    const expected = await db.textRows('SELECT id FROM sales ORDER BY amount DESC NULLS FIRST, id LIMIT 5');
    expect(after.rows.map((row) => row[0])).toEqual(expected.map((row) => row[0]));
  });
  it('keeps the orders of all open reports within a memory budget, the report in use keeping its own', async () => {
    const completed = (await test.service.listRuns()).filter((r) => r.status === 'completed' && r.progress.rowsCached === ROWS);
    const [first, second] = completed;
    if (!first || !second) throw new Error('the tests before leave two completed runs (one resumed)');
    const sort: SortKey[] = [{ column: 'units', direction: 'desc' }];
    const readers = [first, second].map((run) => new RowsReader(new RunFileReader(run.file)));
    const [older, newer] = readers as [RowsReader, RowsReader];
    try {
      const before = older.page({ start: 100, end: 110, sort }, true).rows;
      newer.page({ start: 0, end: 10, sort }, true);
      expect([older.viewBytes, newer.viewBytes]).toEqual([ROWS * 4, ROWS * 4]);
      trimViews(readers, 2 * ROWS * 4);
      expect([older.viewBytes, newer.viewBytes], 'within the budget: both kept').toEqual([ROWS * 4, ROWS * 4]);
      trimViews(readers, ROWS * 4);
      expect([older.viewBytes, newer.viewBytes], 'over it: the older goes').toEqual([0, ROWS * 4]);
      trimViews(readers, 0);
      expect(newer.viewBytes, 'the report in use keeps its own').toBe(ROWS * 4);
      expect(older.page({ start: 100, end: 110, sort }, true).rows, 'built again, the same rows').toEqual(before);
    } finally {
      for (const reader of readers) reader.file.close();
    }
    const tight = await openTestService({ cacheDir: test.cacheDir, viewBudgetBytes: 0 });
    try {
      const page = async (runId: string) => (await tight.service.getRows({ runId, start: 500, end: 505, sort })).rows;
      const a = await page(first.runId);
      const b = await page(second.runId);
      expect(await page(first.runId)).toEqual(a);
      expect(await page(second.runId)).toEqual(b);
    } finally {
      await tight.close();
    }
  });
});
