// What the app offers before any report runs: the datasets a role may read, with
// their estimates, columns, types and keys; the Demo, the same on every machine;
// and where the cache lives when no folder is given.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoDatabase } from '../../src-main/engine/sources/demo.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService, type TestService } from '../support/engine.ts';

describe('datasets, the Demo and the cache folder', () => {
  let db: TestDatabase;
  let test: TestService;
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-places-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    db = await createTestDatabase('catalog');
    await db.sql(`
      CREATE SCHEMA sales;
      CREATE TABLE sales.lines (order_id int, line_no smallint, sku text NOT NULL, qty numeric(10,3), shipped_at timestamptz, gift boolean,
        PRIMARY KEY (order_id, line_no));
      INSERT INTO sales.lines SELECT g / 3, g % 3, 'SKU-' || g, g / 7.0, now(), g % 2 = 0 FROM generate_series(0, 2999) g;
      CREATE VIEW sales.big_lines AS SELECT order_id, sku FROM sales.lines WHERE qty > 100;
      CREATE TABLE public.notes (body text);
      ANALYZE;
    `);
    test = await openTestService();
  });
  afterAll(async () => {
    await test.close();
    await db.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('lists tables and views with estimates, columns, types, nullability and the primary key in its order', async () => {
    const source = await test.postgres(db.url);
    const datasets = await test.service.listDatasets({ source });
    const lines = datasets.find((d) => d.name === 'sales.lines');
    expect(lines).toMatchObject({ schema: 'sales', table: 'lines', type: 'table', estimatedRows: 3000, primaryKey: ['order_id', 'line_no'] });
    expect(lines?.columns).toEqual([
      { name: 'order_id', type: 'integer', kind: 'integer', nullable: false },
      { name: 'line_no', type: 'smallint', kind: 'integer', nullable: false },
      { name: 'sku', type: 'text', kind: 'text', nullable: false },
      { name: 'qty', type: 'numeric(10,3)', kind: 'number', nullable: true },
      { name: 'shipped_at', type: 'timestamp with time zone', kind: 'timestamp', nullable: true },
      { name: 'gift', type: 'boolean', kind: 'boolean', nullable: true },
    ]);
    expect(datasets.find((d) => d.name === 'sales.big_lines')).toMatchObject({ type: 'view', estimatedRows: null, primaryKey: [] });
    expect(datasets.find((d) => d.name === 'notes')).toMatchObject({ schema: 'public', primaryKey: [], columns: [{ name: 'body', type: 'text' }] });
    expect(datasets.some((d) => d.schema === 'pg_catalog' || d.schema === 'information_schema')).toBe(false);
  });

  it('makes the same Demo on every machine: the same orders, NULLs and unicode, whatever the folder', () => {
    const digest = (path: string): { rows: number; nulls: number; unicode: number; hash: string } => {
      const demo = new Database(path, { readonly: true });
      try {
        const hash = createHash('sha256');
        for (const row of demo.prepare('SELECT * FROM orders ORDER BY id').raw().iterate() as IterableIterator<unknown[]>) hash.update(JSON.stringify(row));
        const count = (sql: string) => demo.prepare(sql).pluck().get() as number;
        return {
          rows: count('SELECT count(*) FROM orders'),
          nulls: count('SELECT count(*) FROM orders WHERE customer IS NULL OR shipped_on IS NULL'),
          unicode: count(`SELECT count(*) FROM orders WHERE customer GLOB '*[^ -~]*'`),
          hash: hash.digest('hex'),
        };
      } finally {
        demo.close();
      }
    };
    const first = digest(ensureDemoDatabase(join(tempDir(), 'demo.sqlite'), 5000));
    const second = digest(ensureDemoDatabase(join(tempDir(), 'elsewhere.sqlite'), 5000));
    expect(second).toEqual(first);
    expect(first.rows).toBe(5000);
    expect(first.nulls).toBeGreaterThan(0);
    expect(first.unicode).toBeGreaterThan(0);
  });

  it('keeps the cache in --cache, else REPORTSTREAM_HOME, else the per-OS data folder', async () => {
    const given = tempDir();
    const home = tempDir();
    const xdg = tempDir();
    const env = { REPORTSTREAM_HOME: home, XDG_DATA_HOME: xdg };
    expect((await runCli(['list', '--cache', given], env)).code).toBe(0);
    expect([existsSync(join(given, 'library.sqlite')), existsSync(join(home, 'library.sqlite'))]).toEqual([true, false]);
    expect((await runCli(['list'], env)).code).toBe(0);
    expect(existsSync(join(home, 'library.sqlite'))).toBe(true);
    if (process.platform === 'linux') {
      expect((await runCli(['list'], { REPORTSTREAM_HOME: '', XDG_DATA_HOME: xdg })).code).toBe(0);
      expect(existsSync(join(xdg, 'reportstream', 'library.sqlite'))).toBe(true);
    }
  });
});
