// The relay between the main process and the engine's utility process, over
// a real MessageChannel (the same structured-clone transport), in front of the
// real ReportService and a real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEvent } from '../../src-preload/contract.ts';
import { ReportError } from '../../src-main/engine/errors.ts';
import { ReportService } from '../../src-main/engine/service.ts';
import { EngineClient, RelayedSecretStore, serveEngine, type RelayPort, type SecretChange } from '../../src-main/engine-relay.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';

function relayPort(port: MessagePort): RelayPort {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', listener);
      return () => port.off('message', listener);
    },
  };
}

describe('engine relay (main process ⇄ engine process)', () => {
  let db: TestDatabase;
  let cacheDir: string;
  let channel: MessageChannel;
  let client: EngineClient;
  let opened: ReportService | null = null;
  const secretChanges: SecretChange[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('relay');
    await db.sql(`CREATE TABLE items (id bigint PRIMARY KEY, price numeric(30,10), at timestamptz)`);
    await db.sql(`INSERT INTO items SELECT g, g / 3.0, '2024-01-01 00:00:00.123456+00'::timestamptz + g * interval '1 microsecond' FROM generate_series(1, 3000) g`);
    cacheDir = mkdtempSync(join(tmpdir(), 'rs-relay-'));
    channel = new MessageChannel();
    serveEngine(relayPort(channel.port1), async (options, secrets) => {
      opened = await ReportService.open({ ...options, secrets, host: 'electron' });
      return opened;
    });
    client = await EngineClient.open(
      relayPort(channel.port2),
      { cacheDir, secrets: { status: { available: true }, passwords: { 'known-profile': 'from-the-vault' } } },
      (change) => secretChanges.push(change),
    );
  });

  afterAll(async () => {
    await client?.close(5_000);
    channel?.port1.close();
    channel?.port2.close();
    await db?.drop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('forwards calls and their values', async () => {
    const info = await client.call('getAppInfo', undefined);
    expect(info).toMatchObject({ host: 'electron', cacheDir, passwordStorage: { available: true } });
    expect(await client.methods().listRuns(undefined)).toEqual([]);
  });

  it('runs a report in the engine and relays its events in order', async () => {
    const url = new URL(db.url);
    const events: AppEvent[] = [];
    const stop = client.onEvent((event) => events.push(event));
    const profile = await client.call('saveSource', { ...profileFromUrl(db.url), name: 'relay db', sslMode: 'disable' });
    // The password goes to the main process, which alone can encrypt it.
    expect(secretChanges).toContainEqual({ op: 'save', profileId: profile.id, password: decodeURIComponent(url.password) });

    const run = await client.call('startRun', { source: { type: 'postgres', profileId: profile.id }, dataset: 'items', chunkSize: 500 });
    await expect.poll(() => events.some((e) => e.kind === 'run-status' && e.runId === run.runId && e.status === 'completed'), { timeout: 30_000 }).toBe(true);
    stop();
    const progress = events.filter((e) => e.kind === 'run-progress' && e.runId === run.runId);
    expect(progress.length).toBeGreaterThanOrEqual(2);

    const page = await client.call('getRows', { runId: run.runId, start: 2999, end: 3000 });
    expect(page.rows).toEqual([['3000', '1000.0000000000', '2024-01-01 00:00:00.126456+00']]);
  });

  it('keeps the passwords the main process decrypted, and reports changes back', async () => {
    const sent: SecretChange[] = [];
    const store = new RelayedSecretStore({ status: { available: true }, passwords: { 'known-profile': 'from-the-vault' } }, (change) => sent.push(change));
    expect(store.load('known-profile')).toBe('from-the-vault');
    store.save('new-profile', 's3cret');
    store.remove('known-profile');
    expect(store.load('new-profile')).toBe('s3cret');
    expect(store.load('known-profile')).toBeUndefined();
    expect(sent).toEqual([
      { op: 'save', profileId: 'new-profile', password: 's3cret' },
      { op: 'remove', profileId: 'known-profile' },
    ]);
    const sources = await client.call('listSources', undefined);
    expect(sources.find((source) => source.profile)?.profile?.hasPassword).toBe(true);
  });

  it('rethrows the engine’s errors as ReportError with their kind', async () => {
    const failure = await client.call('getRun', { runId: 'missing' }).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(ReportError);
    expect(failure).toMatchObject({ kind: 'NotFound' });
  });

  it('fails the calls in flight when the engine process dies', async () => {
    const lost = new MessageChannel();
    const silent = relayPort(lost.port2);
    serveEngine(relayPort(lost.port1), async () => opened as ReportService);
    const dying = await EngineClient.open(silent, { cacheDir, secrets: { status: { available: true }, passwords: {} } }, () => {});
    lost.port1.close();
    const pending = dying.call('listRuns', undefined);
    dying.fail('The ReportStream engine stopped unexpectedly (exit code 9).');
    await expect(pending).rejects.toMatchObject({ kind: 'Internal', message: expect.stringContaining('exit code 9') });
    await expect(dying.call('listRuns', undefined)).rejects.toMatchObject({ kind: 'Internal' });
    lost.port2.close();
  });

  it('reports an engine that cannot open', async () => {
    const broken = new MessageChannel();
    serveEngine(relayPort(broken.port1), async () => {
      throw new ReportError('CacheCorrupt', 'The library database is damaged.');
    });
    await expect(EngineClient.open(relayPort(broken.port2), { cacheDir, secrets: { status: { available: false }, passwords: {} } }, () => {})).rejects.toMatchObject({
      kind: 'CacheCorrupt',
      message: 'The library database is damaged.',
    });
    broken.port1.close();
    broken.port2.close();
  });
});
