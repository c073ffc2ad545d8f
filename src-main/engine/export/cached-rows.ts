// The rows an export reads: one snapshot of a run file, on a connection of its
// own, streamed in cache order (seq, which is the run's sort). The snapshot is
// one read transaction, so a run that keeps writing (or restarts from scratch)
// changes nothing for an export already under way: it gets exactly the rows
// cached when it began.
import type { CellValue, ColumnInfo } from '../../../src-preload/contract.ts';
import { RunFileReader, type RunHeader, type RunState, rowColumn } from '../cache/run-file.ts';

export interface BatchLimits {
  /** At most this many rows per batch. */
  rows: number;
  /** A batch ends early once its values hold this many characters (wide or long rows). */
  chars: number;
}

export class CachedRows {
  private iterator: IterableIterator<CellValue[]> | null = null;

  private constructor(
    private readonly file: RunFileReader,
    /** The run's state in the snapshot: its status and how many rows it had cached. */
    readonly state: RunState,
  ) {}

  /** Opens a snapshot of the run file; the rows read later are those cached at this moment. */
  static open(path: string): CachedRows {
    const file = new RunFileReader(path);
    try {
      // A deferred transaction takes its snapshot at the first read: the state, then the rows, all alike.
      file.db.exec('BEGIN');
      return new CachedRows(file, file.readState());
    } catch (err) {
      file.close();
      throw err;
    }
  }

  get header(): RunHeader {
    return this.file.header;
  }

  get columns(): ColumnInfo[] {
    return this.file.header.columns;
  }

  get rowCount(): number {
    return this.state.rowsCached;
  }

  /** The rows in cache order, a batch at a time; the caller yields to the event loop between batches. */
  *batches(limits: BatchLimits): Generator<CellValue[][]> {
    const width = this.columns.length;
    const names = width > 0 ? this.columns.map((_, i) => rowColumn(i)).join(', ') : 'seq';
    const statement = this.file.db.prepare(`SELECT ${names} FROM rows WHERE seq <= ? ORDER BY seq`).raw();
    const iterator = statement.iterate(this.state.rowsCached) as IterableIterator<CellValue[]>;
    this.iterator = iterator;
    try {
      let batch: CellValue[][] = [];
      let chars = 0;
      for (const row of iterator) {
        if (width === 0) {
          batch.push([]);
        } else {
          batch.push(row);
          for (const value of row) if (value !== null) chars += value.length;
        }
        if (batch.length >= limits.rows || chars >= limits.chars) {
          yield batch;
          batch = [];
          chars = 0;
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      this.iterator = null;
    }
  }

  /** Ends the snapshot and closes the connection; safe to call twice. */
  close(): void {
    this.iterator?.return?.();
    this.iterator = null;
    if (!this.file.db.open) return;
    try {
      if (this.file.db.inTransaction) this.file.db.exec('ROLLBACK');
    } finally {
      this.file.close();
    }
  }
}
