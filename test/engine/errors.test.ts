import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportError, fromPostgresError } from '../../src-main/engine/errors.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService, type TestService } from '../support/engine.ts';
import { freePort } from '../support/postgres-server.ts';

describe('errors a person can act on', () => {
  let db: TestDatabase;
  let test: TestService;

  beforeAll(async () => {
    db = await createTestDatabase('errors');
    await db.sql(`
      CREATE TABLE orders (id int PRIMARY KEY, total numeric);
      INSERT INTO orders SELECT g, g FROM generate_series(1, 100) g;
      CREATE TABLE secrets (id int PRIMARY KEY, value text);
      CREATE TABLE x (id int PRIMARY KEY);
      DROP ROLE IF EXISTS rs_reader_${db.name};
      CREATE ROLE rs_reader_${db.name} LOGIN PASSWORD 'reader-pass';
      GRANT SELECT ON orders TO rs_reader_${db.name};
    `);
    test = await openTestService();
  });
  afterAll(async () => {
    await test.close();
    await db.drop();
    await db.sql(`DROP ROLE IF EXISTS rs_reader_${db.name}`).catch(() => {});
  });

  it('a missing dataset is NotFound, naming it', async () => {
    const source = await test.postgres(db.url);
    await expect(test.service.startRun({ source, dataset: 'no_such_table' })).rejects.toMatchObject({
      kind: 'NotFound',
      message: expect.stringContaining('"no_such_table"'),
    });
  });

  it('a dataset the role may not read is PermissionDenied, and it is not listed', async () => {
    const source = await test.postgres(db.urlAs(`rs_reader_${db.name}`, 'reader-pass'));
    const names = (await test.service.listDatasets({ source })).map((d) => d.name);
    expect(names).toEqual(['orders']);
    await expect(test.service.startRun({ source, dataset: 'secrets' })).rejects.toMatchObject({ kind: 'PermissionDenied', message: expect.stringMatching(/GRANT SELECT/) });
    const viaSql = await test.service.startRun({ source, sql: 'SELECT * FROM secrets' }).catch((err) => err);
    expect(viaSql).toMatchObject({ kind: 'PermissionDenied' });
  });

  it('a wrong password is AuthFailed; a closed port is Unreachable', async () => {
    const wrong = await test.postgres(db.urlAs(`rs_reader_${db.name}`, 'not-the-password'));
    await expect(test.service.listDatasets({ source: wrong })).rejects.toMatchObject({ kind: 'AuthFailed', message: expect.stringMatching(/password/) });
    const closed = await test.postgres(`postgres://postgres:password@127.0.0.1:${await freePort()}/postgres`);
    await expect(test.service.startRun({ source: closed, dataset: 'orders' })).rejects.toMatchObject({ kind: 'Unreachable', message: expect.stringMatching(/host and port/) });
  });

  it('describes a statement\'s columns without running it, with the same checks as a run', async () => {
    const source = await test.postgres(db.url);
    const columns = await test.service.describeSql({ source, sql: 'SELECT id, total * 2 AS doubled, now() AS at FROM orders' });
    expect(columns.map(({ name, type, kind }) => ({ name, type, kind }))).toEqual([
      { name: 'id', type: 'integer', kind: 'integer' },
      { name: 'doubled', type: 'numeric', kind: 'number' },
      { name: 'at', type: 'timestamp with time zone', kind: 'timestamp' },
    ]);
    await expect(test.service.describeSql({ source, sql: 'DELETE FROM orders' })).rejects.toMatchObject({ kind: 'WriteNotAllowed' });
    await expect(test.service.describeSql({ source, sql: 'SELECT 1; SELECT 2' })).rejects.toMatchObject({ kind: 'InvalidQuery' });
    await expect(test.service.describeSql({ source, sql: 'SELECT * FROM no_such_table' })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(test.service.describeSql({ source, sql: '  ' })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    const { rows } = await db.sql('SELECT count(*)::int AS n FROM orders');
    expect(rows[0].n).toBe(100);
  });

  it('a dataset name carrying SQL is refused and nothing is dropped', async () => {
    const source = await test.postgres(db.url);
    for (const name of ['orders"; DROP TABLE x; --', 'x; DROP TABLE x', "orders' OR '1'='1", 'public."x"']) {
      await expect(test.service.startRun({ source, dataset: name })).rejects.toMatchObject({ kind: 'NotFound' });
    }
    const { rows } = await db.sql(`SELECT to_regclass('public.x') IS NOT NULL AS present`);
    expect(rows[0].present).toBe(true);
  });

  it('SQL that writes or holds several statements is refused before it runs, and the read-only transaction backs it up', async () => {
    const source = await test.postgres(db.url);
    await expect(test.service.startRun({ source, sql: 'DELETE FROM orders' })).rejects.toMatchObject({ kind: 'WriteNotAllowed' });
    await expect(test.service.startRun({ source, sql: 'SELECT 1; DROP TABLE x' })).rejects.toMatchObject({ kind: 'InvalidQuery' });
    await expect(test.service.startRun({ source, sql: 'SET TRANSACTION READ WRITE; INSERT INTO x VALUES (1)' })).rejects.toMatchObject({ kind: 'InvalidQuery' });
    // A function that writes slips past the text check; the read-only transaction stops it.
    await db.sql(`CREATE FUNCTION sneaky() RETURNS int LANGUAGE sql AS 'INSERT INTO x VALUES (42) RETURNING id'`);
    const run = await test.service.startRun({ source, sql: 'SELECT sneaky() AS id', key: ['id'] }).catch((err) => err);
    const outcome = run instanceof ReportError ? run : await test.service.waitForRun(run.runId);
    expect(outcome instanceof ReportError ? outcome.kind : outcome.error?.kind).toBe('WriteNotAllowed');
    const { rows } = await db.sql('SELECT count(*)::int AS n FROM x');
    expect(rows[0].n).toBe(0);
    await expect(test.service.startRun({ source, sql: 'SELEC oops' })).rejects.toMatchObject({ kind: 'InvalidQuery' });
    await expect(test.service.startRun({ source, sql: 'SELECT nope FROM orders' })).rejects.toMatchObject({ kind: 'InvalidQuery', message: expect.stringMatching(/nope/) });
  });

  it('unknown runs and bad definitions are clear errors', async () => {
    await expect(test.service.getRun({ runId: 'no-such-run' })).rejects.toMatchObject({ kind: 'NotFound' });
    await expect(test.service.resumeRun({ runId: 'no-such-run' })).rejects.toMatchObject({ kind: 'NotFound' });
    const source = await test.postgres(db.url);
    await expect(test.service.startRun({ source })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(test.service.startRun({ source, dataset: 'orders', columns: ['nope'] })).rejects.toMatchObject({ kind: 'InvalidArgument', message: expect.stringMatching(/nope/) });
    await expect(test.service.startRun({ source, dataset: 'orders', chunkSize: 0 })).rejects.toMatchObject({ kind: 'InvalidArgument' });
  });

  it('maps SQLSTATE codes and socket errors to kinds', () => {
    const kind = (code: string, phase: 'connect' | 'run' = 'run') => fromPostgresError({ code, message: 'x' }, phase).kind;
    expect(kind('42P01')).toBe('NotFound');
    expect(kind('42501')).toBe('PermissionDenied');
    expect(kind('28P01', 'connect')).toBe('AuthFailed');
    expect(kind('ECONNREFUSED', 'connect')).toBe('Unreachable');
    expect(kind('ECONNRESET')).toBe('ConnectionLost');
    expect(kind('57P01')).toBe('ConnectionLost');
    expect(kind('57014')).toBe('Timeout');
    expect(kind('25006')).toBe('WriteNotAllowed');
    expect(kind('42601')).toBe('InvalidQuery');
  });
});
