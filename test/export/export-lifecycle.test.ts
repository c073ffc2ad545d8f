// An export's life: progress events, cancel, failure and partial runs. Only a
// completed export leaves a file under the target name; every export is
// recorded in the library with its counts.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppEvent, ExportFormat, ExportProgress, SourceRef } from '../../src-preload/contract.ts';
import { ReportService } from '../../src-main/engine/service.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService, type TestService } from '../support/engine.ts';

const BIG_ROWS = 60_000;

describe('export lifecycle', () => {
  let db: TestDatabase;
  let test: TestService;
  let source: SourceRef;
  let bigRunId: string;
  let outDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('exportlife');
    await db.sql(`
      CREATE TABLE big (id int PRIMARY KEY, label text, amount numeric(10,2), at timestamptz);
      INSERT INTO big SELECT g, 'label ' || g, g / 100.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'
        FROM generate_series(1, ${BIG_ROWS}) g;
    `);
    test = await openTestService();
    source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'big' });
    bigRunId = (await test.service.waitForRun(run.runId)).runId;
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  beforeEach(() => {
    outDir = mkdtempSync(join(tmpdir(), 'reportstream-export-'));
    return () => rmSync(outDir, { recursive: true, force: true });
  });

  /** Calls `then` at the first progress event of an export of `runId`. */
  function atFirstProgress(runId: string, then: (exportId: string) => void): void {
    const unsubscribe = test.service.onEvent((event) => {
      if (event.kind === 'export-progress' && event.runId === runId) {
        unsubscribe();
        then(event.exportId);
      }
    });
  }

  const eventsOf = (exportId: string): AppEvent[] =>
    test.events.filter((event) => (event.kind === 'export-progress' || event.kind === 'export-status') && event.exportId === exportId);

  it('reports progress at most ten times a second, then the final counts, and records the export', async () => {
    const path = join(outDir, 'big.csv');
    const started = await test.service.startExport({ runId: bigRunId, path });
    expect(started).toMatchObject({ status: 'running', rowsExpected: BIG_ROWS, rowsWritten: 0, format: 'csv', partial: false });
    const began = Date.now();
    const summary = await test.service.exports.waitFor(started.exportId);
    const elapsed = Date.now() - began;
    expect(summary).toMatchObject({ status: 'completed', rowsExpected: BIG_ROWS, rowsWritten: BIG_ROWS, sheets: 0, warnings: [], error: null });
    expect(summary.progress).toMatchObject({ rowsWritten: BIG_ROWS, percent: 100, etaSeconds: 0 });
    expect(summary.ms).toBeGreaterThanOrEqual(0);
    expect(summary.peakRssMB).toBeGreaterThan(0);
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(BIG_ROWS + 2);

    const events = eventsOf(started.exportId);
    expect(events.filter((e) => e.kind === 'export-status').map((e) => (e.kind === 'export-status' ? e.status : null))).toEqual(['running', 'completed']);
    const progress = events.flatMap((e) => (e.kind === 'export-progress' ? [e.progress] : [])) as ExportProgress[];
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    for (let i = 1; i < progress.length; i++) expect(progress[i]?.rowsWritten).toBeGreaterThanOrEqual(progress[i - 1]?.rowsWritten ?? 0);
    expect(progress.every((p) => p.percent >= 0 && p.percent <= 100 && p.rowsExpected === BIG_ROWS)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ rowsWritten: BIG_ROWS, percent: 100 });

    const recorded = await test.service.listExports({ runId: bigRunId });
    expect(recorded.find((e) => e.exportId === started.exportId)).toEqual(summary);
  });

  for (const format of ['csv', 'xlsx'] as ExportFormat[]) {
    it(`cancel (${format}) removes the unfinished file and keeps an existing file of that name untouched`, async () => {
      const path = join(outDir, `report.${format}`);
      writeFileSync(path, 'the previous export');
      atFirstProgress(bigRunId, (exportId) => void test.service.cancelExport({ exportId }));
      const started = await test.service.exports.start({ runId: bigRunId, path }, { batchRows: 500 });
      const summary = await test.service.exports.waitFor(started.exportId);
      expect(summary.status).toBe('cancelled');
      expect(summary.rowsWritten).toBeGreaterThan(0);
      expect(summary.rowsWritten).toBeLessThan(BIG_ROWS);
      expect(readFileSync(path, 'utf8')).toBe('the previous export');
      expect(readdirSync(outDir)).toEqual([`report.${format}`]);
      expect((await test.service.listExports({ runId: bigRunId })).find((e) => e.exportId === started.exportId)?.status).toBe('cancelled');
      // Cancelling an export that has ended returns it as it is.
      expect((await test.service.cancelExport({ exportId: started.exportId })).status).toBe('cancelled');
    });
  }

  it('a folder that does not exist fails the export with a clear message and leaves no file', async () => {
    const path = join(outDir, 'missing', 'report.csv');
    const started = await test.service.startExport({ runId: bigRunId, path });
    const summary = await test.service.exports.waitFor(started.exportId);
    expect(summary.status).toBe('failed');
    expect(summary.error?.kind).toBe('ExportFailed');
    expect(summary.error?.message).toMatch(/folder .*missing does not exist/);
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(outDir)).toEqual([]);
    expect((await test.service.listExports({ runId: bigRunId })).find((e) => e.exportId === started.exportId)?.status).toBe('failed');
  });

  it('a failure after every row was written (the name became a folder) leaves no file under the target name', async () => {
    const path = join(outDir, 'late.xlsx');
    atFirstProgress(bigRunId, () => {
      mkdirSync(path);
      writeFileSync(join(path, 'keep.txt'), 'someone else put a folder here');
    });
    const started = await test.service.exports.start({ runId: bigRunId, path }, { batchRows: 5_000 });
    const summary = await test.service.exports.waitFor(started.exportId);
    expect(summary.status).toBe('failed');
    expect(summary.error?.kind).toBe('ExportFailed');
    expect(statSync(path).isDirectory()).toBe(true);
    expect(readdirSync(outDir)).toEqual(['late.xlsx']);
    expect(readdirSync(path)).toEqual(['keep.txt']);
  });

  it('refuses a file name that does not say its format, and an unknown run', async () => {
    await expect(test.service.startExport({ runId: bigRunId, path: join(outDir, 'report.txt') })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(test.service.startExport({ runId: bigRunId, path: join(outDir, 'report.csv'), format: 'xlsx' })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(test.service.startExport({ runId: 'no-such-run', path: join(outDir, 'report.csv') })).rejects.toMatchObject({ kind: 'NotFound' });
  });

  it('a run still going exports the rows cached when the export began; once cancelled, the same rows, labelled partial', async () => {
    // Rows after 2,000 sleep on the server, so the run holds exactly 2,000 rows while it runs.
    const run = await test.service.startRun({
      source,
      name: 'slow report',
      sql: `SELECT g AS id, 'row ' || g AS label, pg_sleep(CASE WHEN g > 2000 THEN 30 ELSE 0 END) AS pause FROM generate_series(1, 5000) g`,
      chunkSize: 500,
    });
    // Progress events are throttled, so the last chunk before the pause may not have one: ask the run.
    while ((await test.service.getRun({ runId: run.runId })).progress.rowsCached < 2000) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 200));
    expect((await test.service.getRun({ runId: run.runId })).status).toBe('running');

    const whileRunning = await test.service.startExport({ runId: run.runId, path: join(outDir, 'running.csv') });
    const running = await test.service.exports.waitFor(whileRunning.exportId);
    expect(running).toMatchObject({ status: 'completed', partial: true, rowsExpected: 2000, rowsWritten: 2000 });
    expect(running.warnings.join(' ')).toMatch(/still running.*2,000 rows cached when the export started/);

    expect((await test.service.cancelRun({ runId: run.runId })).status).toBe('cancelled');
    const path = join(outDir, 'cancelled.xlsx');
    const afterCancel = await test.service.startExport({ runId: run.runId, path });
    const partial = await test.service.exports.waitFor(afterCancel.exportId);
    expect(partial).toMatchObject({ status: 'completed', partial: true, rowsExpected: 2000, rowsWritten: 2000, sheets: 1 });
    expect(partial.warnings.join(' ')).toMatch(/cancelled before it finished.*2,000 rows cached, not the whole report/);

    const lines = readFileSync(join(outDir, 'running.csv'), 'utf8').split('\n');
    expect(lines[0]).toBe('id,label,pause');
    expect(lines.slice(1, -1).map((line) => Number(line.split(',')[0]))).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
  });

  it('an export the process died in is marked failed at the next start, and its unfinished file removed', async () => {
    const path = join(outDir, 'crash.csv');
    // A second process exports the big run and is killed in the middle of it.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', `
        const { ReportService } = await import(${JSON.stringify(new URL('../../src-main/engine/service.ts', import.meta.url).pathname)});
        const service = await ReportService.open({ cacheDir: ${JSON.stringify(test.cacheDir)} });
        service.onEvent((event) => { if (event.kind === 'export-progress') process.kill(process.pid, 'SIGKILL'); });
        await service.exports.start({ runId: ${JSON.stringify(bigRunId)}, path: ${JSON.stringify(path)} }, { batchRows: 100 });
        setTimeout(() => {}, 60_000);`],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const signal = await new Promise((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    const left = readdirSync(outDir);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^\.crash\.csv\..*\.partial$/);

    const restarted = await ReportService.open({ cacheDir: test.cacheDir });
    try {
      const crashed = (await restarted.listExports({ runId: bigRunId })).find((e) => e.path === path);
      expect(crashed).toMatchObject({ status: 'failed', error: { kind: 'ExportFailed' } });
      expect(crashed?.error?.message).toMatch(/app stopped during this export/);
      expect(readdirSync(outDir)).toEqual([]);
    } finally {
      await restarted.close();
    }
  });

  it('deleting a run cancels its exports first', async () => {
    const run = await test.service.startRun({ source, dataset: 'big' });
    await test.service.waitForRun(run.runId);
    const path = join(outDir, 'deleted.csv');
    atFirstProgress(run.runId, () => void test.service.deleteRun({ runId: run.runId }));
    const started = await test.service.exports.start({ runId: run.runId, path }, { batchRows: 500 });
    const summary = await test.service.exports.waitFor(started.exportId);
    expect(summary.status).toBe('cancelled');
    expect(readdirSync(outDir)).toEqual([]);
  });
});
