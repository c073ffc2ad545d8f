// How each report column becomes spreadsheet cells: its number format, the
// typed value of a cell (or text when a spreadsheet cannot hold it exactly),
// its width, and the sheet names. Counts what stayed text, for the warnings.
import type { CellValue, ColumnInfo } from '../../../src-preload/contract.ts';
import { exactNumber, parseBoolean, parseDate, parseTimestamp } from './cell-values.ts';

/** Excel's limits: characters in a cell, characters in a sheet name. */
export const EXCEL_CELL_CHARS = 32_767;
const SHEET_NAME_CHARS = 31;

const DATE_FORMAT = 'yyyy-mm-dd';
// Excel keeps time to the millisecond; the format shows that precision (and the zone) plainly.
const TIMESTAMP_FORMAT = 'yyyy-mm-dd hh:mm:ss.000';
const TIMESTAMP_UTC_FORMAT = 'yyyy-mm-dd hh:mm:ss.000 "UTC"';
const TEXT_FORMAT = '@';

export type TypedCell = number | boolean | Date;

/** `numeric(12,2)` shows two decimals, as PostgreSQL prints it; other numbers use Excel's General. */
function decimalFormat(type: string): string | undefined {
  const scale = /^(?:numeric|decimal)\(\d+,\s*(\d+)\)/i.exec(type)?.[1];
  if (scale === undefined) return undefined;
  const digits = Number(scale);
  if (digits === 0) return '0';
  return digits <= 15 ? `0.${'0'.repeat(digits)}` : undefined;
}

export class ColumnPlan {
  /** Values of a typed column that stayed text (too precise, out of Excel's calendar, not a date). */
  keptAsText = 0;
  /** Timestamps whose microseconds a cell could not hold. */
  droppedMicros = 0;
  readonly numFmt: string | undefined;
  readonly withZone: boolean;
  private readonly parse: ((text: string) => TypedCell | null) | null;

  constructor(readonly column: ColumnInfo) {
    this.withZone = /with time zone|timestamptz/i.test(column.type);
    switch (column.kind) {
      case 'integer':
        this.numFmt = '0';
        this.parse = exactNumber;
        break;
      case 'number':
        this.numFmt = decimalFormat(column.type);
        this.parse = exactNumber;
        break;
      case 'boolean':
        this.numFmt = undefined;
        this.parse = parseBoolean;
        break;
      case 'date':
        this.numFmt = DATE_FORMAT;
        this.parse = parseDate;
        break;
      case 'timestamp':
        this.numFmt = this.withZone ? TIMESTAMP_UTC_FORMAT : TIMESTAMP_FORMAT;
        this.parse = (text) => {
          const parsed = parseTimestamp(text);
          if (parsed?.droppedMicros) this.droppedMicros++;
          return parsed?.date ?? null;
        };
        break;
      case 'text':
      case 'json':
      case 'other':
        // Text format: a cell someone edits later stays text rather than turning into a formula.
        this.numFmt = TEXT_FORMAT;
        this.parse = null;
        break;
      default: {
        const unknown: never = column.kind;
        throw new Error(`Unknown value kind ${String(unknown)}.`);
      }
    }
  }

  /** The typed cell for a value, or null when it stays text. */
  typed(text: string): TypedCell | null {
    if (this.parse === null) return null;
    const value = this.parse(text);
    if (value === null) this.keptAsText++;
    return value;
  }

  /** Sentences about this column's cells that differ from the cached text. */
  warnings(): string[] {
    const name = this.column.name;
    const out: string[] = [];
    if (this.keptAsText > 0) {
      const why =
        this.column.kind === 'date' || this.column.kind === 'timestamp'
          ? 'they are outside the dates Excel can show (before 1900-03-01, after 9999, BC or infinity) or not in ISO form'
          : this.column.kind === 'boolean'
            ? 'they are not true/false values'
            : 'an Excel number cannot hold them exactly';
      out.push(`Column "${name}": ${this.keptAsText} ${this.keptAsText === 1 ? 'value is' : 'values are'} kept as text because ${why}.`);
    }
    if (this.droppedMicros > 0) {
      out.push(`Column "${name}": Excel keeps time to the millisecond, so ${this.droppedMicros} ${this.droppedMicros === 1 ? 'timestamp shows' : 'timestamps show'} no microseconds (the CSV export keeps them).`);
    }
    return out;
  }
}

const lengthOfFirstLine = (text: string): number => {
  const newline = text.indexOf('\n');
  return newline < 0 ? text.length : newline;
};

/** Column widths from the header and a sample of rows: wide enough for most values, never absurd. */
export function estimateWidths(plans: ColumnPlan[], sample: CellValue[][]): number[] {
  return plans.map((plan, i) => {
    let content: number;
    switch (plan.column.kind) {
      case 'date':
        content = 10;
        break;
      case 'timestamp':
        content = plan.withZone ? 27 : 23;
        break;
      case 'boolean':
        content = 5;
        break;
      default: {
        const lengths = sample
          .map((row) => row[i])
          .filter((value): value is string => typeof value === 'string')
          .map(lengthOfFirstLine)
          .sort((a, b) => a - b);
        // The 90th percentile: one huge value does not make the whole column huge.
        content = lengths.length > 0 ? (lengths[Math.floor((lengths.length - 1) * 0.9)] ?? 0) : 8;
      }
    }
    const header = plan.column.name.length + 2; // bold header text runs wider
    return Math.min(60, Math.max(6, header, content + 2));
  });
}

/** Drops a trailing half of a surrogate pair, so a cut never leaves a broken character. */
export function cutAt(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** Excel's rules: at most 31 characters, none of \ / ? * [ ] :, no apostrophe at either end, not "History". */
export function sheetName(base: string, index: number): string {
  let clean = base
    .replace(/[\\/?*[\]:\p{Cc}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^'+|'+$/g, '')
    .trim();
  if (clean === '' || clean.toLowerCase() === 'history') clean = 'Report';
  const suffix = index === 1 ? '' : ` (${index})`;
  return `${cutAt(clean, SHEET_NAME_CHARS - suffix.length).trimEnd()}${suffix}`;
}
