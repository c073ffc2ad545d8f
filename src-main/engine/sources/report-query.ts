// Builds the one SELECT a report runs: its columns, filters as parameters,
// the ordering by sort columns then the unique key, and, on resume, the keyset
// predicate "strictly after the last cached row". Identifiers are quoted here
// and only here; values are always parameters.
import type { ColumnInfo, Filter, SortKey } from '../../../src-preload/contract.ts';
import { ReportError } from '../errors.ts';

export type Dialect = 'postgres' | 'sqlite';

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A report made ready to run: what to select from, in which order, resumed by which columns. */
export interface PreparedReport {
  /** The FROM item: a quoted relation or a parenthesised statement. */
  from: string;
  columns: ColumnInfo[];
  /** Every column the FROM item offers, for filters on columns that are not shown. */
  available: ColumnInfo[];
  filters: Filter[];
  /** The ordering; its columns, in order, are the resume key. Empty when the report cannot resume. */
  order: SortKey[];
  resumable: boolean;
  /** The catalog's row estimate, for an unfiltered dataset; known without a query. */
  catalogEstimate?: number | null;
  /** Why the report cannot resume, for the user. */
  notResumableReason?: string;
  /**
   * SQLite only: columns without a declared type (expressions, typeless columns). Their values keep
   * their own storage class, so a value given as text is compared as a number or as text as each
   * row's value is (see Params.add); a declared column's affinity does that by itself.
   */
  untypedColumns?: string[];
}

export const resumeKeyOf = (report: PreparedReport): string[] => report.order.map((key) => key.column);

/** A text value as SQLite would store a number it stands for: an exact integer, a double that prints back the same, or the text. */
function asSqliteValue(text: string): bigint | number | string {
  if (/^-?(0|[1-9]\d{0,18})$/.test(text)) {
    const integer = BigInt(text);
    if (integer >= -(2n ** 63n) && integer < 2n ** 63n) return integer;
  }
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) && String(number) === text ? number : text;
}

class Params {
  readonly values: unknown[] = [];
  private readonly untyped: ReadonlySet<string>;
  constructor(
    private readonly dialect: Dialect,
    report?: PreparedReport,
  ) {
    this.untyped = new Set(report?.untypedColumns ?? []);
  }
  /** A placeholder for a value compared with `column`, so that the comparison is made in the column's own terms. */
  add(value: unknown, column?: ColumnInfo): string {
    if (this.dialect === 'postgres') {
      this.values.push(value);
      return column && column.type ? `$${this.values.length}::${column.type}` : `$${this.values.length}`;
    }
    if (!column || !this.untyped.has(column.name) || typeof value !== 'string') {
      this.values.push(value);
      return '?';
    }
    // A number against a number, text against text: '10' after '9' for integers, '10' before '9' for text.
    const typed = asSqliteValue(value);
    this.values.push(typed, typed);
    return `(CASE WHEN typeof(${quoteIdent(column.name)}) = 'text' THEN CAST(? AS TEXT) ELSE ? END)`;
  }
}

function columnOf(report: PreparedReport, name: string): ColumnInfo {
  const column = report.columns.find((c) => c.name === name) ?? report.available.find((c) => c.name === name);
  if (!column) throw new ReportError('InvalidArgument', `The report has no column "${name}".`);
  return column;
}

const escapeLike = (value: string): string => value.replace(/[\\%_]/g, (c) => `\\${c}`);

function filterCondition(report: PreparedReport, filter: Filter, params: Params, dialect: Dialect): string {
  const column = columnOf(report, filter.column);
  const ident = quoteIdent(column.name);
  if (filter.op === 'isNull') return `${ident} IS NULL`;
  if (filter.op === 'notNull') return `${ident} IS NOT NULL`;
  if (filter.value === undefined || filter.value === null) {
    throw new ReportError('InvalidArgument', `The filter "${filter.column} ${filter.op}" needs a value.`);
  }
  const text = String(filter.value);
  // Pattern filters compare the text form, case-insensitively, whatever the column's type.
  const asText = dialect === 'postgres' ? `${ident}::text` : `CAST(${ident} AS TEXT)`;
  const like = dialect === 'postgres' ? 'ILIKE' : 'LIKE';
  switch (filter.op) {
    case 'contains':
      return `${asText} ${like} ${params.add(`%${escapeLike(text)}%`)} ESCAPE '\\'`;
    case 'notContains':
      return `(${ident} IS NULL OR ${asText} NOT ${like} ${params.add(`%${escapeLike(text)}%`)} ESCAPE '\\')`;
    case 'startsWith':
      return `${asText} ${like} ${params.add(`${escapeLike(text)}%`)} ESCAPE '\\'`;
    case 'endsWith':
      return `${asText} ${like} ${params.add(`%${escapeLike(text)}`)} ESCAPE '\\'`;
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return `${ident} ${filter.op === '!=' ? '<>' : filter.op} ${params.add(text, column)}`;
    default: {
      const unknown: never = filter.op;
      throw new ReportError('InvalidArgument', `Unknown filter operator ${String(unknown)}.`);
    }
  }
}

