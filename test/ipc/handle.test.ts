// The one IPC wrapper, driven as ipcMain would drive it, in front of the real
// ReportService: a foreign sender is refused before anything runs, a bad
// argument never reaches the service, and a good call returns its value.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOf, METHOD_NAMES, type MethodArg, type MethodName, type Result } from '../../src-preload/contract.ts';
import { ReportService } from '../../src-main/engine/service.ts';
import { handleContract, isTrustedFrame, type Implementations, type InvokeEvent, type InvokeListener, type SenderFrame } from '../../src-main/ipc.ts';
import { APP_ORIGIN } from '../../src-main/security.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';

/** An ipcMain stand-in: the channels and their listeners. */
class Registrar {
  readonly listeners = new Map<string, InvokeListener>();
  handle(channel: string, listener: InvokeListener): void {
    if (this.listeners.has(channel)) throw new Error(`second handler for ${channel}`);
    this.listeners.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.listeners.delete(channel);
  }
  invoke<M extends MethodName>(frame: SenderFrame | null, method: M, arg: unknown): Promise<Result<unknown>> {
    const listener = this.listeners.get(channelOf(method));
    if (!listener) throw new Error(`no handler for ${method}`);
    return listener({ senderFrame: frame } satisfies InvokeEvent, arg) as Promise<Result<unknown>>;
  }
}

const ourWindow: SenderFrame = { url: `${APP_ORIGIN}/index.html`, parent: null };
const foreignFrames: [string, SenderFrame | null][] = [
  ['another site', { url: 'https://evil.example/index.html', parent: null }],
  ['a file page', { url: 'file:///tmp/evil.html', parent: null }],
  ['an iframe inside our window', { url: `${APP_ORIGIN}/index.html`, parent: ourWindow }],
  ['a look-alike host', { url: 'app://reportstream.evil/index.html', parent: null }],
  ['a destroyed frame', null],
];

