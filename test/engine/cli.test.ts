import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportSummary } from '../../src-preload/contract.ts';
import { tempPathOf } from '../../src-main/engine/export/output-file.ts';
import { ownedByAnotherLiveProcess } from '../../src-main/engine/process-alive.ts';
import { lastJson, runCli, startCli } from '../support/cli.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { cachedRows, firstDifference, openTestService } from '../support/engine.ts';

describe('the reportstream CLI', () => {
  let db: TestDatabase;
  let cacheDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('cli');
    await db.sql(`
      CREATE TABLE readings (id bigint PRIMARY KEY, sensor text, value numeric(10,4), at timestamptz);
      INSERT INTO readings SELECT g, 'sensor-' || (g % 50), (g % 9973) / 7.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 millisecond'
        FROM generate_series(1, 150000) g;
      ANALYZE;
    `);
    cacheDir = mkdtempSync(join(tmpdir(), 'reportstream-cli-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('runs the built-in demo report and prints one JSON object last', async () => {
    const result = await runCli(['run', '--source', 'demo', '--dataset', 'orders', '--json', '--cache', cacheDir]);
    expect(result.code).toBe(0);
    const summary = lastJson(result);
    expect(summary).toMatchObject({ status: 'completed', rows: 250_000, totalRows: 250_000 });
    expect(Object.keys(summary)).toEqual(['runId', 'status', 'rows', 'totalRows', 'ms', 'firstChunkMs', 'peakRssMB']);
    const list = await runCli(['list', '--json', '--cache', cacheDir]);
    expect(JSON.parse(list.stdout).map((r: { runId: string }) => r.runId)).toContain(summary.runId);
  });

  it('exits 1 naming the error kind when the dataset is missing', async () => {
    const result = await runCli(['run', '--source', db.url, '--dataset', 'missing_table', '--cache', cacheDir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error \[NotFound\].*missing_table/);
  });

  it('exits 130 on Ctrl+C and keeps the partial run, which resumes to completion', async () => {
    const { child, done } = startCli(['run', '--source', db.url, '--dataset', 'readings', '--chunk', '200', '--json', '--cache', cacheDir]);
    await waitForRunningRun(cacheDir, 1000);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    const cancelled = lastJson(result);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.rows).toBeGreaterThan(0);
    const noPassword = await runCli(['resume', String(cancelled.runId), '--cache', cacheDir], { PGPASSWORD: '' });
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/error \[AuthFailed\].*pass the URL again with --source, or set PGPASSWORD/);
    const resumed = await runCli(['resume', String(cancelled.runId), '--json', '--cache', cacheDir], { PGPASSWORD: decodeURIComponent(new URL(db.url).password) });
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed)).toMatchObject({ status: 'completed', rows: 150_000 });
  });

  it('a second process opening the same cache leaves a live run alone', async () => {
    const { child, done } = startCli(['run', '--source', db.url, '--dataset', 'readings', '--chunk', '50', '--cache', cacheDir]);
    const runId = await waitForRunningRun(cacheDir, 500);
    const other = await openTestService({ cacheDir });
    try {
      expect((await other.service.getRun({ runId })).status).toBe('running');
      expect((await other.service.getAppInfo()).interruptedAtStart).not.toContain(runId);
    } finally {
      await other.close();
      child.kill('SIGINT');
      await done;
    }
  });

  it('a second process opening the same cache leaves a live export alone', async () => {
    const [readings] = JSON.parse((await runCli(['list', '--json', '--cache', cacheDir])).stdout).filter(
      (run: { name: string; status: string }) => run.name === 'readings' && run.status === 'completed',
    ) as { runId: string }[];
    if (!readings) throw new Error('the Ctrl+C test leaves a completed readings run');
    const out = join(cacheDir, 'readings.xlsx');
    const { child, done } = startCli(['export', readings.runId, '--out', out, '--json', '--cache', cacheDir]);
    const partial = await waitForRunningExport(cacheDir, 64 * 1024);
    const other = await openTestService({ cacheDir });
    try {
      const [seen] = await other.service.listExports({ runId: readings.runId });
      expect(seen).toMatchObject({ exportId: partial.exportId, status: 'running' });
      expect(existsSync(partial.tempPath), 'the unfinished file is still being written').toBe(true);
    } finally {
      await other.close();
    }
    const result = await done;
    expect(result.code, result.stderr).toBe(0);
    expect(lastJson(result)).toMatchObject({ exportId: partial.exportId, rowsWritten: 150_000 });
    expect(existsSync(out)).toBe(true);
    expect(child.exitCode).toBe(0);
  });

  it('a run whose owner fell silent long ago is interrupted even when its pid now names a live process (a reboot reused it)', async () => {
    const { child, done } = startCli(['run', '--source', db.url, '--dataset', 'readings', '--chunk', '100', '--cache', cacheDir]);
    const runId = await waitForRunningRun(cacheDir, 500);
    child.kill('SIGKILL');
    await done;
    // After a crash and a reboot: the library still says "running", and the pid it names is alive again (here: our parent).
    const library = new Database(join(cacheDir, 'library.sqlite'));
    library.prepare(`UPDATE runs SET owner_pid = ?, owner_seen_at = ? WHERE run_id = ?`).run(process.ppid, Date.now() - 10 * 60_000, runId);
    library.close();
    expect(ownedByAnotherLiveProcess(process.ppid, Date.now() - 10 * 60_000)).toBe(false);
    expect(ownedByAnotherLiveProcess(process.ppid, Date.now())).toBe(true);

    const next = await openTestService({ cacheDir });
    try {
      expect((await next.service.getRun({ runId })).status).toBe('interrupted');
      expect((await next.service.getAppInfo()).interruptedAtStart).toContain(runId);
    } finally {
      await next.close();
    }
  });

  it('a process killed mid-run leaves an interrupted run, its file intact, that resumes exactly', async () => {
    const { child, done } = startCli(['run', '--source', db.url, '--dataset', 'readings', '--chunk', '100', '--cache', cacheDir]);
    const runId = await waitForRunningRun(cacheDir, 2000);
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');

    const test = await openTestService({ cacheDir, env: { PGPASSWORD: decodeURIComponent(new URL(db.url).password) } });
    try {
      const run = await test.service.getRun({ runId });
      expect(run.status).toBe('interrupted');
      const kept = run.progress.rowsCached;
      expect(kept).toBeGreaterThanOrEqual(2000);
      const file = new Database(run.file, { readonly: true });
      expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(file.prepare('SELECT count(*) FROM rows').pluck().get()).toBe(kept);
      file.close();
      expect((await test.service.getAppInfo()).interruptedAtStart).toContain(runId);

      await test.service.resumeRun({ runId });
      const resumed = await test.service.waitForRun(runId);
      expect(resumed.status).toBe('completed');
      const expected = await db.textRows('SELECT * FROM readings ORDER BY id');
      expect(firstDifference(await cachedRows(test.service, runId), expected)).toBeNull();
    } finally {
      await test.close();
    }
  });
});

