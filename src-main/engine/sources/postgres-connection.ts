// Connections to PostgreSQL that never take the process down: every value as the
// server's text, a listener for a dropped link, a bounded close on a dead one, and
// the socket and backend pid that pg keeps untyped on its client.
import type { Socket } from 'node:net';
import pg from 'pg';
import { fromPostgresError } from '../errors.ts';

export interface PostgresConnection {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  sslMode?: 'disable' | 'prefer' | 'require' | 'verify-full';
  connectTimeoutMs?: number;
}

/** Keeps every value as the server's text: exact numerics, int8, dates and timestamps. */
const TEXT_TYPES = { getTypeParser: () => (text: string) => text };

/** How long closing may wait on a connection that may be dead (node-postgres #2642). */
export const CLOSE_TIMEOUT_MS = 2_000;

function clientConfig(connection: PostgresConnection): pg.ClientConfig {
  const ssl =
    connection.sslMode === 'require' ? { rejectUnauthorized: false } : connection.sslMode === 'verify-full' ? { rejectUnauthorized: true } : false;
  return {
    host: connection.host,
    port: connection.port,
    database: connection.database,
    user: connection.user,
    password: connection.password,
    ssl,
    types: TEXT_TYPES,
    application_name: 'reportstream',
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: connection.connectTimeoutMs ?? 10_000,
  };
}

/** What pg's query_timeout rejects a query with. */
export const PG_QUERY_TIMEOUT = 'Query read timeout';

/**
 * A connected client that never crashes the process when the server goes away. With `queryTimeoutMs`,
 * each query fails after that long without an answer (never for a report's cursor: its reads have the
 * read timeout, which asks the server before cutting).
 */
export async function connect(connection: PostgresConnection, queryTimeoutMs = 0): Promise<{ client: pg.Client; lost: () => Error | null }> {
  const client = new pg.Client({ ...clientConfig(connection), ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}) });
  let lostWith: Error | null = null;
  // Without an 'error' listener a dropped connection kills the process (node-postgres #1165).
  client.on('error', (err) => {
    lostWith = err;
  });
  client.on('end', () => {
    lostWith ??= new Error('Connection terminated unexpectedly');
  });
  try {
    await client.connect();
  } catch (err) {
    destroy(client);
    throw fromPostgresError(err, 'connect');
  }
  return { client, lost: () => lostWith };
}

/** The backend's pid, known after connect; pg keeps it on the client without typing it. */
export const processIdOf = (client: pg.Client): number | undefined => (client as unknown as { processID?: number }).processID;

/** The client's socket; pg keeps it on the client without typing it. */
export const streamOf = (client: pg.Client): Socket | undefined => (client as unknown as { connection?: { stream?: Socket } }).connection?.stream;

export function destroy(client: pg.Client, error?: Error): void {
  streamOf(client)?.destroy?.(error);
}

export async function endQuietly(client: pg.Client): Promise<void> {
  const timer = new Promise<void>((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref());
  await Promise.race([client.end().catch(() => {}), timer]);
  destroy(client);
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}