describe('IPC handle() wrapper', () => {
  let db: TestDatabase;
  let cacheDir: string;
  let service: ReportService;
  const registrar = new Registrar();
  const reached: MethodName[] = [];
  let validArgs: { [M in MethodName]: MethodArg<M> };

  beforeAll(async () => {
    db = await createTestDatabase('ipc');
    await db.sql(`CREATE TABLE orders (id int PRIMARY KEY, label text)`);
    await db.sql(`INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 500) g`);
    cacheDir = mkdtempSync(join(tmpdir(), 'rs-ipc-'));
    service = await ReportService.open({ cacheDir, host: 'electron' });
    const profileInput = { ...profileFromUrl(db.url), name: 'test', sslMode: 'disable' as const };
    const source = { type: 'postgres' as const, profileId: (await service.saveSource(profileInput)).id };
    const run = await service.startRun({ source, dataset: 'orders' });
    await service.waitForRun(run.runId);

    // Every implementation records that it was reached, then does the real thing.
    const real: Implementations = {
      getAppInfo: () => service.getAppInfo(),
      listSources: () => service.listSources(),
      saveSource: (arg) => service.saveSource(arg),
      testSource: (arg) => service.testSource(arg),
      removeSource: (arg) => service.removeSource(arg),
      listDatasets: (arg) => service.listDatasets(arg),
      describeSql: (arg) => service.describeSql(arg),
      startRun: (arg) => service.startRun(arg),
      cancelRun: (arg) => service.cancelRun(arg),
      resumeRun: (arg) => service.resumeRun(arg),
      deleteRun: (arg) => service.deleteRun(arg),
      renameRun: (arg) => service.renameRun(arg),
      listRuns: () => service.listRuns(),
      getRun: (arg) => service.getRun(arg),
      getRows: (arg) => service.getRows(arg),
      importRunFile: (arg) => service.importRunFile(arg),
      getStats: () => service.getStats(),
      startExport: (arg) => service.startExport(arg),
      cancelExport: (arg) => service.cancelExport(arg),
      listExports: (arg) => service.listExports(arg),
      chooseExportPath: async ({ suggestedName, format }) => join(cacheDir, `${suggestedName}.${format}`),
      chooseReportFile: async () => null,
      showInFolder: async () => {},
    };
    const recording = Object.fromEntries(
      METHOD_NAMES.map((method) => [
        method,
        (arg: unknown) => {
          reached.push(method);
          return (real[method] as (arg: unknown) => Promise<unknown>)(arg);
        },
      ]),
    ) as unknown as Implementations;
    handleContract(registrar, recording, (event) => isTrustedFrame(event.senderFrame, [APP_ORIGIN]));

    validArgs = {
      getAppInfo: undefined,
      listSources: undefined,
      saveSource: { ...profileInput, name: 'another' },
      testSource: { ref: source },
      removeSource: { profileId: source.profileId },
      listDatasets: { source },
      describeSql: { source, sql: 'SELECT id, amount FROM orders' },
      startRun: { source, dataset: 'orders' },
      cancelRun: { runId: run.runId },
      resumeRun: { runId: run.runId },
      deleteRun: { runId: run.runId },
      renameRun: { runId: run.runId, name: 'renamed by a stranger' },
      listRuns: undefined,
      getRun: { runId: run.runId },
      getRows: { runId: run.runId, start: 0, end: 10 },
      importRunFile: { path: run.file },
      getStats: undefined,
      startExport: { runId: run.runId, path: join(cacheDir, 'x.csv'), format: 'csv' },
      cancelExport: { exportId: 'e1' },
      listExports: {},
      chooseExportPath: { suggestedName: 'x', format: 'csv' },
      chooseReportFile: undefined,
      showInFolder: { path: cacheDir },
    };
  });

  afterAll(async () => {
    await service?.close();
    await db?.drop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('registers exactly one handler per contract method, on its channel', () => {
    expect([...registrar.listeners.keys()].sort()).toEqual(METHOD_NAMES.map(channelOf).sort());
  });

  it.each(METHOD_NAMES)('refuses %s from a foreign sender with no side effect', async (method) => {
    const before = { runs: await service.listRuns(), sources: await service.listSources() };
    reached.length = 0;
    for (const [, frame] of foreignFrames) {
      const result = await registrar.invoke(frame, method, validArgs[method]);
      expect(result).toMatchObject({ ok: false, error: { kind: 'PermissionDenied' } });
    }
    expect(reached).toEqual([]);
    expect(await service.listRuns()).toEqual(before.runs);
    expect(await service.listSources()).toEqual(before.sources);
  });

  it.each(METHOD_NAMES)('refuses an invalid argument to %s with InvalidArgument before the service sees it', async (method) => {
    reached.length = 0;
    for (const bad of [{ unexpected: true }, 'text', 42, [1, 2]]) {
      const result = await registrar.invoke(ourWindow, method, bad);
      expect(result, JSON.stringify(bad)).toMatchObject({ ok: false, error: { kind: 'InvalidArgument' } });
    }
    expect(reached).toEqual([]);
  });

  it('names the offending field in the message', async () => {
    const run = (await service.listRuns())[0];
    const result = await registrar.invoke(ourWindow, 'getRows', { runId: run?.runId, start: -1, end: 10 });
    expect(result).toMatchObject({ ok: false, error: { kind: 'InvalidArgument', message: expect.stringMatching(/start/) } });
    const tooMany = await registrar.invoke(ourWindow, 'getRows', { runId: run?.runId, start: 0, end: 10_001 });
    expect(tooMany).toMatchObject({ ok: false, error: { kind: 'InvalidArgument' } });
  });

  it('refuses a SQLite file named by the window, whatever the method: it could read any database on the machine', async () => {
    reached.length = 0;
    const sqlite = { type: 'sqlite', path: join(cacheDir, 'library.sqlite') };
    for (const [method, arg] of [
      ['listDatasets', { source: sqlite }],
      ['describeSql', { source: sqlite, sql: 'SELECT * FROM runs' }],
      ['startRun', { source: sqlite, dataset: 'runs' }],
      ['testSource', { ref: sqlite }],
    ] as const) {
      const result = await registrar.invoke(ourWindow, method, arg);
      expect(result, method).toMatchObject({ ok: false, error: { kind: 'InvalidArgument', message: expect.stringMatching(/cannot open a SQLite file by path/) } });
    }
    expect(reached).toEqual([]);
  });

  it('returns the service’s own value to our window', async () => {
    expect(await registrar.invoke(ourWindow, 'getAppInfo', undefined)).toEqual({ ok: true, value: await service.getAppInfo() });
    expect(await registrar.invoke(ourWindow, 'listRuns', null)).toEqual({ ok: true, value: await service.listRuns() });
    const run = (await service.listRuns())[0];
    if (!run) throw new Error('no run');
    const page = await registrar.invoke(ourWindow, 'getRows', { runId: run.runId, start: 0, end: 3 });
    expect(page).toEqual({ ok: true, value: await service.getRows({ runId: run.runId, start: 0, end: 3 }) });
    expect(page.ok && page.value).toMatchObject({ rows: [['1', 'order 1'], ['2', 'order 2'], ['3', 'order 3']], rowCount: 500, final: true });
  });

  it('returns a thrown ReportError as its kind, never as a rejection', async () => {
    const result = await registrar.invoke(ourWindow, 'getRun', { runId: 'no-such-run' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'NotFound', message: expect.stringContaining('no-such-run') } });
  });

  it('trusts only the top frame of our own origins', () => {
    expect(isTrustedFrame(ourWindow, [APP_ORIGIN])).toBe(true);
    expect(isTrustedFrame({ url: 'http://localhost:5173/', parent: null }, [APP_ORIGIN, 'http://localhost:5173'])).toBe(true);
    for (const [name, frame] of foreignFrames) expect(isTrustedFrame(frame, [APP_ORIGIN]), name).toBe(false);
    expect(isTrustedFrame({ url: 'not a url', parent: null }, [APP_ORIGIN])).toBe(false);
  });

  it('unregisters every handler', () => {
    const other = new Registrar();
    const stop = handleContract(other, {} as Implementations, () => true);
    expect(other.listeners.size).toBe(METHOD_NAMES.length);
    stop();
    expect(other.listeners.size).toBe(0);
  });
});
