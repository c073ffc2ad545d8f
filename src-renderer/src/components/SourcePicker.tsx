// Chooses the source the datasets list and the builder work on.
import { useId } from 'react';
import { sourceKey } from '../format.ts';
import { selectSource } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';

export function SourcePicker({ label = 'Source' }: { label?: string }) {
  const sources = useAppState((s) => s.sources);
  const selected = useAppState((s) => s.selectedSource);
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} data-testid="source-picker" value={selected} onChange={(e) => selectSource(e.target.value)}>
        {sources.map((source) => (
          <option key={sourceKey(source.ref)} value={sourceKey(source.ref)}>
            {source.label}
          </option>
        ))}
      </select>
    </div>
  );
}
