// A report file a colleague sent: opened in another cache, it is the same report
// (id, definition, status, every row), offline; opening it twice adds nothing, the
// sent file is never changed, and a bare copy taken mid-run arrives as interrupted.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { cachedRows, openTestService, type TestService, waitForRows } from '../support/engine.ts';

describe('opening a report file from someone else', () => {
  let db: TestDatabase;
  let sender: TestService;
  let inbox: string;

  beforeAll(async () => {
    db = await createTestDatabase('import');
    await db.sql(`
      CREATE TABLE invoices (id int PRIMARY KEY, customer text, total numeric(12,2), due date);
      INSERT INTO invoices SELECT g, 'customer ' || (g % 40), g * 1.25, date '2025-01-01' + g % 365 FROM generate_series(1, 5000) g;
      ANALYZE;
    `);
    sender = await openTestService();
    inbox = mkdtempSync(join(tmpdir(), 'rs-inbox-'));
  });
  afterAll(async () => {
    await sender.close();
    rmSync(inbox, { recursive: true, force: true });
    await db.drop();
  });

  it('opens a completed report in another cache with every row, offline, once', async () => {
    const source = await sender.postgres(db.url);
    const run = await sender.service.startRun({ source, dataset: 'invoices', name: 'Invoices for Sam' });
    const done = await sender.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    const rows = await cachedRows(sender.service, run.runId);
    const sent = join(inbox, 'invoices.rsreport');
    copyFileSync(run.file, sent);
    const bytes = readFileSync(sent);

    // The colleague's machine: its own cache, no saved connection, the database unreachable from there is fine.
    const receiver = await openTestService();
    try {
      const opened = await receiver.service.importRunFile({ path: sent });
      expect(opened).toMatchObject({ runId: run.runId, name: 'Invoices for Sam', status: 'completed', definition: { dataset: 'invoices' } });
      expect(opened.progress.rowsCached).toBe(5000);
      expect(opened.file).not.toBe(sent);
      expect(await cachedRows(receiver.service, run.runId)).toEqual(rows);
      const sorted = await receiver.service.getRows({ runId: run.runId, start: 0, end: 3, sort: [{ column: 'total', direction: 'desc' }] });
      expect(sorted.rows.map((row) => row[0])).toEqual(['5000', '4999', '4998']);

      const again = await receiver.service.importRunFile({ path: sent });
      expect(again.runId).toBe(run.runId);
      expect((await receiver.service.listRuns()).filter((r) => r.runId === run.runId)).toHaveLength(1);
      expect(Buffer.compare(readFileSync(sent), bytes)).toBe(0);

      const out = join(inbox, 'from-the-copy.csv');
      const exported = await receiver.service.startExport({ runId: run.runId, path: out });
      expect(await receiver.service.exports.waitFor(exported.exportId)).toMatchObject({ status: 'completed', rowsWritten: 5000 });
    } finally {
      await receiver.close();
    }
  });

  it('a bare copy of a finished report taken while the app still shows it holds every row', async () => {
    const source = await sender.postgres(db.url);
    const run = await sender.service.startRun({ source, dataset: 'invoices', chunkSize: 500 });
    // The grid reads while the run writes: its connection stays open after the run ends.
    await waitForRows(sender, run.runId, 500);
    await sender.service.getRows({ runId: run.runId, start: 0, end: 100 });
    expect((await sender.service.waitForRun(run.runId)).status).toBe('completed');
    await sender.service.getRows({ runId: run.runId, start: 0, end: 100, sort: [{ column: 'total', direction: 'desc' }] });
    const sent = join(inbox, 'shown.rsreport');
    copyFileSync(run.file, sent);

    const receiver = await openTestService();
    try {
      const opened = await receiver.service.importRunFile({ path: sent });
      expect(opened).toMatchObject({ status: 'completed', progress: { rowsCached: 5000 } });
      expect(await cachedRows(receiver.service, run.runId)).toEqual(await cachedRows(sender.service, run.runId));
    } finally {
      await receiver.close();
    }
  });

  it('a bare copy of a file taken while the report was still running opens as interrupted, its rows consistent', async () => {
    const source = await sender.postgres(db.url);
    const run = await sender.service.startRun({ source, sql: 'SELECT id, customer FROM invoices WHERE pg_sleep(0.0005) IS NOT NULL', key: ['id'], chunkSize: 100 });
    await waitForRows(sender, run.runId, 300);
    // Only the main file, as a person copying it from a folder would take it; the newest chunks are still in its WAL.
    const sent = join(inbox, 'half.rsreport');
    copyFileSync(run.file, sent);
    await sender.service.cancelRun({ runId: run.runId });

    const receiver = await openTestService();
    try {
      const opened = await receiver.service.importRunFile({ path: sent });
      expect(opened).toMatchObject({ runId: run.runId, status: 'interrupted', resumable: true });
      const rows = await cachedRows(receiver.service, run.runId);
      expect(rows.length).toBe(opened.progress.rowsCached);
      expect(rows.map((row) => Number(row[0]))).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    } finally {
      await receiver.close();
    }
  });
});