/** Polls the library (as another process would) until an export's unfinished file holds `bytes` bytes; returns its id and that file. */
async function waitForRunningExport(cacheDir: string, bytes: number): Promise<{ exportId: string; tempPath: string }> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const library = new Database(join(cacheDir, 'library.sqlite'), { readonly: true, fileMustExist: true });
      const record = library.prepare(`SELECT record FROM exports WHERE status = 'running'`).pluck().get() as string | undefined;
      library.close();
      const running = record === undefined ? undefined : (JSON.parse(record) as ExportSummary);
      const tempPath = running && tempPathOf(running.path, running.exportId);
      if (running && tempPath && existsSync(tempPath) && statSync(tempPath).size >= bytes) return { exportId: running.exportId, tempPath };
    } catch {
      // not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no export reached ${bytes} bytes`);
}

/** Polls the library (as another process would) until a run has cached `rows` rows; returns its id. */
async function waitForRunningRun(cacheDir: string, rows: number): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      const library = new Database(join(cacheDir, 'library.sqlite'), { readonly: true, fileMustExist: true });
      const running = library.prepare(`SELECT run_id, file FROM runs WHERE status = 'running'`).get() as { run_id: string; file: string } | undefined;
      library.close();
      if (running) {
        const file = new Database(running.file, { readonly: true, fileMustExist: true });
        const cached = file.prepare('SELECT rows_cached FROM state').pluck().get() as number;
        file.close();
        if (cached >= rows) return running.run_id;
      }
    } catch {
      // not created yet
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no run reached ${rows} rows`);
}
