// Filter and sort rows of the report builder. With known columns (a listed
// dataset, a checked SQL statement) the column is picked from them; else it is typed.
import type { ColumnInfo, FilterOperator } from '../../../src-preload/contract.ts';
import { FILTER_OPERATORS } from '../../../src-preload/contract.ts';
import type { DraftFilter, DraftSort } from '../state/app-state.ts';

const OPERATOR_LABEL: Record<FilterOperator, string> = {
  '=': 'equals',
  '!=': 'does not equal',
  '<': 'less than',
  '<=': 'at most',
  '>': 'greater than',
  '>=': 'at least',
  contains: 'contains',
  notContains: 'does not contain',
  startsWith: 'starts with',
  endsWith: 'ends with',
  isNull: 'is NULL',
  notNull: 'is not NULL',
};

const takesValue = (op: FilterOperator): boolean => op !== 'isNull' && op !== 'notNull';

let nextId = 1;
export const newRowId = (): number => nextId++;

function ColumnChoice({ columns, value, label, onChange }: { columns: ColumnInfo[] | null; value: string; label: string; onChange: (v: string) => void }) {
  if (!columns) {
    return <input aria-label={label} placeholder="column" value={value} onChange={(e) => onChange(e.target.value)} />;
  }
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)}>
      {columns.map((column) => (
        <option key={column.name} value={column.name}>
          {column.name}
        </option>
      ))}
    </select>
  );
}

interface FilterEditorProps {
  columns: ColumnInfo[] | null;
  filters: DraftFilter[];
  onChange: (filters: DraftFilter[]) => void;
}

export function FilterEditor({ columns, filters, onChange }: FilterEditorProps) {
  const change = (id: number, patch: Partial<DraftFilter>) => onChange(filters.map((f) => (f.id === id ? { ...f, ...patch } : f)));
  const add = () => onChange([...filters, { id: newRowId(), column: columns?.[0]?.name ?? '', op: '=', value: '' }]);
  return (
    <fieldset className="rows-editor" data-testid="filters">
      <legend>Filters</legend>
      {filters.length === 0 ? <p className="hint">All rows.</p> : null}
      {filters.map((filter, index) => (
        <div key={filter.id} className="editor-row" data-testid="filter-row">
          <ColumnChoice columns={columns} value={filter.column} label={`Filter ${index + 1} column`} onChange={(column) => change(filter.id, { column })} />
          <select aria-label={`Filter ${index + 1} operator`} value={filter.op} onChange={(e) => change(filter.id, { op: e.target.value as FilterOperator })}>
            {FILTER_OPERATORS.map((op) => (
              <option key={op} value={op}>
                {OPERATOR_LABEL[op]}
              </option>
            ))}
          </select>
          <input
            aria-label={`Filter ${index + 1} value`}
            placeholder={takesValue(filter.op) ? 'value' : '—'}
            disabled={!takesValue(filter.op)}
            value={takesValue(filter.op) ? filter.value : ''}
            onChange={(e) => change(filter.id, { value: e.target.value })}
          />
          <button type="button" className="icon-button" aria-label={`Remove filter ${index + 1}`} onClick={() => onChange(filters.filter((f) => f.id !== filter.id))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="link-button" data-testid="add-filter" onClick={add}>
        + Add filter
      </button>
    </fieldset>
  );
}

interface SortEditorProps {
  columns: ColumnInfo[] | null;
  sort: DraftSort[];
  /** The order without sort keys; the primary key's by default. */
  unsortedHint?: string;
  onChange: (sort: DraftSort[]) => void;
}

export function SortEditor({ columns, sort, unsortedHint = 'By the key (primary key by default).', onChange }: SortEditorProps) {
  const change = (id: number, patch: Partial<DraftSort>) => onChange(sort.map((s) => (s.id === id ? { ...s, ...patch } : s)));
  const add = () => onChange([...sort, { id: newRowId(), column: columns?.[0]?.name ?? '', direction: 'asc' }]);
  return (
    <fieldset className="rows-editor" data-testid="sort">
      <legend>Sort</legend>
      {sort.length === 0 ? <p className="hint">{unsortedHint}</p> : null}
      {sort.map((key, index) => (
        <div key={key.id} className="editor-row editor-row-sort">
          <ColumnChoice columns={columns} value={key.column} label={`Sort ${index + 1} column`} onChange={(column) => change(key.id, { column })} />
          <select aria-label={`Sort ${index + 1} direction`} value={key.direction} onChange={(e) => change(key.id, { direction: e.target.value === 'desc' ? 'desc' : 'asc' })}>
            <option value="asc">ascending</option>
            <option value="desc">descending</option>
          </select>
          <button type="button" className="icon-button" aria-label={`Remove sort ${index + 1}`} onClick={() => onChange(sort.filter((s) => s.id !== key.id))}>
            ×
          </button>
        </div>
      ))}
      <button type="button" className="link-button" onClick={add}>
        + Add sort
      </button>
    </fieldset>
  );
}
