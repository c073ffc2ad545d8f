// CSV exactly as PostgreSQL's COPY … TO STDOUT (FORMAT csv, HEADER) prints it:
// values in PostgreSQL's own text, a field quoted only when COPY quotes it,
// NULL as nothing, an empty string as "", lines ended by \n. With the formula
// guard off, a completed run's file equals COPY's output byte for byte.
import type { CellValue, ColumnInfo } from '../../../src-preload/contract.ts';
import { guardFormula } from './formula-guard.ts';
import type { OutputFile } from './output-file.ts';
import type { RowWriter } from './row-writer.ts';

const NEEDS_QUOTES = /[",\r\n]/;
const QUOTE = /"/g;

/**
 * One field as COPY writes it. COPY quotes a value holding the delimiter, a quote, CR or LF;
 * an empty string (else it would read back as NULL); and, when it is the row's only column,
 * the value `\.` (else it would read back as the end-of-data marker).
 */
export function csvField(value: CellValue, onlyColumn: boolean): string {
  if (value === null) return '';
  if (value === '') return '""';
  if (NEEDS_QUOTES.test(value) || (onlyColumn && value === '\\.')) return `"${value.replace(QUOTE, '""')}"`;
  return value;
}

export interface CsvOptions {
  bom: boolean;
  formulaGuard: boolean;
}

export class CsvWriter implements RowWriter {
  readonly sheets = 0;
  private readonly onlyColumn: boolean;

  constructor(
    private readonly output: OutputFile,
    private readonly columns: ColumnInfo[],
    private readonly options: CsvOptions,
  ) {
    this.onlyColumn = columns.length === 1;
  }

  async begin(): Promise<void> {
    const names = this.columns.map((column) => this.field(column.name, 'text'));
    await this.output.write(`${this.options.bom ? '\uFEFF' : ''}${names.join(',')}\n`);
  }

  private field(value: CellValue, kind: ColumnInfo['kind']): string {
    const text = this.options.formulaGuard && value !== null ? guardFormula(value, kind) : value;
    return csvField(text, this.onlyColumn);
  }

  async writeRows(rows: CellValue[][]): Promise<void> {
    const kinds = this.columns.map((column) => column.kind);
    let text = '';
    for (const row of rows) {
      let line = '';
      for (let i = 0; i < row.length; i++) {
        if (i > 0) line += ',';
        line += this.field(row[i] ?? null, kinds[i] ?? 'text');
      }
      text += `${line}\n`;
    }
    await this.output.write(text);
  }

  async finish(): Promise<void> {
    // OutputFile.commit ends, flushes and renames the file.
  }

  async abort(): Promise<void> {}

  warnings(): string[] {
    return [];
  }
}
