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

/**
 * The rows of a settled run in one sort and filter, as cache row numbers by position: built once with
 * one sorted scan, then any page anywhere is an index lookup instead of an ORDER BY … OFFSET over the
 * whole run (seconds at the end of 1,000,000 rows). 4 bytes a row.
 */
interface OrderedView {
  /** The sort and filter it was built for. */
  key: string;
  /** The run's rows when it was built: a resumed or restarted run has other rows, and a new view. */
  stamp: string;
  seqs: Uint32Array;
}

/** Views kept per run: the grid's current order and the one before it (switching back is instant). */
const MAX_VIEWS = 2;

/** Serves pages of one run file: settled runs through ordered views, running ones straight from the table. */
export class RowsReader {
  private views: OrderedView[] = [];

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
      if (final) {
        const { seqs } = this.view(compiled);
        const wanted = Array.from(seqs.subarray(start, Math.min(end, seqs.length)));
        const rows = wanted.length
          ? (db
              .prepare(`SELECT ${names} FROM json_each(?) AS page JOIN rows ON rows.seq = page.value ORDER BY page.key`)
              .raw()
              .all(JSON.stringify(wanted)) as (string | null)[][])
          : [];
        return { rows: columns.length ? rows : rows.map(() => []), rowCount: seqs.length, final };
      }
      const rows = db
        .prepare(`SELECT ${names} FROM rows ${compiled.where} ${compiled.orderBy} LIMIT ? OFFSET ?`)
        .raw()
        .all(...compiled.params, end - start, start) as (string | null)[][];
      return { rows, rowCount: this.count(compiled), final };
    })();
  }

  /** The ordered view for a sort and filter, built on first use; called inside the page's read transaction. */
  private view(compiled: Compiled): OrderedView {
    const db = this.file.db;
    const key = JSON.stringify(compiled);
    const state = db.prepare(`SELECT rows_cached AS rows, (SELECT count(*) FROM parts) AS parts FROM state WHERE id = 1`).get() as { rows: number; parts: number };
    const stamp = `${state.rows}:${state.parts}`;
    const found = this.views.find((view) => view.key === key && view.stamp === stamp);
    if (found) {
      this.views = [found, ...this.views.filter((view) => view !== found)];
      return found;
    }
    const all = new Uint32Array(state.rows);
    let n = 0;
    const scan = db.prepare(`SELECT seq FROM rows ${compiled.where} ${compiled.orderBy}`).pluck();
    for (const seq of scan.iterate(...compiled.params) as IterableIterator<number>) all[n++] = seq;
    const view: OrderedView = { key, stamp, seqs: n === all.length ? all : all.slice(0, n) };
    this.views = [view, ...this.views.filter((other) => other.stamp === stamp)].slice(0, MAX_VIEWS);
    return view;
  }

  /** Memory held by this reader's ordered views. */
  get viewBytes(): number {
    return this.views.reduce((sum, view) => sum + view.seqs.byteLength, 0);
  }

  /** Lets the views go; the next sorted or filtered page builds its view again. */
  dropViews(): void {
    this.views = [];
  }

  /** Rows matching a filter while the run still writes (no cache: the count changes with every chunk). */
  private count(compiled: Compiled): number {
    return this.file.db.prepare(`SELECT count(*) FROM rows ${compiled.where}`).pluck().get(...compiled.params) as number;
  }
}

/**
 * Keeps the ordered views of all open reports within `budgetBytes`: the views of the reports used
 * longest ago go first; the report in use (the last one) keeps its own whatever they weigh.
 */
export function trimViews(readersOldestFirst: RowsReader[], budgetBytes: number): void {
  let total = readersOldestFirst.reduce((sum, reader) => sum + reader.viewBytes, 0);
  for (const reader of readersOldestFirst.slice(0, -1)) {
    if (total <= budgetBytes) return;
    total -= reader.viewBytes;
    reader.dropViews();
  }
}
