// CSV exactly as PostgreSQL's COPY … TO STDOUT (FORMAT csv, HEADER) prints it:
// values in PostgreSQL's own text, a field quoted only when COPY quotes it,
// NULL as nothing, an empty string as "", lines ended by \n. With the formula
// guard off, a completed run's file equals COPY's output byte for byte.
import type { CellValue, ColumnInfo, ValueKind } from '../../../src-preload/contract.ts';
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

/** What turns rows into CSV lines: the same in the export's thread and in a worker thread. */
export interface CsvFormat {
  /** One per column, for the formula guard. */
  kinds: ValueKind[];
  formulaGuard: boolean;
}

/** Rows as CSV lines, each ended by \n. */
export function csvLines(rows: CellValue[][], format: CsvFormat): string {
  const { kinds, formulaGuard } = format;
  const onlyColumn = kinds.length === 1;
  let text = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) {
      if (i > 0) line += ',';
      const value = row[i] ?? null;
      line += csvField(formulaGuard && value !== null ? guardFormula(value, kinds[i] ?? 'text') : value, onlyColumn);
    }
    text += `${line}\n`;
  }
  return text;
}

export interface CsvOptions {
  bom: boolean;
  formulaGuard: boolean;
}

export class CsvWriter implements RowWriter {
  readonly sheets = 0;
  readonly format: CsvFormat;

  constructor(
    private readonly output: OutputFile,
    private readonly columns: ColumnInfo[],
    private readonly options: CsvOptions,
  ) {
    this.format = { kinds: columns.map((column) => column.kind), formulaGuard: options.formulaGuard };
  }

  async begin(): Promise<void> {
    // The header is guarded as text, whatever its columns hold.
    const header = csvLines([this.columns.map((column) => column.name)], { ...this.format, kinds: this.columns.map(() => 'text') });
    await this.output.write(`${this.options.bom ? '\uFEFF' : ''}${header}`);
  }

  async writeRows(rows: CellValue[][]): Promise<void> {
    await this.output.write(csvLines(rows, this.format));
  }

  /** Writes lines another thread formatted with `format` and encoded as UTF-8. */
  async writeLines(bytes: Uint8Array): Promise<void> {
    await this.output.write(bytes);
  }

  async finish(): Promise<void> {
    // OutputFile.commit ends, flushes and renames the file.
  }

  async abort(): Promise<void> {}

  warnings(): string[] {
    return [];
  }
}
