// CSV formatted by worker threads: the same bytes as the export's own thread,
// the rows of the export's snapshot even when the run file changes under it,
// and the threads stand down when their snapshot is not the export's.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RunFileWriter } from '../../src-main/engine/cache/run-file.ts';
import { CachedRows } from '../../src-main/engine/export/cached-rows.ts';
import { CsvThreads } from '../../src-main/engine/export/csv-threads.ts';
import { csvLines } from '../../src-main/engine/export/csv-writer.ts';
import { ExportJob, type JobSettings } from '../../src-main/engine/export/export-job.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService, type TestService } from '../support/engine.ts';

// Five pages of 10,000 for the workers, the last one short.
const ROWS = 45_000;
const LIMITS = { rows: 2_000, chars: 1_000_000 };

describe('CSV worker threads', () => {
  let db: TestDatabase;
  let test: TestService;
  let runId: string;
  let runFile: string;
  let outDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('csvthreads');
    await db.sql(`
      CREATE TABLE mixed AS
      SELECT g AS id,
             (ARRAY['plain', 'comma, inside', 'say "hi"', E'two\\nlines', '', NULL, '=SUM(A1)', '-x', 'Zoë ☂ 李雷'])[1 + g % 9] AS label,
             (g % 7 - 3)::numeric(6, 2) AS amount,
             CASE WHEN g % 11 = 0 THEN '-Infinity'::float8 ELSE g / 3.0 END AS ratio
      FROM generate_series(1, ${ROWS}) g;
      ALTER TABLE mixed ADD PRIMARY KEY (id);
    `);
    test = await openTestService();
    const run = await test.service.startRun({ source: await test.postgres(db.url), dataset: 'mixed' });
    const done = await test.service.waitForRun(run.runId);
    expect(done).toMatchObject({ status: 'completed', progress: { rowsCached: ROWS } });
    runId = done.runId;
    runFile = done.file;
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  beforeEach(() => {
    outDir = mkdtempSync(join(tmpdir(), 'reportstream-csv-threads-'));
    return () => rmSync(outDir, { recursive: true, force: true });
  });

  async function exportCsv(file: string, csvWorkers: number, formulaGuard = true): Promise<Buffer> {
    const path = join(outDir, file);
    const started = await test.service.exports.start({ runId, path, formulaGuard }, { csvWorkers });
    expect(await test.service.exports.waitFor(started.exportId)).toMatchObject({ status: 'completed', rowsWritten: ROWS });
    return readFileSync(path);
  }

  it('start from TypeScript source, see the export snapshot, and send its pages in order', async () => {
    const rows = CachedRows.open(runFile);
    try {
      const format = { kinds: rows.columns.map((column) => column.kind), formulaGuard: true };
      const threads = await CsvThreads.start({ path: runFile, state: rows.state, format, limits: LIMITS, workers: 2 });
      expect(threads).not.toBeNull();
      let text = '';
      let counted = 0;
      try {
        for (let lines = await threads?.next(); lines; lines = await threads?.next()) {
          text += Buffer.from(lines.bytes).toString("utf8");
          counted += lines.rows;
        }
      } finally {
        await threads?.close();
      }
      let expected = '';
      for (const batch of rows.batches(LIMITS)) expected += csvLines(batch, format);
      expect(counted).toBe(ROWS);
      expect(text).toBe(expected);
    } finally {
      rows.close();
    }
  });

  it("write the same bytes as the export's own thread, with the formula guard and without", async () => {
    for (const guard of [true, false]) {
      const single = await exportCsv(`single-${guard}.csv`, 0, guard);
      const threaded = await exportCsv(`threaded-${guard}.csv`, 2, guard);
      expect(threaded.equals(single)).toBe(true);
      expect(single.toString('utf8').split('\n')).toHaveLength(ROWS + 2 + ROWS / 9); // one label in nine holds a newline
    }
  });

  it('a run file that starts over after the export began changes nothing: the threads stand down and the file holds the snapshot', async () => {
    const before = await exportCsv('before.csv', 0);
    const rows = CachedRows.open(runFile);
    // What a report without a key does when it is resumed: drop every row and read again, other rows this time.
    const writer = RunFileWriter.open(runFile);
    try {
      writer.clearRows();
      writer.appendChunk(Array.from({ length: ROWS }, (_, i) => [String(i), 'changed', '0', '0']), null, 1);
    } finally {
      writer.close();
    }
    const format = { kinds: rows.columns.map((column) => column.kind), formulaGuard: true };
    expect(await CsvThreads.start({ path: runFile, state: rows.state, format, limits: LIMITS, workers: 2 })).toBeNull();

    const path = join(outDir, 'after.csv');
    const settings: JobSettings = { format: 'csv', bom: false, formulaGuard: true, rowsPerSheet: 1, batchRows: 2_000, batchChars: 1_000_000, csvWorkers: 2 };
    const job = new ExportJob(randomUUID(), runId, path, rows, settings, { onProgress: () => {}, onStatus: () => {} }, []);
    await job.run();
    expect(await job.done).toMatchObject({ status: 'completed', rowsWritten: ROWS });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
