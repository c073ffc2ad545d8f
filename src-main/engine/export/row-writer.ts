// What an export needs from a file format: a header, batches of rows with
// backpressure, an end, and what the reader of the file should be told.
import type { CellValue } from '../../../src-preload/contract.ts';

export interface RowWriter {
  /** Sheets written so far (0 for CSV, which has none). */
  readonly sheets: number;
  begin(): Promise<void>;
  /** Writes rows in order; resolves when the output can take more. */
  writeRows(rows: CellValue[][]): Promise<void>;
  /** Completes the format (an xlsx's closing parts); the output file is committed after. */
  finish(): Promise<void>;
  /** Stops work after a cancel or an error; the output file is discarded after. */
  abort(): Promise<void>;
  /** Plain sentences about what the file holds differently from the cache (cut cells, splits). */
  warnings(): string[];
}
