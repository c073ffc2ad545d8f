// The one interface every report source implements: PostgreSQL, and a local
// SQLite file (the built-in Demo is one). The run loop knows nothing else.
import type { ConnectionTestResult, Dataset, ReportDefinition, ValueKind } from '../../../src-preload/contract.ts';
import type { PreparedReport } from './report-query.ts';

/** Reads a report in chunks; an empty chunk is the end. */
export interface ChunkReader {
  /** The next rows as arrays of text (or null), in the report's order. */
  read(): Promise<(string | null)[][]>;
  /** Stops the query on the server now; a pending read rejects or returns empty. */
  cancel(): Promise<void>;
  /** Releases the reader; never blocks for long, even on a dead connection. */
  close(): Promise<void>;
}

export interface ReaderOptions {
  /**
   * A read that hears nothing from the server for this long checks whether the link still lives,
   * and fails with ConnectionLost when it does not. Networked sources only.
   */
  readTimeoutMs?: number;
}

export interface ReportSource {
  readonly label: string;
  test(): Promise<ConnectionTestResult>;
  listDatasets(): Promise<Dataset[]>;
  /** Checks the definition against the catalog and fixes columns, order and resumability. */
  prepare(definition: ReportDefinition): Promise<PreparedReport>;
  /** A quick estimate of the row count; null when the source cannot tell. */
  estimateRows(report: PreparedReport): Promise<number | null>;
  /** The exact row count, on a connection of its own; `signal` stops it. */
  countRows(report: PreparedReport, signal: AbortSignal): Promise<number>;
  /** Opens a reader positioned after `after` (the last cached key), or at the start. */
  openReader(report: PreparedReport, after: (string | null)[] | null, chunkSize: number, options?: ReaderOptions): Promise<ChunkReader>;
  close(): Promise<void>;
}

/** How PostgreSQL and SQLite type names map to the kinds that steer display, sort and export. */
export function kindOfType(type: string): ValueKind {
  const t = type.toLowerCase().trim();
  if (t.endsWith(']')) return 'other';
  if (/^(smallint|integer|bigint|int[248]?|smallserial|serial|bigserial)$/.test(t) || /^(tiny|medium|big|unsigned )?int(eger)?\b/.test(t)) return 'integer';
  if (/^(numeric|decimal|real|double precision|float[48]?|double)\b/.test(t)) return 'number';
  if (t === 'boolean' || t === 'bool') return 'boolean';
  if (t === 'date') return 'date';
  if (t.startsWith('timestamp') || t === 'datetime') return 'timestamp';
  if (t === 'json' || t === 'jsonb') return 'json';
  if (t === '' || /^(text|character|char|varchar|nvarchar|name|citext|uuid|clob)\b/.test(t)) return 'text';
  return 'other';
}
