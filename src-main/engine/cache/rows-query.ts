// Pages of a cached report, with the grid's sort and filter pushed down to
// SQLite. Values are cached as PostgreSQL text, so comparisons cast by the
// column's kind: numbers sort as numbers, text as text.
import type { ColumnInfo, Filter, RowsPage, SortKey } from '../../../src-preload/contract.ts';
import { ReportError } from '../errors.ts';
import { type RunFileReader, rowColumn } from './run-file.ts';

export const MAX_PAGE_ROWS = 10_000;

interface Compiled {
  where: string;
  params: unknown[];
  orderBy: string;
}

function columnIndex(columns: ColumnInfo[], name: string): number {
  const index = columns.findIndex((column) => column.name === name);
  if (index < 0) throw new ReportError('InvalidArgument', `The report has no column "${name}".`);
  return index;
}

function isNumeric(column: ColumnInfo): boolean {
  return column.kind === 'integer' || column.kind === 'number';
}

/** The SQLite expression that orders and compares a column by its kind. */
function valueExpression(column: ColumnInfo, index: number): string {
  const name = rowColumn(index);
  if (column.kind === 'integer') return `CAST(${name} AS INTEGER)`;
  if (column.kind === 'number') return `CAST(${name} AS REAL)`;
  return name;
}

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function compileFilter(columns: ColumnInfo[], filter: Filter, params: unknown[]): string {
  const index = columnIndex(columns, filter.column);
  const column = columns[index] as ColumnInfo;
  const raw = rowColumn(index);
  const value = filter.value;
  const needsValue = filter.op !== 'isNull' && filter.op !== 'notNull';
  if (needsValue && (value === undefined || value === null)) {
    throw new ReportError('InvalidArgument', `The filter "${filter.column} ${filter.op}" needs a value.`);
  }
  const text = String(value);
  switch (filter.op) {
    case 'isNull':
      return `${raw} IS NULL`;
    case 'notNull':
      return `${raw} IS NOT NULL`;
    case 'contains':
      params.push(`%${escapeLike(text)}%`);
      return `${raw} LIKE ? ESCAPE '\\'`;
    case 'notContains':
      params.push(`%${escapeLike(text)}%`);
      return `(${raw} IS NULL OR ${raw} NOT LIKE ? ESCAPE '\\')`;
    case 'startsWith':
      params.push(`${escapeLike(text)}%`);
      return `${raw} LIKE ? ESCAPE '\\'`;
    case 'endsWith':
      params.push(`%${escapeLike(text)}`);
      return `${raw} LIKE ? ESCAPE '\\'`;
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=': {
      if (isNumeric(column)) {
        const number = Number(value);
        if (!Number.isFinite(number)) throw new ReportError('InvalidArgument', `"${text}" is not a number (column "${column.name}").`);
        params.push(number);
      } else if (column.kind === 'boolean' && typeof value === 'boolean') {
        params.push(value ? 't' : 'f');
      } else {
        params.push(text);
      }
      return `${valueExpression(column, index)} ${filter.op === '!=' ? '<>' : filter.op} ?`;
    }
    default: {
      const unknown: never = filter.op;
      throw new ReportError('InvalidArgument', `Unknown filter operator ${String(unknown)}.`);
    }
  }
}

export function compileRowsQuery(columns: ColumnInfo[], sort: SortKey[] = [], filter: Filter[] = []): Compiled {
  const params: unknown[] = [];
  const conditions = filter.map((f) => compileFilter(columns, f, params));
  const order = sort.map((key) => {
    const index = columnIndex(columns, key.column);
    const direction = key.direction === 'desc' ? 'DESC' : 'ASC';
    // PostgreSQL's order: NULLs last ascending, first descending.
    const nulls = key.direction === 'desc' ? 'NULLS FIRST' : 'NULLS LAST';
    return `${valueExpression(columns[index] as ColumnInfo, index)} ${direction} ${nulls}`;
  });
  order.push('seq');
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params, orderBy: `ORDER BY ${order.join(', ')}` };
}

/** Serves pages of one run file; counts under a filter are remembered while the run is final. */
export class RowsReader {
  private readonly countCache = new Map<string, number>();

  constructor(readonly file: RunFileReader) {}

  page(request: { start: number; end: number; sort?: SortKey[]; filter?: Filter[] }, final: boolean): RowsPage {
    const { start, end } = request;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
      throw new ReportError('InvalidArgument', `A page needs 0 <= start <= end (got ${start}..${end}).`);
    }
    if (end - start > MAX_PAGE_ROWS) throw new ReportError('InvalidArgument', `A page holds at most ${MAX_PAGE_ROWS} rows.`);
    const columns = this.file.header.columns;
    const names = columns.length ? columns.map((_, i) => rowColumn(i)).join(', ') : 'seq';
    const sorted = (request.sort?.length ?? 0) > 0;
    const filtered = (request.filter?.length ?? 0) > 0;
    const db = this.file.db;
    // A consistent pair: the count and the page come from one read transaction.
    return db.transaction((): RowsPage => {
      if (!sorted && !filtered) {
        // Rows are numbered 1..n in cache order, so any page is an index range lookup.
        const rows = db.prepare(`SELECT ${names} FROM rows WHERE seq > ? AND seq <= ? ORDER BY seq`).raw().all(start, end) as (string | null)[][];
        const rowCount = db.prepare(`SELECT rows_cached FROM state WHERE id = 1`).pluck().get() as number;
        return { rows: columns.length ? rows : rows.map(() => []), rowCount, final };
      }
      const compiled = compileRowsQuery(columns, request.sort, request.filter);
      const rows = db
        .prepare(`SELECT ${names} FROM rows ${compiled.where} ${compiled.orderBy} LIMIT ? OFFSET ?`)
        .raw()
        .all(...compiled.params, end - start, start) as (string | null)[][];
      return { rows, rowCount: this.count(compiled, final), final };
    })();
  }

  private count(compiled: Compiled, final: boolean): number {
    const cacheKey = JSON.stringify([compiled.where, compiled.params]);
    const known = final ? this.countCache.get(cacheKey) : undefined;
    if (known !== undefined) return known;
    const count = this.file.db.prepare(`SELECT count(*) FROM rows ${compiled.where}`).pluck().get(...compiled.params) as number;
    if (final) this.countCache.set(cacheKey, count);
    return count;
  }
}
