// Build a report: a dataset or one SQL statement, columns, filters, sort (and
// for SQL a resume key), a name. Ctrl+Enter (Cmd+Enter) generates from anywhere in the form.
import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { AppError, Dataset, Filter, ReportDefinition } from '../../../src-preload/contract.ts';
import { formatCount } from '../format.ts';
import { editBuilder, openSourceForm, setBuilderMode, sourceRefOf, startRun } from '../state/actions.ts';
import type { BuilderDraft } from '../state/app-state.ts';
import { useAppState } from '../state/store.ts';
import { ColumnPicker } from './ColumnPicker.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { FilterEditor, newRowId, SortEditor } from './FilterEditor.tsx';
import { KeyPicker } from './KeyPicker.tsx';
import { SourcePicker } from './SourcePicker.tsx';
import { SqlStatement } from './SqlStatement.tsx';

function definitionOf(draft: BuilderDraft, sourceKey: string): ReportDefinition | null {
  const source = sourceRefOf(sourceKey);
  if (!source) return null;
  const filters: Filter[] = draft.filters
    .filter((f) => f.column.trim())
    .map((f) => (f.op === 'isNull' || f.op === 'notNull' ? { column: f.column, op: f.op } : { column: f.column, op: f.op, value: f.value }));
  const sort = draft.sort.filter((s) => s.column.trim()).map(({ column, direction }) => ({ column, direction }));
  const name = draft.name.trim();
  return {
    source,
    ...(name ? { name } : {}),
    ...(draft.mode === 'sql' ? { sql: draft.sql } : { dataset: draft.dataset.trim() }),
    ...(draft.columns.length > 0 ? { columns: draft.columns } : {}),
    ...(draft.mode === 'sql' && draft.key.length > 0 ? { key: draft.key } : {}),
    ...(filters.length > 0 ? { filters } : {}),
    ...(sort.length > 0 ? { sort } : {}),
  };
}

export function ReportBuilder() {
  const draft = useAppState((s) => s.builder);
  const selectedSource = useAppState((s) => s.selectedSource);
  const datasetList = useAppState((s) => s.datasets[s.selectedSource]);
  const sqlDescription = useAppState((s) => s.sqlDescription);
  const [error, setError] = useState<AppError | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  const datasets: Dataset[] = datasetList?.status === 'ready' ? datasetList.datasets : [];
  const dataset = draft.mode === 'dataset' ? datasets.find((d) => d.name === draft.dataset.trim()) : undefined;
  // SQL mode offers the columns of the statement as last checked; a changed statement is checked again.
  const columns = draft.mode === 'dataset' ? (dataset?.columns ?? null) : (sqlDescription?.columns ?? null);
  const unsortedHint = draft.mode === 'dataset' ? undefined : draft.key.length > 0 ? 'By the resume key.' : 'As the statement returns them.';
  const ready = draft.mode === 'sql' ? draft.sql.trim() !== '' : draft.dataset.trim() !== '';

  async function generate(event?: FormEvent): Promise<void> {
    event?.preventDefault();
    if (!ready || busy) return;
    const definition = definitionOf(draft, selectedSource);
    if (!definition) return;
    setBusy(true);
    setError(null);
    const started = await startRun(definition);
    setBusy(false);
    if (!started.ok) setError(started.error);
  }

  function onKeyDown(event: KeyboardEvent<HTMLFormElement>): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void generate();
    }
  }

  const profileId = sourceRefOf(selectedSource);
  const editSource = profileId?.type === 'postgres' ? () => openSourceForm(profileId.profileId) : undefined;
  const addFilter = () => editBuilder({ filters: [...draft.filters, { id: newRowId(), column: columns?.[0]?.name ?? '', op: '=', value: '' }] });

  return (
    <form ref={form} className="builder" aria-label="New report" data-testid="report-builder" onSubmit={(e) => void generate(e)} onKeyDown={onKeyDown}>
      <div className="builder-head">
        <h2>New report</h2>
        <p className="hint">Rows appear as soon as the first chunk arrives; the report is saved as it runs.</p>
      </div>
      <div className="builder-grid">
        <SourcePicker />
        <div className="field">
          <span id="builder-mode-label">Read from</span>
          <div className="segmented segmented-inline" role="radiogroup" aria-labelledby="builder-mode-label">
            {(['dataset', 'sql'] as const).map((mode) => (
              <label key={mode} className={draft.mode === mode ? 'segment selected' : 'segment'}>
                <input type="radio" name="mode" value={mode} checked={draft.mode === mode} onChange={() => setBuilderMode(mode)} data-testid={`mode-${mode}`} />
                {mode === 'dataset' ? 'Dataset' : 'SQL'}
              </label>
            ))}
          </div>
        </div>
      </div>
      {draft.mode === 'dataset' ? (
        <div className="field">
          <label htmlFor="builder-dataset">Dataset</label>
          <input
            id="builder-dataset"
            list="builder-datasets"
            placeholder="schema.table, or pick from the list"
            data-testid="builder-dataset"
            autoComplete="off"
            value={draft.dataset}
            onChange={(e) => editBuilder({ dataset: e.target.value, columns: [] })}
          />
          <datalist id="builder-datasets">
            {datasets.map((d) => (
              <option key={d.name} value={d.name} />
            ))}
          </datalist>
          {dataset ? (
            <p className="hint">
              {dataset.type === 'view' ? 'View' : 'Table'} · {dataset.estimatedRows == null ? 'row count unknown' : `~${formatCount(dataset.estimatedRows)} rows`}
              {dataset.primaryKey.length > 0 ? ` · key ${dataset.primaryKey.join(', ')}` : ' · no primary key: it can only restart, not resume'}
            </p>
          ) : null}
        </div>
      ) : (
        <SqlStatement onEditSource={editSource} />
      )}
      {columns ? <ColumnPicker columns={columns} selected={draft.columns} onChange={(picked) => editBuilder({ columns: picked })} /> : null}
      {draft.mode === 'dataset' || columns ? (
        <div className="builder-grid">
          <FilterEditor columns={columns} filters={draft.filters} onChange={(filters) => editBuilder({ filters })} />
          <SortEditor columns={columns} sort={draft.sort} unsortedHint={unsortedHint} onChange={(sort) => editBuilder({ sort })} />
        </div>
      ) : null}
      {draft.mode === 'sql' && columns ? <KeyPicker columns={columns} selected={draft.key} onChange={(key) => editBuilder({ key })} /> : null}
      <div className="field">
        <label htmlFor="builder-name">Report name</label>
        <input
          id="builder-name"
          data-testid="builder-name"
          placeholder={draft.mode === 'dataset' && draft.dataset ? draft.dataset : 'Untitled report'}
          value={draft.name}
          onChange={(e) => editBuilder({ name: e.target.value })}
        />
      </div>
      {error ? (
        <ErrorMessage
          error={error}
          onRetry={() => void generate()}
          onEditSource={editSource}
          onAddFilter={draft.mode === 'dataset' || columns ? addFilter : undefined}
          onDismiss={() => setError(null)}
        />
      ) : null}
      <div className="builder-actions">
        <button type="submit" className="button button-primary" disabled={!ready || busy} data-testid="generate">
          {busy ? 'Starting…' : 'Generate'}
        </button>
        <span className="hint">
          <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
        </span>
      </div>
    </form>
  );
}
