// Garbage in: every bad name, statement, credential, address, URL, id and file
// gets its typed error and a message a person can act on; nothing is written to
// the database, nothing dropped, and odd but valid input (quoted and unicode
// names, huge values, a thousand columns, no rows at all) is cached exactly.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorKind, SourceRef } from '../../src-preload/contract.ts';
import { isReportError } from '../../src-main/engine/errors.ts';
import { profileFromUrl } from '../../src-main/engine/sources/registry.ts';
import { freePort } from '../support/postgres-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { sourceFor } from './support/direct-run.ts';
import { FaultProxy } from './support/fault-proxy.ts';
import { cachedRows, openService, type ServiceKit, sourceRows, tally } from './support/service-kit.ts';

async function expectReportError(work: Promise<unknown> | (() => unknown), kind: ErrorKind, message: RegExp): Promise<string> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (err) {
    if (!isReportError(err)) throw err;
    expect({ kind: err.kind, message: err.message }).toEqual({ kind, message: expect.stringMatching(message) });
    return err.message;
  }
  throw new Error(`expected a ${kind} error, but it succeeded`);
}

const ODD_NAME = 'odd "name"; DROP TABLE victims; --';
const UNICODE_NAME = 'données_€_日本';

describe('bad input', () => {
  let db: TestDatabase;
  let kit: ServiceKit;
  let source: SourceRef;
  /** What must never change: the victims, and the list of relations. */
  let untouched: () => Promise<unknown>;
  let before: unknown;

  beforeAll(async () => {
    db = await createTestDatabase('faults_bad');
    await db.sql(`CREATE TABLE victims (id serial PRIMARY KEY, name text NOT NULL)`);
    await db.sql(`INSERT INTO victims (name) VALUES ('a'), ('b'), ('c')`);
    await db.sql(`CREATE SEQUENCE tickets`);
    await db.sql(`CREATE FUNCTION sneaky() RETURNS integer LANGUAGE sql AS $$ INSERT INTO victims (name) VALUES ('sneaky') RETURNING 1 $$`);
    await db.sql(`CREATE TABLE orders AS SELECT g AS id, 'customer ' || g AS customer FROM generate_series(1, 50) g`);
    await db.sql(`ALTER TABLE orders ADD PRIMARY KEY (id)`);
    await db.sql(`CREATE TABLE "${ODD_NAME.replace(/"/g, '""')}" (id integer PRIMARY KEY, "we""ird col" text)`);
    await db.sql(`INSERT INTO "${ODD_NAME.replace(/"/g, '""')}" VALUES (1, 'x'), (2, NULL)`);
    await db.sql(`CREATE TABLE "${UNICODE_NAME}" (id integer PRIMARY KEY, "prénom" text)`);
    await db.sql(`INSERT INTO "${UNICODE_NAME}" VALUES (1, 'Zoë'), (2, '😀')`);
    await db.sql(`CREATE TABLE empty (id integer PRIMARY KEY, v text)`);
    await db.sql(`CREATE TABLE big_value (id integer PRIMARY KEY, body text, blob bytea)`);
    await db.sql(`INSERT INTO big_value VALUES (1, repeat('Zoë €😀 ', 400000), decode(repeat('00ff10', 1000000), 'hex')), (2, '', NULL)`);
    const columns = Array.from({ length: 999 }, (_, i) => `c${i + 1} text`).join(', ');
    await db.sql(`CREATE TABLE wide (id integer PRIMARY KEY, ${columns})`);
    const values = Array.from({ length: 999 }, (_, i) => (i % 7 === 0 ? 'NULL' : `'r' || g || 'c${i + 1}'`)).join(', ');
    await db.sql(`INSERT INTO wide SELECT g, ${values} FROM generate_series(1, 45) g`);
    untouched = async () => ({
      victims: (await db.sql(`SELECT id, name FROM victims ORDER BY id`)).rows,
      ticket: (await db.sql(`SELECT last_value, is_called FROM tickets`)).rows,
      relations: (await db.sql(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY relname`)).rows,
      orders: (await db.sql(`SELECT count(*) FROM orders`)).rows,
    });
    before = await untouched();
    kit = await openService({ chunkSize: 20 });
    source = await kit.source(db.url);
  });

  afterAll(async () => {
    expect(await untouched()).toEqual(before);
    tally.flush('bad-input');
    await kit.close();
    await db.drop();
  });

  async function runsNow(): Promise<number> {
    return (await kit.service.listRuns()).length;
  }

  it('dataset names with quotes, semicolons, unicode and "; DROP TABLE …" are names, never SQL', async () => {
    const runs = await runsNow();
    for (const name of ['"; DROP TABLE victims; --', 'orders"; DROP TABLE victims; --', 'orders; DROP TABLE victims', "o'rders", 'ordérs', 'public.orders; --', '']) {
      if (name === '') await expectReportError(kit.service.startRun({ source, dataset: name }), 'InvalidArgument', /./);
      else await expectReportError(kit.service.startRun({ source, dataset: name }), 'NotFound', /does not exist .*pick one from the dataset list/);
    }
    expect(await runsNow()).toBe(runs);
    expect(await untouched()).toEqual(before);

    // The same characters in names that do exist are read, quoted, exactly.
    for (const [name, sql] of [
      [ODD_NAME, `SELECT * FROM "${ODD_NAME.replace(/"/g, '""')}" ORDER BY id`],
      [UNICODE_NAME, `SELECT * FROM "${UNICODE_NAME}" ORDER BY id`],
    ] as const) {
      const run = await kit.service.startRun({ source, dataset: name });
      expect((await kit.service.waitForRun(run.runId)).status).toBe('completed');
      expect(await cachedRows(kit.service, run.runId)).toEqual(await sourceRows(db.url, sql));
      tally.rowsCompared += 2;
    }
  });

  it('column names and filter values that try to be SQL are refused or matched as plain values', async () => {
    await expectReportError(kit.service.startRun({ source, dataset: 'orders', sort: [{ column: 'id; DROP TABLE victims', direction: 'asc' }] }), 'InvalidArgument', /no column "id; DROP TABLE victims"/);
    await expectReportError(kit.service.startRun({ source, dataset: 'orders', columns: ['id" FROM victims; --'] }), 'InvalidArgument', /no column/);
    const run = await kit.service.startRun({ source, dataset: 'orders', filters: [{ column: 'customer', op: '=', value: "x'; DROP TABLE victims; --" }] });
    const done = await kit.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    expect(done.progress.rowsCached).toBe(0);
    expect(await untouched()).toEqual(before);
  });

  it('SQL with two statements is refused before it reaches the server', async () => {
    const runs = await runsNow();
    for (const sql of ['SELECT 1; SELECT 2', 'SELECT * FROM orders; DROP TABLE victims', 'SELECT 1 /* ; */ ; DELETE FROM victims', "SELECT ';' AS x; DELETE FROM victims"]) {
      await expectReportError(kit.service.startRun({ source, sql }), 'InvalidQuery', /runs one statement; this SQL has several/);
    }
    expect(await runsNow()).toBe(runs);
  });

  it('SQL that writes is refused with WriteNotAllowed, and nothing is written', async () => {
    const runs = await runsNow();
    for (const sql of [
      `INSERT INTO victims (name) VALUES ('x')`,
      `DELETE FROM victims`,
      `CREATE TABLE intruder (a int)`,
      `UPDATE victims SET name = 'x'`,
      `DROP TABLE victims`,
      `TRUNCATE victims`,
      `WITH gone AS (DELETE FROM victims RETURNING *) SELECT * FROM gone`,
      `  -- a comment first\n  insert INTO victims (name) VALUES ('x')`,
    ]) {
      await expectReportError(kit.service.startRun({ source, sql }), 'WriteNotAllowed', /^Reports only read data; .*(would change|changes) the database/);
    }
    await expectReportError(
      kit.service.startRun({ source, sql: `SET TRANSACTION READ WRITE; INSERT INTO victims (name) VALUES ('x')` }),
      'InvalidQuery',
      /runs one statement; this SQL has several/,
    );
    await expectReportError(kit.service.startRun({ source, sql: `SET TRANSACTION READ WRITE` }), 'WriteNotAllowed', /"SET" would change the database/);
    expect(await runsNow()).toBe(runs);
    expect(await untouched()).toEqual(before);
  });

  it('a SELECT that writes on the sly is stopped by the read-only transaction: the run fails typed, nothing is written', async () => {
    for (const [sql, kind, message] of [
      [`SELECT nextval('tickets') AS n`, 'WriteNotAllowed', /^Reports are read-only: cannot execute nextval\(\) in a read-only transaction/],
      [`SELECT sneaky() AS n`, 'WriteNotAllowed', /^Reports are read-only: cannot execute INSERT in a read-only transaction/],
      [`SELECT set_config('transaction_read_only', 'off', true) AS off, id FROM victims`, 'InvalidQuery', /^The database rejected the query: .*read-write/],
    ] as const) {
      const run = await kit.service.startRun({ source, sql });
      const done = await kit.service.waitForRun(run.runId);
      expect({ sql, status: done.status, kind: done.error?.kind, rows: done.progress.rowsCached }).toEqual({ sql, status: 'failed', kind, rows: 0 });
      expect(done.error?.message).toMatch(message);
    }
    // Row locks are refused while the report is checked, before any run exists.
    await expectReportError(kit.service.startRun({ source, sql: `SELECT id FROM victims FOR UPDATE` }), 'WriteNotAllowed', /^Reports are read-only: cannot execute SELECT FOR UPDATE in a read-only transaction/);
    expect(await untouched()).toEqual(before);
  });

  it('a missing table: NotFound, as a dataset and in SQL', async () => {
    await expectReportError(kit.service.startRun({ source, dataset: 'no_such_table' }), 'NotFound', /The dataset "no_such_table" does not exist/);
    await expectReportError(kit.service.startRun({ source, sql: 'SELECT * FROM no_such_table' }), 'NotFound', /relation "no_such_table" does not exist\. The dataset may have been renamed or removed/);
  });

  it('a role without SELECT: PermissionDenied, and the dataset list does not offer the table', async () => {
    await db.sql(`CREATE ROLE faults_nogrant LOGIN PASSWORD 'nogrant-pw'`);
    try {
      const denied = await kit.source(db.urlAs('faults_nogrant', 'nogrant-pw'));
      await expectReportError(kit.service.startRun({ source: denied, dataset: 'orders' }), 'PermissionDenied', /Your role may not read "orders"\. Ask the database owner to GRANT SELECT/);
      await expectReportError(kit.service.startRun({ source: denied, sql: 'SELECT * FROM orders' }), 'PermissionDenied', /permission denied for table orders\. Ask the database owner to GRANT SELECT/);
      expect((await kit.service.listDatasets({ source: denied })).map((d) => d.name)).not.toContain('orders');
    } finally {
      await db.sql(`DROP OWNED BY faults_nogrant`);
      await db.sql(`DROP ROLE faults_nogrant`);
    }
  });

  it('a wrong password: AuthFailed, and the password is not in the message', async () => {
    const wrong = await kit.source(db.urlAs('postgres', 'not-the-password-42'));
    const message = await expectReportError(kit.service.startRun({ source: wrong, dataset: 'orders' }), 'AuthFailed', /refused the login: password authentication failed for user "postgres"\. Check the user name and password/);
    expect(message).not.toContain('not-the-password-42');
    await expectReportError(kit.service.testSource({ ref: wrong }), 'AuthFailed', /password authentication failed/);
  });

  it('an unreachable host and port: Unreachable, whether refused, hung up on, or silent', async () => {
    const runs = await runsNow();
    const closedPort = await freePort();
    const refused = await kit.source(`postgres://postgres:password@127.0.0.1:${closedPort}/postgres`);
    await expectReportError(kit.service.startRun({ source: refused, dataset: 'orders' }), 'Unreachable', /cannot be reached \(ECONNREFUSED\)\. Check the host and port/);
    await expectReportError(kit.service.testSource({ ref: refused }), 'Unreachable', /ECONNREFUSED/);

    const target = new URL(db.url);
    const proxy = await FaultProxy.start({ host: target.hostname, port: Number(target.port) });
    try {
      proxy.refuse();
      const hungUp = await kit.source(proxy.urlFor(db.url));
      await expectReportError(kit.service.startRun({ source: hungUp, dataset: 'orders' }), 'Unreachable', /cannot be reached|closed the connection while connecting/);
      proxy.heal();
      proxy.blackhole({ newLinks: true });
      const silent = sourceFor(proxy.urlFor(db.url), 1_500);
      const startedAt = Date.now();
      await expectReportError(silent.test(), 'Unreachable', /did not answer in time while connecting/);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      tally.faults += proxy.faults;
    } finally {
      await proxy.close();
    }
    expect(await runsNow()).toBe(runs);
  });

  it('a malformed connection URL: InvalidArgument with the password masked, whatever it holds', async () => {
    await expectReportError(() => profileFromUrl('not a url'), 'InvalidArgument', /"not a url" is not a valid connection URL\. Use postgres:\/\/user:password@host:5432\/database/);
    await expectReportError(() => profileFromUrl('mysql://u@h/db'), 'InvalidArgument', /starts with postgres:\/\/, not mysql:\/\//);
    for (const [url, secret] of [
      ['postgres://u:zq9secret@127.0.0.1:99999/db', 'zq9secret'],
      ['postgres://u:zq8x@zq8y@127.0.0.1:99999/db', 'zq8x@zq8y'],
      ['postgres://u:zq7x:zq7y@127.0.0.1:99999/db', 'zq7x:zq7y'],
      ['postgres://u:zq6s3cr3t@[::1/db', 'zq6s3cr3t'],
    ] as const) {
      const message = await expectReportError(() => profileFromUrl(url), 'InvalidArgument', /is not a valid connection URL/);
      expect(message).toContain('u:***@');
      for (const piece of secret.split(/[@:]/)) expect(message).not.toContain(piece);
    }
  });

  it('a value of several megabytes is cached exactly', async () => {
    const run = await kit.service.startRun({ source, dataset: 'big_value' });
    expect((await kit.service.waitForRun(run.runId)).status).toBe('completed');
    const rows = await cachedRows(kit.service, run.runId);
    const expected = await sourceRows(db.url, 'SELECT id, body, blob FROM big_value ORDER BY id');
    expect(Buffer.byteLength(rows[0]?.[1] ?? '')).toBeGreaterThan(5_000_000);
    const digest = (cells: (string | null)[][]) => cells.map((row) => row.map((cell) => (cell === null ? null : createHash('sha256').update(cell).digest('hex'))));
    expect(digest(rows)).toEqual(digest(expected));
    tally.rowsCompared += rows.length;
  });

  it('a table with 1,000 columns is cached exactly', async () => {
    const run = await kit.service.startRun({ source, dataset: 'wide' });
    const done = await kit.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    expect(done.columns).toHaveLength(1000);
    expect(await cachedRows(kit.service, run.runId)).toEqual(await sourceRows(db.url, 'SELECT * FROM wide ORDER BY id'));
    tally.rowsCompared += 45;
  });

  it('an empty table, and a statement with no rows, complete with 0 rows at 100%', async () => {
    for (const definition of [{ dataset: 'empty' }, { sql: 'SELECT * FROM orders WHERE false', key: ['id'] }]) {
      const run = await kit.service.startRun({ source, ...definition });
      const done = await kit.service.waitForRun(run.runId);
      expect(done).toMatchObject({ status: 'completed', error: null, progress: { rowsCached: 0, totalRows: 0, totalIsExact: true } });
      expect(done.progress.percent === 100 || done.progress.percent === null).toBe(true);
      expect(await kit.service.getRows({ runId: run.runId, start: 0, end: 100 })).toEqual({ rows: [], rowCount: 0, final: true });
    }
  });

  it('a run id that does not exist: NotFound from every method that takes one', async () => {
    const runId = '00000000-0000-4000-8000-000000000000';
    const message = new RegExp(`no saved report with id ${runId}`);
    await expectReportError(kit.service.getRun({ runId }), 'NotFound', message);
    await expectReportError(kit.service.resumeRun({ runId }), 'NotFound', message);
    await expectReportError(kit.service.cancelRun({ runId }), 'NotFound', message);
    await expectReportError(kit.service.getRows({ runId, start: 0, end: 10 }), 'NotFound', message);
    await expectReportError(kit.service.renameRun({ runId, name: 'x' }), 'NotFound', message);
    await expectReportError(kit.service.deleteRun({ runId }), 'NotFound', message);
    await expectReportError(kit.service.startExport({ runId, path: join(kit.cacheDir, 'x.csv') }), 'NotFound', message);
    for (const weird of ['../library', "x'; DROP TABLE runs; --", '']) {
      await expectReportError(kit.service.getRun({ runId: weird }), 'NotFound', /no saved report with id/);
    }
  });

  it('a cache file that is not a database (or not a report) is refused with CacheCorrupt and left untouched', async () => {
    const runs = await runsNow();
    const filesBefore = readdirSync(join(kit.cacheDir, 'runs')).sort();
    const text = join(kit.cacheDir, 'notes.rsreport');
    writeFileSync(text, 'this is not a database\n'.repeat(200));
    const empty = join(kit.cacheDir, 'empty.rsreport');
    writeFileSync(empty, '');
    const otherDb = join(kit.cacheDir, 'other.sqlite');
    const other = new Database(otherDb);
    other.exec('CREATE TABLE something (a)');
    other.close();
    const real = (await kit.service.listRuns()).find((r) => r.status === 'completed');
    if (!real) throw new Error('no completed run to truncate');
    const truncated = join(kit.cacheDir, 'truncated.rsreport');
    writeFileSync(truncated, readFileSync(real.file).subarray(0, 3000));
    for (const path of [text, empty, otherDb, truncated, join(kit.cacheDir, 'missing.rsreport')]) {
      const bytes = (() => {
        try {
          return readFileSync(path);
        } catch {
          return null;
        }
      })();
      await expectReportError(kit.service.importRunFile({ path }), 'CacheCorrupt', /is not a ReportStream report file or is damaged/);
      expect(bytes === null ? null : Buffer.compare(readFileSync(path), bytes)).toBe(bytes === null ? null : 0);
    }
    expect(await runsNow()).toBe(runs);
    expect(readdirSync(join(kit.cacheDir, 'runs')).sort()).toEqual(filesBefore);
  });

  it('a report file damaged inside the cache: still listed, its pages and its export say CacheCorrupt naming it, other reports unharmed', async () => {
    const run = await kit.service.startRun({ source, dataset: 'wide' });
    expect((await kit.service.waitForRun(run.runId)).status).toBe('completed');
    // Scribble over every page after the first few, as a failing disk or a bad copy would.
    const bytes = readFileSync(run.file);
    for (let page = 4; page * 4096 < bytes.length; page++) bytes.fill(0xff, page * 4096, page * 4096 + 512);
    writeFileSync(run.file, bytes);

    expect((await kit.service.listRuns()).map((r) => r.runId)).toContain(run.runId);
    const damaged = new RegExp(`The report file ${run.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged .* Delete the report and run it again`);
    await expectReportError(kit.service.getRows({ runId: run.runId, start: 0, end: 45 }), 'CacheCorrupt', damaged);
    const out = join(kit.cacheDir, 'damaged.csv');
    const exported = await kit.service.startExport({ runId: run.runId, path: out }).then(
      (started) => kit.service.exports.waitFor(started.exportId),
      (err: unknown) => err,
    );
    const error = isReportError(exported) ? { kind: exported.kind, message: exported.message } : (exported as { error: unknown }).error;
    expect(error).toEqual({ kind: 'CacheCorrupt', message: expect.stringMatching(damaged) });
    expect(readdirSync(kit.cacheDir).filter((name) => name.includes('damaged.csv'))).toEqual([]);

    const healthy = (await kit.service.listRuns()).find((r) => r.status === 'completed' && r.runId !== run.runId && r.progress.rowsCached > 0);
    if (!healthy) throw new Error('no other completed run');
    expect((await kit.service.getRows({ runId: healthy.runId, start: 0, end: 5 })).rows.length).toBeGreaterThan(0);
    await kit.service.deleteRun({ runId: run.runId });
    expect((await kit.service.listRuns()).map((r) => r.runId)).not.toContain(run.runId);
  });

  it('a library that is not a database: the service refuses to open with CacheCorrupt and leaves the file as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rs-bad-library-'));
    try {
      const library = join(dir, 'library.sqlite');
      writeFileSync(library, 'a text file where the library should be\n'.repeat(100));
      const before = readFileSync(library);
      await expectReportError(openService({}, dir), 'CacheCorrupt', /library .* cannot be opened: file is not a database\. Move it aside to start a new one/);
      expect(Buffer.compare(readFileSync(library), before)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
