// Excel export through exceljs's streaming WorkbookWriter (no shared strings,
// so memory does not grow with the row count): typed cells where exact, text
// otherwise and never a formula, a new sheet (header repeated) whenever one is
// full, a frozen header row and widths from the first rows.
import { setTimeout as sleep } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import type { CellValue, ColumnInfo } from '../../../src-preload/contract.ts';
import { ReportError } from '../errors.ts';
import { guardFormula } from './formula-guard.ts';
import type { OutputFile } from './output-file.ts';
import type { RowWriter } from './row-writer.ts';
import { ColumnPlan, EXCEL_CELL_CHARS, cutAt, estimateWidths, sheetName } from './xlsx-columns.ts';

/** Data rows on one sheet: Excel's 1,048,576 rows less the header. */
export const EXCEL_DATA_ROWS = 1_048_575;
/** Sheet XML waiting for the zip beyond this, and the writer waits. */
const MAX_BACKLOG_BYTES = 8 * 1024 * 1024;

// Characters XML 1.0 cannot carry (exceljs would drop them silently; they are counted here instead).
// eslint-disable-next-line no-control-regex
const XML_UNSAFE = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]/g;

export interface XlsxOptions {
  formulaGuard: boolean;
  /** Data rows per sheet; Excel's limit unless a test wants small sheets. */
  rowsPerSheet: number;
  /** Usually the report's name; made into valid sheet names. */
  sheetName: string;
}

type SheetCell = string | number | boolean | Date | null;

interface StreamState {
  length: number;
}

/** The parts of exceljs's sheet stream (and what it pipes into) that show how much XML the zip has not taken yet. */
interface SheetStreamInternals {
  _stream?: { buffers?: { length: number }[]; pipes?: { _writableState?: StreamState; _readableState?: StreamState }[] };
}

export class XlsxWriter implements RowWriter {
  sheets = 0;
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly plans: ColumnPlan[];
  /** One style object per column, shared by its cells: exceljs caches a style by object, and renders it again for every new one. */
  private readonly cellStyles: Partial<ExcelJS.Style>[];
  private sheet: ExcelJS.Worksheet | null = null;
  private rowsOnSheet = 0;
  private widths: number[] | null = null;
  private cutCells = 0;
  private strippedCells = 0;
  private zipError: Error | null = null;

