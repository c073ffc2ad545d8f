// A local SQLite file as a report source, read-only, through the same
// interface as PostgreSQL. The built-in Demo source is one of these.
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ColumnInfo, ConnectionTestResult, Dataset, ReportDefinition } from '../../../src-preload/contract.ts';
import { ReportError } from '../errors.ts';
import { assembleReport } from './postgres.ts';
import { buildCountQuery, buildReportQuery, type PreparedReport, quoteIdent } from './report-query.ts';
import { type ChunkReader, type ReportSource, kindOfType } from './source.ts';
import { checkReadOnlySql } from './sql-guard.ts';

/** Decimal places of a `NUMERIC(p,s)` column, so 12.5 prints as 12.50 like PostgreSQL would. */
const scaleOf = (type: string): number | null => {
  const match = /^(numeric|decimal)\s*\(\s*\d+\s*,\s*(\d+)\s*\)/i.exec(type);
  return match ? Number(match[2]) : null;
};

/** Turns a SQLite value into the text the cache keeps. */
function toText(value: unknown, scale: number | null): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return scale ? `${value}.${'0'.repeat(scale)}` : value.toString();
  if (typeof value === 'number') return scale !== null ? value.toFixed(scale) : String(value);
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return String(value);
}

function sqliteError(err: unknown): ReportError {
  if (err instanceof ReportError) return err;
  const message = (err as Error).message ?? String(err);
  if (/no such table/i.test(message)) return new ReportError('NotFound', `${message}. Pick a dataset from the list.`, { cause: err });
  if (/readonly|read-only|attempt to write/i.test(message)) return new ReportError('WriteNotAllowed', `Reports only read data: ${message}.`, { cause: err });
  if (/not a database|malformed|file is encrypted/i.test(message)) return new ReportError('CacheCorrupt', `The SQLite file cannot be read: ${message}.`, { cause: err });
  return new ReportError('InvalidQuery', `SQLite rejected the query: ${message}.`, { cause: err });
}

export class SqliteSource implements ReportSource {
  private readonly db: Database.Database;

  constructor(
    readonly label: string,
    readonly path: string,
  ) {
    if (!existsSync(path)) throw new ReportError('NotFound', `The SQLite file ${path} does not exist.`);
    try {
      this.db = new Database(path, { readonly: true, fileMustExist: true });
      this.db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (err) {
      throw new ReportError('Unreachable', `The file ${path} cannot be opened as a SQLite database: ${(err as Error).message}.`, { cause: err });
    }
  }

  async test(): Promise<ConnectionTestResult> {
    const started = Date.now();
    const version = this.db.prepare('SELECT sqlite_version()').pluck().get() as string;
    return { serverVersion: `SQLite ${version}`, user: '', database: this.path, ms: Date.now() - started };
  }

  private columnsOf(table: string): { columns: ColumnInfo[]; primaryKey: string[]; untyped: string[] } {
    const info = this.db.prepare(`SELECT * FROM pragma_table_info(?)`).all(table) as { name: string; type: string; notnull: number; pk: number }[];
    const columns = info.map((c) => ({ name: c.name, type: c.type.toLowerCase() || 'text', kind: kindOfType(c.type), nullable: c.notnull === 0 && c.pk === 0 }));
    const primaryKey = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    return { columns, primaryKey, untyped: info.filter((c) => c.type === '').map((c) => c.name) };
  }

  async listDatasets(): Promise<Dataset[]> {
    const relations = this.db
      .prepare(`SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`)
      .all() as { name: string; type: 'table' | 'view' }[];
    return relations.map((relation) => {
      const { columns, primaryKey } = this.columnsOf(relation.name);
      const estimatedRows =
        relation.type === 'table' ? (this.db.prepare(`SELECT max(rowid) FROM ${quoteIdent(relation.name)}`).pluck().get() as number | null) ?? 0 : null;
      return { name: relation.name, schema: 'main', table: relation.name, type: relation.type, estimatedRows, columns, primaryKey };
    });
  }

  async prepare(definition: ReportDefinition): Promise<PreparedReport> {
    try {
      if (definition.dataset !== undefined) {
        const name = definition.dataset.startsWith('main.') ? definition.dataset.slice(5) : definition.dataset;
        const exists = this.db.prepare(`SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?`).pluck().get(name);
        if (!exists) throw new ReportError('NotFound', `The dataset "${definition.dataset}" does not exist in ${this.label}. Pick one from the dataset list.`);
        const { columns, primaryKey, untyped } = this.columnsOf(name);
        return { ...assembleReport(quoteIdent(name), columns, definition, definition.key?.length ? definition.key : primaryKey), untypedColumns: untyped };
      }
      const sql = checkReadOnlySql(definition.sql ?? '');
      const statement = this.db.prepare(`SELECT * FROM (${sql}) AS report LIMIT 0`);
      const described = statement.columns();
      const columns = described.map((c) => ({ name: c.name, type: (c.type ?? '').toLowerCase() || 'text', kind: kindOfType(c.type ?? ''), nullable: true }));
      // An expression has no declared type: its values are numbers or text as they come.
      const untyped = described.filter((c) => !c.type).map((c) => c.name);
      return { ...assembleReport(`(${sql})`, columns, definition, definition.key ?? []), untypedColumns: untyped };
    } catch (err) {
      throw sqliteError(err);
    }
  }

  /** No cheap estimate: the exact count (countRows) is a local scan that arrives as fast. */
  async estimateRows(): Promise<number | null> {
    return null;
  }

  async countRows(report: PreparedReport): Promise<number> {
    return this.count(report);
  }

  private count(report: PreparedReport): number {
    const query = buildCountQuery(report, 'sqlite');
    try {
      return Number(this.db.prepare(query.text).pluck().get(...query.values));
    } catch (err) {
      throw sqliteError(err);
    }
  }

  async openReader(report: PreparedReport, after: (string | null)[] | null, chunkSize: number): Promise<ChunkReader> {
    const query = buildReportQuery(report, 'sqlite', after);
    const scales = report.columns.map((c) => scaleOf(c.type));
    // A connection of its own: an open iterator keeps its connection busy until it ends.
    const db = new Database(this.path, { readonly: true, fileMustExist: true });
    let rows: IterableIterator<unknown[]>;
    try {
      rows = db.prepare(query.text).raw().safeIntegers(true).iterate(...query.values) as IterableIterator<unknown[]>;
    } catch (err) {
      db.close();
      throw sqliteError(err);
    }
    let done = false;
    const finish = () => {
      if (!done) rows.return?.();
      done = true;
      if (db.open) db.close();
    };
    return {
      read: async () => {
        // Let other work (progress events, page reads) in between chunks of this synchronous reader.
        await new Promise((resolve) => setImmediate(resolve));
        const chunk: (string | null)[][] = [];
        while (!done && chunk.length < chunkSize) {
          const next = rows.next();
          if (next.done) {
            finish();
            break;
          }
          chunk.push(next.value.map((value, i) => toText(value, scales[i] ?? null)));
        }
        return chunk;
      },
      cancel: async () => finish(),
      close: async () => finish(),
    };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
