// One saved report in the library: open, resume, rename, delete.
import { useState, type KeyboardEvent } from 'react';
import type { RunSummary } from '../../../src-preload/contract.ts';
import { formatCount, formatDate, isResumableStatus } from '../format.ts';
import { openRun, renameRun, resumeRun } from '../state/actions.ts';
import { runTab } from '../state/app-state.ts';
import { useAppState } from '../state/store.ts';
import { StatusBadge } from './StatusBadge.tsx';

interface LibraryItemProps {
  run: RunSummary;
  onDelete: () => void;
}

export function LibraryItem({ run, onDelete }: LibraryItemProps) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(run.name);
  const canResume = run.resumable && isResumableStatus(run.status);
  const isOpen = useAppState((s) => s.activeTab === runTab(run.runId));

  async function commitRename(): Promise<void> {
    setRenaming(false);
    const trimmed = name.trim();
    if (trimmed && trimmed !== run.name) await renameRun(run.runId, trimmed);
    else setName(run.name);
  }

  function onRenameKey(event: KeyboardEvent<HTMLInputElement>): void {
    if (event.key === 'Enter') void commitRename();
    if (event.key === 'Escape') {
      event.preventDefault();
      setName(run.name);
      setRenaming(false);
    }
  }

  return (
    <li className={isOpen ? 'list-item selected' : 'list-item'} data-testid="library-item" data-run-id={run.runId} data-status={run.status}>
      {renaming ? (
        <input
          className="rename-input"
          aria-label="New report name"
          data-testid="rename-input"
          autoFocus
          value={name}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={onRenameKey}
          onBlur={() => void commitRename()}
        />
      ) : (
        <button
          type="button"
          className="list-item-main"
          data-testid="library-open"
          aria-current={isOpen ? 'page' : undefined}
          onClick={() => openRun(run.runId)}
        >
          <span className="list-item-title">
            <span className="truncate">{run.name}</span>
            <StatusBadge status={run.status} />
          </span>
          <span className="list-item-sub">
            {formatCount(run.progress.rowsCached)} rows · {run.sourceLabel}
          </span>
          <span className="list-item-sub">{formatDate(run.createdAt)}</span>
        </button>
      )}
      <div className="list-item-actions">
        {canResume ? (
          <button type="button" className="link-button" data-testid="library-resume" onClick={() => void resumeRun(run.runId)}>
            Resume
          </button>
        ) : null}
        <button
          type="button"
          className="link-button"
          data-testid="library-rename"
          onClick={() => {
            setName(run.name);
            setRenaming(true);
          }}
        >
          Rename
        </button>
        <button type="button" className="link-button danger" data-testid="library-delete" onClick={onDelete}>
          Delete
        </button>
      </div>
    </li>
  );
}