/**
 * "Strictly after `last`" in the report's order, NULLs last ascending and first descending
 * (PostgreSQL's default). Spelled out column by column so that mixed directions and NULLs
 * resume exactly; a plain row comparison serves the common all-ascending, non-null case.
 */
function afterCondition(report: PreparedReport, last: (string | null)[], params: Params): string {
  const keys = report.order.map((key) => ({ key, column: columnOf(report, key.column) }));
  if (last.length !== keys.length) throw new ReportError('CacheCorrupt', 'The saved resume key does not match the report.');
  const simple = keys.every(({ key, column }) => key.direction === 'asc' && !column.nullable) && last.every((v) => v !== null);
  if (simple) {
    const left = keys.map(({ column }) => quoteIdent(column.name)).join(', ');
    const right = keys.map(({ column }, i) => params.add(last[i], column)).join(', ');
    return `(${left}) > (${right})`;
  }
  const branches: string[] = [];
  const equalSoFar: string[] = [];
  keys.forEach(({ key, column }, i) => {
    const ident = quoteIdent(column.name);
    const value = last[i] ?? null;
    let after: string | null;
    if (key.direction === 'asc') {
      after = value === null ? null : `(${ident} > ${params.add(value, column)}${column.nullable ? ` OR ${ident} IS NULL` : ''})`;
    } else {
      after = value === null ? `${ident} IS NOT NULL` : `${ident} < ${params.add(value, column)}`;
    }
    if (after !== null) branches.push([...equalSoFar, after].join(' AND '));
    if (i < keys.length - 1) equalSoFar.push(value === null ? `${ident} IS NULL` : `${ident} = ${params.add(value, column)}`);
  });
  return branches.length ? `(${branches.map((b) => `(${b})`).join(' OR ')})` : 'FALSE';
}

export interface BuiltQuery {
  text: string;
  values: unknown[];
}

/** The report's SELECT, optionally only the rows after the last cached key. */
export function buildReportQuery(report: PreparedReport, dialect: Dialect, after: (string | null)[] | null = null): BuiltQuery {
  const params = new Params(dialect, report);
  const conditions = report.filters.map((filter) => filterCondition(report, filter, params, dialect));
  if (after) conditions.push(afterCondition(report, after, params));
  const select = report.columns.map((c) => quoteIdent(c.name)).join(', ');
  const order = report.order.map(
    (key) => `${quoteIdent(key.column)} ${key.direction === 'desc' ? 'DESC NULLS FIRST' : 'ASC NULLS LAST'}`,
  );
  const text = [
    `SELECT ${select || '*'} FROM ${report.from} AS report`,
    conditions.length ? `WHERE ${conditions.join(' AND ')}` : '',
    order.length ? `ORDER BY ${order.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return { text, values: params.values };
}

/** The report's exact row count query (filters, no order). */
export function buildCountQuery(report: PreparedReport, dialect: Dialect): BuiltQuery {
  const params = new Params(dialect, report);
  const conditions = report.filters.map((filter) => filterCondition(report, filter, params, dialect));
  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  return { text: `SELECT count(*) AS count FROM ${report.from} AS report${where}`, values: params.values };
}

/** Orders a report by its sort, then by its unique key, and says whether it can resume. */
export function planOrder(
  columns: ColumnInfo[],
  sort: SortKey[] = [],
  uniqueKey: string[],
): { order: SortKey[]; resumable: boolean; notResumableReason?: string } {
  for (const key of [...sort.map((s) => s.column), ...uniqueKey]) {
    if (!columns.some((c) => c.name === key)) throw new ReportError('InvalidArgument', `The report has no column "${key}".`);
  }
  if (uniqueKey.length === 0) {
    return {
      order: sort,
      resumable: false,
      notResumableReason: 'The report has no unique key (no primary key, and no key columns were named), so it can only restart.',
    };
  }
  const order = [...sort];
  for (const column of uniqueKey) {
    if (!order.some((o) => o.column === column)) order.push({ column, direction: 'asc' });
  }
  return { order, resumable: true };
}
