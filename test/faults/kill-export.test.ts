// SIGKILL the CLI in the middle of an export (CSV and Excel): no file ever
// appears under the target name, the cached report stays intact, the next
// start clears the unfinished file, and the export can be redone.
import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { integrityOf, spawnCli } from './support/cli-child.ts';
import { cachedRows, openService, sourceRows, tally, waitUntil } from './support/service-kit.ts';

const ROWS = 60_000;
const KILLS_PER_FORMAT = 3;

describe('SIGKILL during an export', () => {
  let db: TestDatabase;
  let cacheDir: string;
  let outDir: string;
  let runId: string;
  let runFile: string;
  let expected: (string | null)[][];
  const reference = new Map<'csv' | 'xlsx', Buffer>();
  let kills = 0;

  beforeAll(async () => {
    db = await createTestDatabase('faults_export');
    await db.sql(`CREATE TABLE sales AS
      SELECT g AS id, 'customer ' || (g % 101) AS customer, (g * 1.5)::numeric(12, 2) AS amount,
             timestamptz '2024-01-01 00:00:00.000001+00' + g * interval '1 minute' AS sold_at, CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END AS note
      FROM generate_series(1, ${ROWS}) g`);
    await db.sql(`ALTER TABLE sales ADD PRIMARY KEY (id)`);
    expected = await sourceRows(db.url, 'SELECT id, customer, amount, sold_at, note FROM sales ORDER BY id');
    cacheDir = mkdtempSync(join(tmpdir(), 'reportstream-export-kill-'));
    outDir = mkdtempSync(join(tmpdir(), 'reportstream-export-out-'));
    const kit = await openService({ chunkSize: 5000 }, cacheDir);
    try {
      const run = await kit.service.startRun({ source: await kit.source(db.url), dataset: 'sales' });
      const done = await kit.service.waitForRun(run.runId);
      expect(done.status).toBe('completed');
      runId = run.runId;
      runFile = done.file;
      // What an export that meets no fault writes, to compare the redone ones with.
      for (const format of ['csv', 'xlsx'] as const) {
        const path = join(outDir, `reference.${format}`);
        const started = await kit.service.startExport({ runId, path });
        expect((await kit.service.exports.waitFor(started.exportId)).status).toBe('completed');
        reference.set(format, readFileSync(path));
      }
    } finally {
      await kit.close();
    }
  });

  afterAll(async () => {
    tally.faults += kills;
    tally.flush('kill-export');
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
    await db.drop();
  });

  const partials = (target: string) => readdirSync(outDir).filter((name) => name.startsWith(`.${basename(target)}.`) && name.endsWith('.partial'));

  for (const format of ['csv', 'xlsx'] as const) {
    it(`${format}: killed ${KILLS_PER_FORMAT} times mid-export, no file under the target name, cache intact, then redone exactly`, async () => {
      const target = join(outDir, `report.${format}`);
      const full = reference.get(format)?.length ?? 0;
      expect(full).toBeGreaterThan(100_000);
      for (let kill = 1; kill <= KILLS_PER_FORMAT; kill++) {
        const child = spawnCli(['export', runId, '--out', target, '--cache', cacheDir, '--json']);
        // Kill once the unfinished file holds a random share of what the whole file will hold.
        const share = randomInt(2, 60) / 100;
        await waitUntil('the export under way', () => {
          const [partial] = partials(target);
          return partial !== undefined && (statSync(join(outDir, partial), { throwIfNoEntry: false })?.size ?? 0) >= full * share;
        }, 30_000, 2);
        child.child.kill('SIGKILL');
        expect((await child.exited).signal, child.output()).toBe('SIGKILL');
        kills++;
        expect(existsSync(target), `kill ${kill}: a file under the target name`).toBe(false);
        expect(integrityOf(runFile)).toBe('ok');
        expect(integrityOf(join(cacheDir, 'library.sqlite'))).toBe('ok');

        // The next start says what happened and clears the unfinished file; the report is untouched.
        const kit = await openService({}, cacheDir);
        try {
          expect(partials(target)).toEqual([]);
          const exports = await kit.service.listExports({ runId });
          expect(exports.filter((e) => e.status === 'running')).toEqual([]);
          expect(exports.some((e) => e.path === target && e.status === 'failed' && e.error?.kind === 'ExportFailed')).toBe(true);
          const run = await kit.service.getRun({ runId });
          expect(run.status).toBe('completed');
          if (kill === 1) {
            expect(await cachedRows(kit.service, runId)).toEqual(expected);
            tally.rowsCompared += ROWS;
          } else expect(run.progress.rowsCached).toBe(ROWS);
        } finally {
          await kit.close();
        }
      }

      const redo = spawnCli(['export', runId, '--out', target, '--cache', cacheDir, '--json']);
      const { code } = await redo.exited;
      expect(code, redo.output()).toBe(0);
      expect(JSON.parse(redo.stdout().trim().split('\n').at(-1) ?? '{}')).toMatchObject({ rowsWritten: ROWS, path: target });
      const written = readFileSync(target);
      if (format === 'csv') expect(written.equals(reference.get('csv') as Buffer)).toBe(true);
      else {
        // An xlsx zip carries its creation time; the same size and a zip signature will do.
        expect(written.subarray(0, 2).toString()).toBe('PK');
        expect(Math.abs(written.length - full)).toBeLessThan(64);
      }
      expect(partials(target)).toEqual([]);
    });
  }
});
