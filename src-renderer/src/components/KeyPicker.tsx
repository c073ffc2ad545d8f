// The columns a SQL report resumes by. A statement has no primary key, so
// without them a stopped report can only start again from the first row.
import type { ColumnInfo } from '../../../src-preload/contract.ts';
import { ColumnChecks } from './ColumnPicker.tsx';

interface KeyPickerProps {
  columns: ColumnInfo[];
  selected: string[];
  onChange: (key: string[]) => void;
}

export function KeyPicker({ columns, selected, onChange }: KeyPickerProps) {
  return (
    <fieldset className="column-picker" data-testid="key-picker">
      <legend>Resume key</legend>
      <p className="hint" data-testid="key-status">
        {selected.length === 0
          ? 'No key: this report cannot resume. If it stops, it starts again from the first row.'
          : `Resumes by ${selected.join(', ')}. ${selected.length === 1 ? 'Its values' : 'Their values together'} must be unique, or a resume may skip rows.`}
      </p>
      <ColumnChecks columns={columns} selected={selected} label="Resume key columns" onChange={onChange} />
    </fieldset>
  );
}
