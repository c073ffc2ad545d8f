// A local SQLite file as a report's source: runs, and resumes exactly after any row,
// also when the key or a filter is an expression (no declared type), where
// SQLite compares by each value's own storage class, not by affinity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportDefinition, SourceRef } from '../../src-preload/contract.ts';
import { SqliteSource } from '../../src-main/engine/sources/sqlite.ts';
import { cachedRows, firstDifference, openTestService, type TestService } from '../support/engine.ts';

const ROWS = 20_000;

describe('a SQLite file as the source', () => {
  let dir: string;
  let source: SourceRef;
  let test: TestService;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reportstream-sqlite-source-'));
    const path = join(dir, 'shop.sqlite');
    const db = new Database(path);
    // `extra` has no declared type: integers, reals, text and NULLs as they come.
    db.exec(`
      CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL, extra);
      WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${ROWS})
      INSERT INTO items SELECT i, 'item ' || (i % 97), CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 1000) / 8.0 END,
        CASE i % 4 WHEN 0 THEN i WHEN 1 THEN i / 3.0 WHEN 2 THEN 'x' || i ELSE NULL END FROM g;
    `);
    db.close();
    source = { type: 'sqlite', path };
    test = await openTestService();
  });
  afterAll(async () => {
    await test.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs a report to its end through the service, as the app does: what every resumed read of it must equal. */
  async function fresh(definition: ReportDefinition): Promise<(string | null)[][]> {
    const run = await test.service.startRun(definition);
    expect((await test.service.waitForRun(run.runId)).status).toBe('completed');
    return cachedRows(test.service, run.runId);
  }

  /**
   * Resumes after each of `cuts` rows the way a run resumes after a stop: from the key of the last
   * cached row, as cached text. Every resumed read must be exactly the rest of the report.
   */
  async function expectExactResumes(definition: ReportDefinition, expected: (string | null)[][], cuts: number[]): Promise<void> {
    const sqlite = new SqliteSource('shop', (source as { path: string }).path);
    try {
      const report = await sqlite.prepare(definition);
      expect(report.resumable).toBe(true);
      const keyAt = report.order.map((key) => report.columns.findIndex((column) => column.name === key.column));
      for (const cut of cuts) {
        const last = expected[cut - 1] as (string | null)[];
        const reader = await sqlite.openReader(report, keyAt.map((i) => last[i] ?? null), 5000);
        const rest: (string | null)[][] = [];
        try {
          for (let chunk = await reader.read(); chunk.length > 0; chunk = await reader.read()) rest.push(...chunk);
        } finally {
          await reader.close();
        }
        expect(rest.length, `resumed after row ${cut}`).toBe(expected.length - cut);
        expect(firstDifference(rest, expected.slice(cut)), `resumed after row ${cut}`).toBeNull();
      }
    } finally {
      await sqlite.close();
    }
  }

  const CUTS = [1, 9, 10, 99, 3_000, 12_345, ROWS - 1];

  it('caches a table exactly, and resumes after any row to exactly the rest', async () => {
    const definition = { source, dataset: 'items' };
    const expected = await fresh(definition);
    expect(expected.length).toBe(ROWS);
    expect(expected[3]).toEqual(['4', 'item 4', '0.5', '4']);
    expect(expected[4]).toEqual(['5', 'item 5', '0.625', '1.6666666666666667']);
    await expectExactResumes(definition, expected, CUTS);
  });

  it('resumes a statement keyed on a numeric expression: no row is lost after the key', async () => {
    const definition = { source, sql: 'SELECT id * 1 AS k, name FROM items', key: ['k'] };
    const expected = await fresh(definition);
    expect(expected.length).toBe(ROWS);
    await expectExactResumes(definition, expected, CUTS);
  });

  it('resumes a statement keyed on text that looks like numbers, in text order', async () => {
    const definition = { source, sql: 'SELECT CAST(id AS TEXT) AS code, name FROM items', key: ['code'] };
    const expected = await fresh(definition);
    expect(expected.slice(0, 4).map((row) => row[0])).toEqual(['1', '10', '100', '1000']);
    await expectExactResumes(definition, expected, CUTS);
  });

  it('resumes under a sort on a typeless column holding numbers, text and NULLs', async () => {
    const definition: ReportDefinition = { source, dataset: 'items', sort: [{ column: 'extra', direction: 'desc' }] };
    const expected = await fresh(definition);
    expect(new Set(expected.map((row) => row[0])).size).toBe(ROWS);
    await expectExactResumes(definition, expected, CUTS);
  });

  it('filters an expression by the number the user typed, and text by its text', async () => {
    const byNumber = await fresh({ source, sql: 'SELECT id % 7 AS bucket, id FROM items', key: ['id'], filters: [{ column: 'bucket', op: '=', value: '3' }] });
    expect(byNumber.length).toBe(Array.from({ length: ROWS }, (_, i) => (i + 1) % 7).filter((b) => b === 3).length);
    const byText = await fresh({ source, sql: "SELECT 'c' || (id % 5) AS code, id FROM items", key: ['id'], filters: [{ column: 'code', op: '=', value: 'c2' }] });
    expect(byText.length).toBe(ROWS / 5);
    const numericText = await fresh({ source, sql: 'SELECT CAST(id % 5 AS TEXT) AS code, id FROM items', key: ['id'], filters: [{ column: 'code', op: '=', value: '2' }] });
    expect(numericText.length).toBe(ROWS / 5);
  });
});
