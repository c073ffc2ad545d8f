// AG Grid's sort and filter models, translated to the contract's SortKey[] and
// Filter[] so that the cache sorts and filters, never the window.
import type { SortModelItem } from 'ag-grid-community';
import type { ColumnInfo, Filter, FilterOperator, SortKey } from '../../../src-preload/contract.ts';

/** Column id in the grid for the column at `index`: names can hold dots and repeats, indexes cannot. */
export const colIdOf = (index: number): string => `c${index}`;

function columnOf(columns: ColumnInfo[], colId: string): ColumnInfo | undefined {
  return colId.startsWith('c') ? columns[Number(colId.slice(1))] : undefined;
}

export function toSortKeys(sortModel: SortModelItem[], columns: ColumnInfo[]): SortKey[] {
  const keys: SortKey[] = [];
  for (const item of sortModel) {
    const column = columnOf(columns, item.colId);
    if (column) keys.push({ column: column.name, direction: item.sort === 'desc' ? 'desc' : 'asc' });
  }
  return keys;
}

/** The grid's filter options, and what the cache calls each. */
const OPERATOR_OF: Record<string, FilterOperator> = {
  equals: '=',
  notEqual: '!=',
  lessThan: '<',
  lessThanOrEqual: '<=',
  greaterThan: '>',
  greaterThanOrEqual: '>=',
  contains: 'contains',
  notContains: 'notContains',
  startsWith: 'startsWith',
  endsWith: 'endsWith',
  blank: 'isNull',
  notBlank: 'notNull',
};

export const TEXT_FILTER_OPTIONS = ['contains', 'notContains', 'equals', 'notEqual', 'startsWith', 'endsWith', 'blank', 'notBlank'];
export const NUMBER_FILTER_OPTIONS = [
  'equals',
  'notEqual',
  'lessThan',
  'lessThanOrEqual',
  'greaterThan',
  'greaterThanOrEqual',
  'blank',
  'notBlank',
];

interface SimpleModel {
  filterType?: string;
  type?: string | null;
  filter?: string | number | null;
}

function isSimpleModel(value: unknown): value is SimpleModel {
  return typeof value === 'object' && value !== null && !('conditions' in value);
}

/** One condition per column (the grid offers one); options the cache cannot run are dropped. */
export function toFilters(filterModel: unknown, columns: ColumnInfo[]): Filter[] {
  if (typeof filterModel !== 'object' || filterModel === null) return [];
  const filters: Filter[] = [];
  for (const [colId, model] of Object.entries(filterModel as Record<string, unknown>)) {
    const column = columnOf(columns, colId);
    if (!column || !isSimpleModel(model) || !model.type) continue;
    const op = OPERATOR_OF[model.type];
    if (!op) continue;
    if (op === 'isNull' || op === 'notNull') {
      filters.push({ column: column.name, op });
    } else if (model.filter != null && model.filter !== '') {
      filters.push({ column: column.name, op, value: model.filter });
    }
  }
  return filters;
}
