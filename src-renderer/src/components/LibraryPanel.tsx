// Every saved report, complete or partial, newest first; each opens offline.
import { useMemo, useState } from 'react';
import type { RunSummary } from '../../../src-preload/contract.ts';
import { deleteRun, importReportFile, refreshRuns } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { LibraryItem } from './LibraryItem.tsx';

export function LibraryPanel() {
  const runs = useAppState((s) => s.runs);
  const [query, setQuery] = useState('');
  const [deleting, setDeleting] = useState<RunSummary | null>(null);

  const sorted = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return Object.values(runs)
      .filter((run) => !needle || run.name.toLowerCase().includes(needle) || run.sourceLabel.toLowerCase().includes(needle))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }, [runs, query]);

  async function confirmDelete(): Promise<void> {
    const run = deleting;
    setDeleting(null);
    if (run) await deleteRun(run.runId);
  }

  return (
    <section className="panel" aria-labelledby="library-heading" data-testid="library-panel">
      <div className="panel-header">
        <h2 id="library-heading">Library</h2>
        <div className="panel-header-actions">
          <button type="button" className="button button-small" onClick={() => void refreshRuns()}>
            Refresh
          </button>
          <button type="button" className="button button-small" data-testid="open-report-file" onClick={() => void importReportFile()}>
            Open report file…
          </button>
        </div>
      </div>
      <input
        type="search"
        className="search"
        placeholder="Search saved reports"
        aria-label="Search saved reports"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      {sorted.length === 0 ? (
        <p className="hint">{query ? 'No saved report matches.' : 'Reports you generate are saved here, complete or partial.'}</p>
      ) : null}
      <ul className="list" aria-label="Saved reports">
        {sorted.map((run) => (
          <LibraryItem key={run.runId} run={run} onDelete={() => setDeleting(run)} />
        ))}
      </ul>
      <ConfirmDialog
        open={deleting !== null}
        title="Delete report"
        body={`Delete “${deleting?.name ?? ''}” and its cached rows? This cannot be undone.`}
        confirmLabel="Delete"
        danger
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(null)}
      />
    </section>
  );
}
