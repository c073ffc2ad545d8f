// Excel export read back with exceljs: the header, row counts, typed cells
// where exact and text otherwise, text never a formula, sheets split with the
// header repeated, long text cut and counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportSummary, SourceRef } from '../../src-preload/contract.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService, type TestService } from '../support/engine.ts';

const LONG_TEXT = 'x'.repeat(40_000);

describe('Excel export', () => {
  let db: TestDatabase;
  let test: TestService;
  let source: SourceRef;
  let outDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('xlsx');
    // A zone with a half-hour offset: PostgreSQL prints timestamptz in it, the export must convert to UTC.
    await db.sql(`ALTER DATABASE ${db.name} SET timezone = 'Asia/Kolkata'`);
    await db.sql(`
      CREATE TABLE orders (
        id int PRIMARY KEY, customer text, amount numeric(12,2), precise numeric(30,10), big int8, ratio float8,
        paid boolean, day date, at timestamptz, local timestamp, note text, doc jsonb, tags text[]);
      INSERT INTO orders VALUES
        (1, 'Ada', 1.50, 1.5, 42, 0.1, true, '2024-02-29', '2024-05-17 13:45:09.123456+00', '2024-05-17 13:45:09.5',
         '<b>bold</b>', '{"a": 1}', ARRAY['x', 'y']),
        (2, 'Zoë 🚀', -5.00, 12345678901234567890.1234567890, 9223372036854775807, 'NaN', false, '1899-12-31', 'infinity', '1900-03-01 00:00:00',
         '<script>alert(1)</script>', NULL, NULL),
        (3, NULL, NULL, NULL, -9223372036854775808, -1.5e-7, NULL, 'infinity', '2000-01-01 00:00:00+00', NULL, '=HYPERLINK("http://evil.example")', NULL, NULL),
        (4, '', 0.00, 0, -5, 1e300, true, '9999-12-31', '1970-01-01 05:30:00+05:30', '2024-01-01 23:59:59.999', '${LONG_TEXT}', NULL, NULL),
        (5, E'ctl\\x01char', 1234567.89, 9007199254740993, 9007199254740992, 12345.678, false, NULL, NULL, NULL, E'two\\nlines', NULL, NULL);
      CREATE TABLE many (id int PRIMARY KEY, label text);
      INSERT INTO many SELECT g, 'row ' || g FROM generate_series(1, 25) g;
    `);
    test = await openTestService();
    source = await test.postgres(db.url);
    outDir = mkdtempSync(join(tmpdir(), 'reportstream-xlsx-'));
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
    rmSync(outDir, { recursive: true, force: true });
  });

  async function exportXlsx(dataset: string, file: string, rowsPerSheet?: number, name?: string): Promise<{ summary: ExportSummary; book: ExcelJS.Workbook }> {
    const run = await test.service.startRun({ source, dataset, ...(name ? { name } : {}) });
    expect((await test.service.waitForRun(run.runId)).status).toBe('completed');
    const path = join(outDir, file);
    const started = await test.service.exports.start({ runId: run.runId, path }, rowsPerSheet ? { rowsPerSheet } : {});
    const summary = await test.service.exports.waitFor(started.exportId);
    expect(summary).toMatchObject({ status: 'completed', format: 'xlsx', error: null });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path);
    return { summary, book };
  }

  const valuesOf = (sheet: ExcelJS.Worksheet, row: number): unknown[] => (sheet.getRow(row).values as unknown[]).slice(1);

  it('writes the header, every row, and typed cells only where exact', async () => {
    const { summary, book } = await exportXlsx('orders', 'orders.xlsx');
    expect(summary).toMatchObject({ rowsExpected: 5, rowsWritten: 5, sheets: 1, partial: false });
    expect(book.worksheets).toHaveLength(1);
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.name).toBe('orders');
    expect(sheet.rowCount).toBe(6);
    expect(valuesOf(sheet, 1)).toEqual(['id', 'customer', 'amount', 'precise', 'big', 'ratio', 'paid', 'day', 'at', 'local', 'note', 'doc', 'tags']);
    expect(sheet.getRow(1).font?.bold).toBe(true);

    const [r1, r2, r3, r4, r5] = [2, 3, 4, 5, 6].map((n) => valuesOf(sheet, n));
    // Numbers: exact decimals are numbers; what a double cannot hold stays text, digit for digit.
    expect(r1?.slice(0, 6)).toEqual([1, 'Ada', 1.5, 1.5, 42, 0.1]);
    expect(r2?.slice(2, 6)).toEqual([-5, '12345678901234567890.1234567890', '9223372036854775807', 'NaN']);
    expect(r3?.[4]).toBe('-9223372036854775808');
    expect(r3?.[5]).toBe(-1.5e-7);
    expect(r4?.slice(2, 6)).toEqual([0, 0, -5, 1e300]);
    expect(r5?.slice(2, 5)).toEqual([1234567.89, '9007199254740993.0000000000', 9007199254740992]);
    // Booleans.
    expect([r1?.[6], r2?.[6], r4?.[6], r5?.[6]]).toEqual([true, false, true, false]);
    // Dates and timestamps: Excel dates; timestamptz in UTC; what Excel's calendar lacks stays text.
    expect(r1?.[7]).toEqual(new Date('2024-02-29T00:00:00Z'));
    expect(r2?.[7]).toBe('1899-12-31');
    expect(r3?.[7]).toBe('infinity');
    expect(r4?.[7]).toEqual(new Date('9999-12-31T00:00:00Z'));
    expect(r1?.[8]).toEqual(new Date('2024-05-17T13:45:09.123Z'));
    expect(r2?.[8]).toBe('infinity');
    expect(r3?.[8]).toEqual(new Date('2000-01-01T00:00:00Z'));
    expect(r4?.[8]).toEqual(new Date('1970-01-01T00:00:00Z'));
    expect(r1?.[9]).toEqual(new Date('2024-05-17T13:45:09.500Z'));
    expect(r2?.[9]).toEqual(new Date('1900-03-01T00:00:00Z'));
    expect(r4?.[9]).toEqual(new Date('2024-01-01T23:59:59.999Z'));
    expect(sheet.getColumn(9).numFmt).toContain('UTC');
    expect(sheet.getColumn(8).numFmt).toBe('yyyy-mm-dd');
    // Text, JSON and arrays as PostgreSQL prints them; NULL is an empty cell.
    expect(r1?.slice(10)).toEqual(['<b>bold</b>', '{"a": 1}', '{x,y}']);
    expect(r3?.[1]).toBeUndefined();
    expect(r5?.[10]).toBe('two\nlines');

    expect(summary.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/1 cell was longer than Excel's limit of 32,767 characters/),
        expect.stringMatching(/1 cell held control characters/),
        expect.stringMatching(/Column "big": 2 values are kept as text/),
        expect.stringMatching(/Column "day": 2 values are kept as text/),
        expect.stringMatching(/Column "at": .* 1 timestamp shows no microseconds/),
      ]),
    );
  });

  it('keeps HTML- and formula-looking text as text, never a formula', async () => {
    const { book } = await exportXlsx('orders', 'orders-text.xlsx');
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        expect(cell.formula).toBeUndefined();
      }),
    );
    expect(sheet.getCell('K3').value).toBe('<script>alert(1)</script>');
    expect(sheet.getCell('K4').value).toBe(`'=HYPERLINK("http://evil.example")`);
    expect(sheet.getCell('K5').value).toBe('x'.repeat(32_767));
    expect(sheet.getCell('B6').value).toBe('ctlchar');
  });

  it('freezes the header row and sizes columns from the data', async () => {
    const { book } = await exportXlsx('orders', 'orders-view.xlsx');
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const widths = sheet.columns.map((column) => column.width ?? 0);
    expect(widths.every((width) => width >= 6 && width <= 60)).toBe(true);
    expect(sheet.getColumn(9).width).toBeGreaterThanOrEqual(27); // a UTC timestamp fits
    // The 40,000-character note does not make its column huge: widths follow most values, not the longest.
    expect(sheet.getColumn(11).width).toBeGreaterThan(20);
    expect(sheet.getColumn(11).width).toBeLessThan(60);
  });

  it('starts a new sheet, header repeated, when one is full, and drops no row', async () => {
    const { summary, book } = await exportXlsx('many', 'many.xlsx', 10, 'Quarterly revenue: EMEA/APAC [draft] 2024, final');
    expect(summary).toMatchObject({ rowsExpected: 25, rowsWritten: 25, sheets: 3 });
    expect(summary.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/continue over 3 sheets/)]));
    expect(book.worksheets.map((sheet) => sheet.rowCount)).toEqual([11, 11, 6]);
    const names = book.worksheets.map((sheet) => sheet.name);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(31);
      expect(name).not.toMatch(/[\\/?*[\]:]/);
    }
    expect(new Set(names).size).toBe(3);
    expect(names[1]).toMatch(/ \(2\)$/);
    const ids: unknown[] = [];
    for (const sheet of book.worksheets) {
      expect(valuesOf(sheet, 1)).toEqual(['id', 'label']);
      for (let n = 2; n <= sheet.rowCount; n++) ids.push(valuesOf(sheet, n)[0]);
    }
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });
});
