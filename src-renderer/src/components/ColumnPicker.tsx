// Which columns the report keeps, in the dataset's order; none picked means all.
import type { ColumnInfo } from '../../../src-preload/contract.ts';

interface ColumnChecksProps {
  columns: ColumnInfo[];
  selected: string[];
  label: string;
  onChange: (columns: string[]) => void;
}

/** A checkbox per column; the picked names come back in the columns' order. */
export function ColumnChecks({ columns, selected, label, onChange }: ColumnChecksProps) {
  const toggle = (name: string, on: boolean) => {
    const chosen = new Set(selected);
    if (on) chosen.add(name);
    else chosen.delete(name);
    onChange(columns.map((c) => c.name).filter((n) => chosen.has(n)));
  };
  return (
    <div className="column-options" role="group" aria-label={label}>
      {columns.map((column) => (
        <label key={column.name} className="check" title={column.type}>
          <input type="checkbox" checked={selected.includes(column.name)} onChange={(e) => toggle(column.name, e.target.checked)} />
          <span className="truncate">{column.name}</span>
          <span className="column-type">{column.type}</span>
        </label>
      ))}
    </div>
  );
}

interface ColumnPickerProps {
  columns: ColumnInfo[];
  selected: string[];
  onChange: (columns: string[]) => void;
}

export function ColumnPicker({ columns, selected, onChange }: ColumnPickerProps) {
  return (
    <fieldset className="column-picker" data-testid="column-picker">
      <legend>
        Columns <span className="hint">· {selected.length === 0 ? `all ${columns.length}` : `${selected.length} of ${columns.length}`}</span>
      </legend>
      <div className="column-picker-actions">
        <button type="button" className="link-button" onClick={() => onChange(columns.map((c) => c.name))}>
          Select all
        </button>
        <button type="button" className="link-button" onClick={() => onChange([])}>
          Clear (all columns)
        </button>
      </div>
      <ColumnChecks columns={columns} selected={selected} label="Columns to keep" onChange={onChange} />
    </fieldset>
  );
}
