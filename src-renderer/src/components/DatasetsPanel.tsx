// Tables and views of the selected source, searchable, with their columns.
import { useMemo, useState } from 'react';
import type { Dataset } from '../../../src-preload/contract.ts';
import { formatCompact, formatCount } from '../format.ts';
import { activateTab, editBuilder, loadDatasets } from '../state/actions.ts';
import { emptyDraft } from '../state/app-state.ts';
import { useAppState } from '../state/store.ts';
import { ErrorMessage } from './ErrorMessage.tsx';
import { SourcePicker } from './SourcePicker.tsx';

function estimate(dataset: Dataset): string {
  if (dataset.estimatedRows == null) return 'rows unknown';
  return `~${formatCompact(dataset.estimatedRows)} rows`;
}

export function DatasetsPanel() {
  const selected = useAppState((s) => s.selectedSource);
  const list = useAppState((s) => s.datasets[s.selectedSource]);
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState<string | null>(null);

  const matches = useMemo(() => {
    if (list?.status !== 'ready') return [];
    const needle = query.trim().toLowerCase();
    return needle ? list.datasets.filter((d) => d.name.toLowerCase().includes(needle)) : list.datasets;
  }, [list, query]);

  function startReportFrom(dataset: Dataset): void {
    editBuilder({ ...emptyDraft, mode: 'dataset', dataset: dataset.name, name: dataset.table });
    activateTab('builder');
  }

  return (
    <section className="panel" aria-labelledby="datasets-heading" data-testid="datasets-panel">
      <div className="panel-header">
        <h2 id="datasets-heading">Datasets</h2>
        <button type="button" className="button button-small" onClick={() => void loadDatasets(selected)}>
          Refresh
        </button>
      </div>
      <SourcePicker />
      <input
        type="search"
        className="search"
        placeholder="Search tables and views"
        aria-label="Search datasets"
        data-testid="dataset-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {list === undefined || list.status === 'loading' ? <p className="hint" role="status">Loading datasets…</p> : null}
      {list?.status === 'failed' ? <ErrorMessage error={list.error} onRetry={() => void loadDatasets(selected)} /> : null}
      {list?.status === 'ready' && matches.length === 0 ? (
        <p className="hint">{query ? 'No dataset matches that name.' : 'This source has no tables or views you can read.'}</p>
      ) : null}
      <ul className="list" aria-label="Datasets">
        {matches.map((dataset) => {
          const open = expanded === dataset.name;
          return (
            <li key={dataset.name} className="list-item" data-testid="dataset-item" data-dataset={dataset.name}>
              <button
                type="button"
                className="list-item-main"
                aria-expanded={open}
                onClick={() => setExpanded(open ? null : dataset.name)}
              >
                <span className="list-item-title">
                  <span className="dataset-type">{dataset.type === 'view' ? 'view' : 'table'}</span>
                  {dataset.name}
                </span>
                <span className="list-item-sub">
                  {estimate(dataset)} · {dataset.columns.length} columns
                </span>
              </button>
              <div className="list-item-actions">
                <button type="button" className="link-button" data-testid="use-dataset" onClick={() => startReportFrom(dataset)}>
                  New report
                </button>
              </div>
              {open ? (
                <table className="columns-table" aria-label={`Columns of ${dataset.name}`}>
                  <tbody>
                    {dataset.columns.map((column) => (
                      <tr key={column.name}>
                        <td className="column-name">
                          {column.name}
                          {dataset.primaryKey.includes(column.name) ? <span className="key-mark" title="Primary key"> key</span> : null}
                        </td>
                        <td className="column-type">{column.type}</td>
                      </tr>
                    ))}
                  </tbody>
                  {dataset.estimatedRows != null ? (
                    <caption className="hint">Planner estimate: {formatCount(dataset.estimatedRows)} rows</caption>
                  ) : null}
                </table>
              ) : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
