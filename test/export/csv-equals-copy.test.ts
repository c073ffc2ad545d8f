// A completed run's CSV is byte for byte what PostgreSQL's own
// COPY (query) TO STDOUT (FORMAT csv, HEADER) prints, when the guard is off.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceRef } from '../../src-preload/contract.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService, type TestService } from '../support/engine.ts';

/** COPY … TO STDOUT through the wire protocol's copy-out messages, as psql receives it. */
async function copyOut(url: string, sql: string): Promise<Buffer> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let failure: Error | null = null;
      const copy = {
        submit: (connection: { query: (text: string) => void }) => connection.query(sql),
        handleCopyData: (message: { chunk: Buffer }) => chunks.push(message.chunk),
        handleError: (err: Error) => (failure = err),
        handleReadyForQuery: () => (failure ? reject(failure) : resolve(Buffer.concat(chunks))),
        handleCommandComplete: () => {},
        handleRowDescription: () => {},
        handleDataRow: () => {},
        handleEmptyQuery: () => {},
      };
      client.query(copy as unknown as pg.Submittable);
    });
  } finally {
    await client.end();
  }
}

describe('CSV export equals COPY', () => {
  let db: TestDatabase;
  let test: TestService;
  let source: SourceRef;
  let outDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('csvcopy');
    await db.sql(`
      CREATE TABLE mixed (
        id int PRIMARY KEY, label text, amount numeric(30,10), big int8, flag boolean, day date,
        at timestamptz, local timestamp, doc json, docb jsonb, tags text[], nums int[], ratio float8, code varchar(20));
      INSERT INTO mixed VALUES
        (1, 'plain', 1.5, 9223372036854775807, true, '2024-02-29', '2024-05-17 13:45:09.123456+02', '2024-05-17 13:45:09.123456',
         '{"a": [1, 2], "b": "x,y"}', '{"b": "say \\"hi\\"", "a": 1}', ARRAY['a', 'b c', 'd,e', '"q"', NULL], ARRAY[1, 2, 3], 0.1, 'A-1'),
        (2, 'comma, inside', -12345678901234567890.1234567890, -9223372036854775808, false, '1899-12-31', 'infinity', '-infinity',
         '[]', 'null', '{}', '{}', 'Infinity', ''),
        (3, 'say "hello"', 0, 0, NULL, 'infinity', '-infinity', '0001-01-01 00:00:00 BC', '"a\\nb"', '{"k": "v\\u00e9"}',
         ARRAY[E'line\\nbreak'], NULL, '-0', NULL),
        (4, E'two\\nlines', NULL, NULL, true, '0044-03-15 BC', '1970-01-01 00:00:00.000001+00', '2000-01-01 00:00:00', NULL, NULL, NULL, NULL, 1e300, 'x'),
        (5, E'crlf\\r\\nline', 'NaN', 1, false, NULL, NULL, NULL, '{"html": "<b>bold</b>"}', '[1, "two", null]', ARRAY['é', '🚀'], ARRAY[-1], 'NaN', 'y'),
        (6, 'Zoë Ångström 王小明 Олег 🚀👍🏽', -0.0000000001, -5, true, '2024-01-01', '2024-01-01 00:00:00+00', '2024-01-01 23:59:59.999999', NULL, NULL, NULL, NULL, -1.5e-7, 'z'),
        (7, '', 123.4500000000, 42, false, '9999-12-31', '2024-07-01 12:00:00-07', '1900-03-01 00:00:00', NULL, NULL, NULL, NULL, 12345.678, '   '),
        (8, NULL, 99999999999999999999.9999999999, 2, NULL, '1900-03-01', '2024-07-01 12:00:00.5+05:30', NULL, NULL, NULL, NULL, NULL, 2.5, NULL),
        (9, '\\.', 1, 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '\\.'),
        (10, '=1+1', 2, 4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, E'tab\\there'),
        (11, ' padded ', 3, 5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'back\\slash'),
        (12, '"', 4, 6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ',');
      CREATE TABLE solo (v text PRIMARY KEY);
      INSERT INTO solo VALUES ('\\.'), ('a'), (''), ('"'), ('x,y'), ('\\.x');
      CREATE TABLE "Odd, ""names""" ("col, one" int PRIMARY KEY, "quote""d" text, "line
break" text);
      INSERT INTO "Odd, ""names""" VALUES (1, 'a', 'b');
    `);
    test = await openTestService();
    source = await test.postgres(db.url);
    outDir = mkdtempSync(join(tmpdir(), 'reportstream-csv-'));
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
    rmSync(outDir, { recursive: true, force: true });
  });

  async function exportCsv(dataset: string, file: string, options: { bom?: boolean; formulaGuard?: boolean } = {}): Promise<Buffer> {
    const run = await test.service.startRun({ source, dataset });
    const done = await test.service.waitForRun(run.runId);
    expect(done.status).toBe('completed');
    const path = join(outDir, file);
    const started = await test.service.startExport({ runId: run.runId, path, formulaGuard: false, ...options });
    const summary = await test.service.exports.waitFor(started.exportId);
    expect(summary).toMatchObject({ status: 'completed', format: 'csv', partial: false, error: null });
    expect(summary.rowsWritten).toBe(summary.rowsExpected);
    return readFileSync(path);
  }

  it('every type PostgreSQL prints (text with commas, quotes, newlines, unicode; NULL and empty; numeric, int8, dates, json, arrays) matches COPY byte for byte', async () => {
    const csv = await exportCsv('mixed', 'mixed.csv');
    const copy = await copyOut(db.url, 'COPY (SELECT * FROM mixed ORDER BY id) TO STDOUT (FORMAT csv, HEADER)');
    expect(csv.toString('utf8')).toBe(copy.toString('utf8'));
    expect(csv.equals(copy)).toBe(true);
    // Spot checks that the table really holds the hard cases.
    const text = csv.toString('utf8');
    expect(text).toContain('"comma, inside"');
    expect(text).toContain('"say ""hello"""');
    expect(text).toContain('9,\\.,1.0000000000,3');
    expect(text).toContain('12345678901234567890.1234567890');
    expect(text).toContain('🚀👍🏽');
    expect(text).toMatch(/\n7,"",/);
  });

  it('quotes \\. when it is the only column, as COPY does, and an empty string as ""', async () => {
    const csv = await exportCsv('solo', 'solo.csv');
    const copy = await copyOut(db.url, 'COPY (SELECT v FROM solo ORDER BY v) TO STDOUT (FORMAT csv, HEADER)');
    expect(csv.equals(copy)).toBe(true);
    expect(csv.toString('utf8')).toContain('\n"\\."\n');
  });

  it('quotes header names by the same rule as values', async () => {
    const datasets = await test.service.listDatasets({ source });
    const odd = datasets.find((d) => d.table.startsWith('Odd'));
    expect(odd).toBeDefined();
    const csv = await exportCsv(odd?.name ?? '', 'odd.csv');
    const copy = await copyOut(db.url, `COPY (SELECT * FROM "Odd, ""names""" ORDER BY 1) TO STDOUT (FORMAT csv, HEADER)`);
    expect(csv.equals(copy)).toBe(true);
    expect(csv.toString('utf8').split('\n')[0]).toContain('"col, one"');
  });

  it('with --bom starts with the UTF-8 byte order mark, then the same bytes', async () => {
    const csv = await exportCsv('mixed', 'mixed-bom.csv', { bom: true });
    const copy = await copyOut(db.url, 'COPY (SELECT * FROM mixed ORDER BY id) TO STDOUT (FORMAT csv, HEADER)');
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.subarray(3).equals(copy)).toBe(true);
  });
});
