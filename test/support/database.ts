// Gives each test file its own fresh database on the shared test server,
// so files run in parallel without seeing each other's tables.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export interface TestDatabase {
  /** URL of the fresh database, as the superuser. */
  url: string;
  name: string;
  /** Runs SQL as the superuser in the fresh database. */
  sql: (text: string, params?: unknown[]) => Promise<pg.QueryResult>;
  /** Rows as arrays of PostgreSQL's own text (what COPY prints), for comparing with the cache. */
  textRows: (text: string, params?: unknown[]) => Promise<(string | null)[][]>;
  /** URL for another role in the same database. */
  urlAs: (user: string, password: string) => string;
  drop: () => Promise<void>;
}

export function serverUrl(): string {
  return inject('databaseUrl');
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDatabase(prefix = 'rs'): Promise<TestDatabase> {
  const root = serverUrl();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: root });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabase(root, name);
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  return {
    url,
    name,
    sql: (text, params) => client.query(text, params as unknown[]),
    textRows: async (text, params) => {
      const result = await client.query({ text, values: params as unknown[], rowMode: 'array', types: { getTypeParser: () => (value: string) => value } });
      return result.rows as (string | null)[][];
    },
    urlAs: (user, password) => {
      const parsed = new URL(url);
      parsed.username = user;
      parsed.password = password;
      return parsed.toString();
    },
    drop: async () => {
      await client.end().catch(() => {});
      const dropper = new pg.Client({ connectionString: root });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
