import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.ts';

describe('test harness', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('harness');
  });
  afterAll(async () => db.drop());

  it('gives each file a fresh database on a real PostgreSQL server', async () => {
    const { rows } = await db.sql('select current_database() as name, version() as version');
    expect(rows[0].name).toBe(db.name);
    expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
    const tables = await db.sql(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
    expect(tables.rows[0].n).toBe(0);
  });
});
