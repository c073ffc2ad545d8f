// The built engine process (out/main/engine-process.js), the very file that
// Electron forks as a utility process, run in a Node child process whose
// `process.parentPort` stands in for Electron's. Proves the bundle, the
// better-sqlite3 shim and the relay together, against a real PostgreSQL.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-preload/contract.ts';
import { EngineClient, type RelayPort } from '../../src-main/engine-relay.ts';
import { ELECTRON_SQLITE_ADDON_ENV } from '../../src-main/sqlite-addon.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bundle = join(root, 'out', 'main', 'engine-process.js');
const nodeAddon = join(createRequire(import.meta.url).resolve('better-sqlite3/package.json'), '..', 'build', 'Release', 'better_sqlite3.node');

// What Electron gives a utility process: process.parentPort, whose messages arrive as { data }.
const parentPortShim = `
import { EventEmitter } from 'node:events';
const port = new EventEmitter();
port.postMessage = (message) => process.send(message);
process.on('message', (message) => port.emit('message', { data: message }));
process.on('disconnect', () => process.exit(0));
process.parentPort = port;
await import(${JSON.stringify(pathToFileURL(bundle).href)});
`;

function forkEngine(addon: string): { child: ChildProcess; port: RelayPort } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', parentPortShim], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
    // The shim must load the addon named here, as it loads Electron's build in the app.
    env: { ...process.env, [ELECTRON_SQLITE_ADDON_ENV]: addon },
  });
  const port: RelayPort = {
    postMessage: (message) => child.send(message as never),
    onMessage: (listener) => {
      child.on('message', listener);
      return () => child.off('message', listener);
    },
  };
  return { child, port };
}

const built = existsSync(bundle);
const skipped = built ? '' : ' — SKIPPED: out/main is not built (npm run build)';

describe('built engine process', () => {
  let db: TestDatabase;
  let cacheDir: string;
  let child: ChildProcess;
  let client: EngineClient;

  beforeAll(async () => {
    if (!built) return;
    db = await createTestDatabase('engineproc');
    await db.sql(`CREATE TABLE measurements (id int PRIMARY KEY, reading numeric(20,6))`);
    await db.sql(`INSERT INTO measurements SELECT g, g / 7.0 FROM generate_series(1, 5000) g`);
    cacheDir = mkdtempSync(join(tmpdir(), 'rs-engineproc-'));
    const forked = forkEngine(nodeAddon);
    child = forked.child;
    const port = forked.port;
    client = await EngineClient.open(port, { cacheDir, version: '9.9.9', secrets: { status: { available: true }, passwords: {} } }, () => {});
  });

  afterAll(async () => {
    await client?.close(5_000);
    child?.kill();
    await db?.drop();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it.skipIf(!built)(`runs a report end to end${skipped}`, async () => {
    expect(await client.call('getAppInfo', undefined)).toMatchObject({ host: 'electron', version: '9.9.9', cacheDir });
    const profile = await client.call('saveSource', { ...profileFromUrl(db.url), name: 'db', sslMode: 'disable' });
    const events: AppEvent[] = [];
    client.onEvent((event) => events.push(event));
    const run = await client.call('startRun', { source: { type: 'postgres', profileId: profile.id }, dataset: 'measurements' });
    await expect.poll(() => events.find((e) => e.kind === 'run-status' && e.runId === run.runId && e.status === 'completed'), { timeout: 30_000 }).toBeTruthy();
    const page = await client.call('getRows', { runId: run.runId, start: 4999, end: 5000 });
    expect(page).toMatchObject({ rows: [['5000', '714.285714']], rowCount: 5000, final: true });
    await expect(client.call('getRun', { runId: 'nope' })).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it.skipIf(!built)(`loads better-sqlite3 through the addon it is given, and says so when it is missing${skipped}`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-engineproc-missing-'));
    const { child: broken, port } = forkEngine(join(dir, 'missing.node'));
    try {
      await expect(EngineClient.open(port, { cacheDir: dir, secrets: { status: { available: true }, passwords: {} } }, () => {})).rejects.toThrow(/missing\.node/);
    } finally {
      broken.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