  constructor(
    private readonly output: OutputFile,
    private readonly columns: ColumnInfo[],
    private readonly options: XlsxOptions,
  ) {
    this.plans = columns.map((column) => new ColumnPlan(column));
    this.cellStyles = this.plans.map((plan) => (plan.numFmt ? { numFmt: plan.numFmt } : {}));
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output.stream, useSharedStrings: false, useStyles: true });
    this.workbook.creator = 'ReportStream';
    this.zip()?.on('error', (err: Error) => {
      this.zipError ??= err;
    });
  }

  private zip(): { on(event: 'error', listener: (err: Error) => void): void; abort(): void } | undefined {
    return (this.workbook as unknown as { zip?: { on(event: 'error', listener: (err: Error) => void): void; abort(): void } }).zip;
  }

  async begin(): Promise<void> {
    // The first sheet opens with the first rows: its column widths come from them.
  }

  private openSheet(): void {
    this.sheet?.commit();
    this.sheets++;
    const sheet = this.workbook.addWorksheet(sheetName(this.options.sheetName, this.sheets), {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    });
    const widths = this.widths ?? [];
    sheet.columns = this.plans.map((_, i) => ({ width: widths[i] ?? 10, style: this.cellStyles[i] ?? {} }));
    const header = sheet.addRow(this.columns.map((column) => this.textCell(column.name, 'text')));
    header.font = { bold: true };
    header.commit();
    this.sheet = sheet;
    this.rowsOnSheet = 0;
  }

  /** Text as a spreadsheet gets it: guarded against formulas, without XML-unsafe characters, within Excel's cell limit. */
  private textCell(value: string, kind: ColumnInfo['kind']): string {
    let text = this.options.formulaGuard ? guardFormula(value, kind) : value;
    XML_UNSAFE.lastIndex = 0;
    if (XML_UNSAFE.test(text)) {
      text = text.replace(XML_UNSAFE, '');
      this.strippedCells++;
    }
    if (text.length > EXCEL_CELL_CHARS) {
      text = cutAt(text, EXCEL_CELL_CHARS);
      this.cutCells++;
    }
    return text;
  }

  private cells(row: CellValue[]): SheetCell[] {
    const cells: SheetCell[] = new Array(row.length);
    for (let i = 0; i < row.length; i++) {
      const value = row[i] ?? null;
      const plan = this.plans[i] as ColumnPlan;
      cells[i] = value === null ? null : (plan.typed(value) ?? this.textCell(value, plan.column.kind));
    }
    return cells;
  }

  async writeRows(rows: CellValue[][]): Promise<void> {
    this.check();
    this.widths ??= estimateWidths(this.plans, rows);
    for (const row of rows) {
      if (this.sheet === null || this.rowsOnSheet >= this.options.rowsPerSheet) this.openSheet();
      const added = (this.sheet as ExcelJS.Worksheet).addRow(this.cells(row));
      for (let i = 0; i < this.cellStyles.length; i++) added.getCell(i + 1).style = this.cellStyles[i] as Partial<ExcelJS.Style>;
      added.commit();
      this.rowsOnSheet++;
    }
    await this.keepUp();
  }

  /** Bytes of sheet XML the zip has not compressed yet. */
  private backlog(): number {
    const stream = (this.sheet as unknown as SheetStreamInternals | null)?._stream;
    let bytes = 0;
    for (const buffer of stream?.buffers ?? []) bytes += buffer.length;
    // The pipe is archiver's PassThrough (readable-stream): its queues are in the stream states.
    for (const pipe of stream?.pipes ?? []) bytes += (pipe._writableState?.length ?? 0) + (pipe._readableState?.length ?? 0);
    return bytes;
  }

  /**
   * Backpressure. exceljs passes sheet XML to the zip without waiting for it (its StreamBuf ignores
   * write()'s answer), so a fast reader would pile XML up in memory: wait until the deflater and the
   * disk have caught up before the next batch.
   */
  private async keepUp(): Promise<void> {
    await this.output.drained();
    while (this.backlog() > MAX_BACKLOG_BYTES) {
      await sleep(2);
      this.check();
    }
  }

  private check(): void {
    this.output.check();
    if (this.zipError) throw new ReportError('ExportFailed', `Writing the Excel file failed: ${this.zipError.message}.`, { cause: this.zipError });
  }

  async finish(): Promise<void> {
    this.check();
    if (this.sheet === null) {
      this.widths ??= estimateWidths(this.plans, []);
      this.openSheet();
    }
    // commit() waits for the file stream to finish; a stream that failed instead must not leave it waiting forever.
    await Promise.race([this.workbook.commit(), this.output.failed]);
    this.check();
  }

  async abort(): Promise<void> {
    try {
      this.zip()?.abort();
    } catch {
      // the zip may already be finished or broken; the file is discarded either way
    }
  }

  warnings(): string[] {
    const out: string[] = [];
    if (this.sheets > 1) {
      out.push(`The rows did not fit on one sheet (at most ${this.options.rowsPerSheet.toLocaleString('en-US')} data rows each); they continue over ${this.sheets} sheets, each with the header row.`);
    }
    if (this.cutCells > 0) {
      out.push(`${this.cutCells} ${this.cutCells === 1 ? 'cell was' : 'cells were'} longer than Excel's limit of 32,767 characters and ${this.cutCells === 1 ? 'was' : 'were'} cut to it (the CSV export keeps the full text).`);
    }
    if (this.strippedCells > 0) {
      out.push(`${this.strippedCells} ${this.strippedCells === 1 ? 'cell held' : 'cells held'} control characters an Excel file cannot store; they were left out.`);
    }
    for (const plan of this.plans) out.push(...plan.warnings());
    return out;
  }
}
