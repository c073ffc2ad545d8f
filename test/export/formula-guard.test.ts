// The formula-injection guard, on by default in both formats: text a
// spreadsheet would run as a formula gets a leading apostrophe; numbers,
// negative ones included, are never altered.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardFormula } from '../../src-main/engine/export/formula-guard.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { openTestService, type TestService } from '../support/engine.ts';

describe('formula guard', () => {
  let db: TestDatabase;
  let test: TestService;
  let runId: string;
  let outDir: string;

  beforeAll(async () => {
    db = await createTestDatabase('guard');
    await db.sql(`
      CREATE TABLE cells (id int PRIMARY KEY, v text, n int, x numeric(8,2), f float8);
      INSERT INTO cells VALUES
        (1, '=1+1', -5, -5.50, -1.5),
        (2, '@SUM(A1)', 5, 0, 0),
        (3, '+1', 1, 1, 1),
        (4, '-x', -1, -1, '-Infinity'),
        (5, E'\\tTab', NULL, NULL, NULL),
        (6, E'\\rCR', NULL, NULL, NULL),
        (7, 'a=b, plain', NULL, NULL, NULL),
        (8, NULL, NULL, NULL, NULL);
    `);
    test = await openTestService();
    const source = await test.postgres(db.url);
    const run = await test.service.startRun({ source, dataset: 'cells', name: 'guarded' });
    runId = (await test.service.waitForRun(run.runId)).runId;
    outDir = mkdtempSync(join(tmpdir(), 'reportstream-guard-'));
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
    rmSync(outDir, { recursive: true, force: true });
  });

  async function exportTo(file: string, formulaGuard?: boolean): Promise<string> {
    const path = join(outDir, file);
    const started = await test.service.startExport({ runId, path, ...(formulaGuard === undefined ? {} : { formulaGuard }) });
    expect((await test.service.exports.waitFor(started.exportId)).status).toBe('completed');
    return path;
  }

  it('prefixes =, @, +, - text with an apostrophe and leaves numbers alone', () => {
    expect(guardFormula('=1+1', 'text')).toBe("'=1+1");
    expect(guardFormula('@SUM(A1)', 'text')).toBe("'@SUM(A1)");
    expect(guardFormula('+1', 'text')).toBe("'+1");
    expect(guardFormula('-x', 'text')).toBe("'-x");
    expect(guardFormula('\tTab', 'text')).toBe("'\tTab");
    expect(guardFormula('\rCR', 'json')).toBe("'\rCR");
    expect(guardFormula('-5', 'integer')).toBe('-5');
    expect(guardFormula('-5.50', 'number')).toBe('-5.50');
    expect(guardFormula('-1.5e-07', 'number')).toBe('-1.5e-07');
    // A word in a numeric column is not a number: -Infinity would read as a formula.
    expect(guardFormula('-Infinity', 'number')).toBe("'-Infinity");
    expect(guardFormula('a=b', 'text')).toBe('a=b');
  });

  it('is on by default in CSV: the formula cases get an apostrophe, -5 stays -5', async () => {
    const lines = readFileSync(await exportTo('guarded.csv'), 'utf8').split('\n');
    expect(lines.slice(0, 8)).toEqual([
      'id,v,n,x,f',
      "1,'=1+1,-5,-5.50,-1.5",
      "2,'@SUM(A1),5,0.00,0",
      "3,'+1,1,1.00,1",
      "4,'-x,-1,-1.00,'-Infinity",
      "5,'\tTab,,,",
      `6,"'\rCR",,,`,
      '7,"a=b, plain",,,',
    ]);
  });

  it('is on by default in Excel: guarded text stays text, -5 is the number -5', async () => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await exportTo('guarded.xlsx'));
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    const column = (n: number) => [2, 3, 4, 5].map((row) => sheet.getRow(row).getCell(n).value);
    expect(column(2)).toEqual(["'=1+1", "'@SUM(A1)", "'+1", "'-x"]);
    expect(column(3)).toEqual([-5, 5, 1, -1]);
    expect(column(4)).toEqual([-5.5, 0, 1, -1]);
    expect(column(5)).toEqual([-1.5, 0, 1, "'-Infinity"]);
    expect(sheet.getCell('B6').value).toBe("'\tTab");
  });

  it('--no-formula-guard writes the values unchanged', async () => {
    const lines = readFileSync(await exportTo('raw.csv', false), 'utf8').split('\n');
    expect(lines[1]).toBe('1,=1+1,-5,-5.50,-1.5');
    expect(lines[4]).toBe('4,-x,-1,-1.00,-Infinity');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await exportTo('raw.xlsx', false));
    const sheet = book.worksheets[0] as ExcelJS.Worksheet;
    expect(sheet.getCell('B2').value).toBe('=1+1');
    expect(sheet.getCell('B2').type).toBe(ExcelJS.ValueType.String);
  });
});
