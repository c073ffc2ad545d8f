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
  /** About this many characters per batch: the rows of the last page set the size of the next (wide or long rows). */
  chars: number;
}

/** Rows by cache position: those with `after < seq <= through`. */
export interface SeqRange {
  after: number;
  through: number;
}

/** Pages start this small and grow fourfold: a report's first rows show how long its rows are. */
const FIRST_PAGE_ROWS = 16;
const PAGE_GROWTH = 4;

/** Rows in the next page: as many as fit in `limits.chars` at the last page's characters per row. */
function nextPageRows(limits: BatchLimits, pageRows: number, rowsRead: number, chars: number): number {
  const fit = chars > 0 ? Math.floor((limits.chars * rowsRead) / chars) : limits.rows;
  return Math.max(1, Math.min(limits.rows, pageRows * PAGE_GROWTH, fit));
}

export class CachedRows {
  /** Rows per page, learnt from the rows read so far; kept from one range to the next. */
  private pageRows = FIRST_PAGE_ROWS;

  private constructor(
    /** The run file, for worker threads that open snapshots of their own. */
    readonly path: string,
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
      return new CachedRows(path, file, file.readState());
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

  /**
   * The rows in cache order (all of them, or those of `range`), a page at a time; the caller yields
   * to the event loop between pages. A page is a span of seq read with all(): cheaper than stepping
   * row by row, and a run caches its rows as seq 1, 2, 3…, so a span of n holds n rows.
   */
  *batches(limits: BatchLimits, range: SeqRange = { after: 0, through: this.state.rowsCached }): Generator<CellValue[][]> {
    const width = this.columns.length;
    const names = width > 0 ? this.columns.map((_, i) => rowColumn(i)).join(', ') : 'NULL';
    const page = this.file.db.prepare(`SELECT ${names} FROM rows WHERE seq > ? AND seq <= ? ORDER BY seq`).raw();
    const through = Math.min(range.through, this.state.rowsCached);
    for (let after = range.after; after < through; ) {
      const last = Math.min(through, after + Math.min(limits.rows, this.pageRows));
      const rows = page.all(after, last) as CellValue[][];
      after = last;
      if (rows.length === 0) continue;
      let chars = 0;
      for (const row of rows) {
        for (let i = 0; i < width; i++) {
          const value = row[i];
          if (value != null) chars += value.length;
        }
      }
      yield width > 0 ? rows : rows.map(() => []);
      this.pageRows = nextPageRows(limits, this.pageRows, rows.length, chars);
    }
  }

  /** Ends the snapshot and closes the connection; safe to call twice. */
  close(): void {
    if (!this.file.db.open) return;
    try {
      if (this.file.db.inTransaction) this.file.db.exec('ROLLBACK');
    } finally {
      this.file.close();
    }
  }
}
