// REPORTSTREAM_* variables set the engine's limits and patience in every host;
// a value that makes no sense is refused naming the variable, never ignored.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFromEnv } from '../../src-main/engine/settings.ts';
import { runCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService } from '../support/engine.ts';

describe('settings from the environment', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('settings');
    await db.sql(`CREATE TABLE slow (id int PRIMARY KEY); INSERT INTO slow SELECT generate_series(1, 2000); ANALYZE;`);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('reads each variable in its own unit, and leaves unset ones to the defaults', () => {
    expect(settingsFromEnv({})).toEqual({});
    expect(
      settingsFromEnv({
        REPORTSTREAM_MAX_RUNS: '2',
        REPORTSTREAM_CHUNK_ROWS: '5000',
        REPORTSTREAM_READ_TIMEOUT_SECONDS: '0',
        REPORTSTREAM_NO_PROGRESS_TIMEOUT_SECONDS: ' 600 ',
        REPORTSTREAM_RECONNECT_TRIES: '5',
      }),
    ).toEqual({ maxConcurrentRuns: 2, chunkSize: 5000, readTimeoutMs: 0, noProgressTimeoutMs: 600_000, reconnectTries: 5 });
    expect(settingsFromEnv({ REPORTSTREAM_MAX_RUNS: '' })).toEqual({});
  });

  it('refuses a value that makes no sense, naming the variable and its range', () => {
    for (const [name, value] of [
      ['REPORTSTREAM_MAX_RUNS', '0'],
      ['REPORTSTREAM_MAX_RUNS', 'five'],
      ['REPORTSTREAM_CHUNK_ROWS', '1.5'],
      ['REPORTSTREAM_READ_TIMEOUT_SECONDS', '-1'],
      ['REPORTSTREAM_RECONNECT_TRIES', '1e9'],
    ] as const) {
      expect(() => settingsFromEnv({ [name]: value }), `${name}=${value}`).toThrow(expect.objectContaining({ kind: 'InvalidArgument', message: expect.stringMatching(new RegExp(`^${name} must be a whole number from \\d+ to \\d+ .*not "${value.replace('.', '\\.')}"`)) }));
    }
  });

  it('a service opened with REPORTSTREAM_MAX_RUNS=1 refuses a second report at once; a setting given in code wins', async () => {
    const limited = await openTestService({ env: { ...process.env, REPORTSTREAM_MAX_RUNS: '1' } });
    try {
      const source = await limited.postgres(db.url);
      const slow = { source, sql: 'SELECT id FROM slow WHERE pg_sleep(0.002) IS NOT NULL', key: ['id'], chunkSize: 50 };
      const first = await limited.service.startRun(slow);
      await expect(limited.service.startRun(slow)).rejects.toMatchObject({ kind: 'TooManyRuns', message: expect.stringMatching(/limit: 1\)/) });
      await limited.service.cancelRun({ runId: first.runId });
    } finally {
      await limited.close();
    }
    const overridden = await openTestService({ env: { ...process.env, REPORTSTREAM_MAX_RUNS: '1' }, maxConcurrentRuns: 2 });
    try {
      const source = await overridden.postgres(db.url);
      const slow = { source, sql: 'SELECT id FROM slow WHERE pg_sleep(0.002) IS NOT NULL', key: ['id'], chunkSize: 50 };
      const runs = [await overridden.service.startRun(slow), await overridden.service.startRun(slow)];
      for (const run of runs) await overridden.service.cancelRun({ runId: run.runId });
    } finally {
      await overridden.close();
    }
  });

  it('the CLI stops at once on a bad value, saying which variable', async () => {
    const cacheDir = join(tmpdir(), `rs-settings-${process.pid}`);
    const result = await runCli(['list', '--cache', cacheDir], { REPORTSTREAM_RECONNECT_TRIES: 'lots' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error \[InvalidArgument\]: REPORTSTREAM_RECONNECT_TRIES must be a whole number from 0 to 20 .*not "lots"/);
    expect(existsSync(cacheDir), 'nothing is created before the settings are known good').toBe(false);
  });
});
