// One report's tab: what it is, how far it has come, its rows, and what can be
// done with it (cancel, resume, export).
import { useEffect, useRef, useState } from 'react';
import type { AppError, RunSummary } from '../../../src-preload/contract.ts';
import { formatCount, formatDate, isActive, isResumableStatus } from '../format.ts';
import { ReportGrid, type GridPageInfo } from '../grid/ReportGrid.tsx';
import { cancelRun, openSourceForm, refreshRun, resumeRun, startRun } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { ExportDialog } from './ExportDialog.tsx';
import { StatusBadge } from './StatusBadge.tsx';
import { RunProgress } from './RunProgress.tsx';

/** Runs going longer than this ask before they are cancelled. */
const CONFIRM_CANCEL_AFTER_MS = 10_000;

function isTypingTarget(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable="true"], .ag-popup') !== null;
}

export function RunView({ runId, visible }: { runId: string; visible: boolean }) {
  const run = useAppState((s) => s.runs[runId]);
  if (!run) {
    return <p className="empty-state">This report is no longer in the library.</p>;
  }
  return <RunPanel run={run} visible={visible} />;
}

function RunPanel({ run, visible }: { run: RunSummary; visible: boolean }) {
  const [pageInfo, setPageInfo] = useState<GridPageInfo | null>(null);
  const [gridError, setGridError] = useState<AppError | null>(null);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [exporting, setExporting] = useState(false);
  const active = isActive(run.status);
  const elapsed = useRef(run.progress.elapsedMs);
  elapsed.current = run.progress.elapsedMs;

  const requestCancel = useRef(() => {});
  requestCancel.current = () => {
    if (elapsed.current > CONFIRM_CANCEL_AFTER_MS) setConfirmingCancel(true);
    else void cancelRun(run.runId);
  };

  useEffect(() => {
    if (!visible || !active) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented || isTypingTarget(event.target)) return;
      if (document.querySelector('dialog[open], .ag-popup')) return;
      event.preventDefault();
      requestCancel.current();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [visible, active]);

  // A run opened before its first chunk may not know its columns yet.
  const needsColumns = run.columns.length === 0 && run.progress.rowsCached > 0;
  useEffect(() => {
    if (needsColumns) void refreshRun(run.runId);
  }, [needsColumns, run.runId]);

  const canResume = run.resumable && isResumableStatus(run.status);
  const canRestart = !run.resumable && isResumableStatus(run.status);
  const partial = isResumableStatus(run.status);
  const stoppedEmpty = !active && pageInfo !== null && pageInfo.rowCount === 0;
  const editSource = run.source.type === 'postgres' ? () => openSourceForm(run.source.type === 'postgres' ? run.source.profileId : 'new') : undefined;

  return (
    <div className="run-view" data-testid="run-view" data-run-id={run.runId} data-status={run.status}>
      <header className="run-header">
        <div className="run-title">
          <h2 className="truncate" data-testid="run-name" title={run.name}>
            {run.name}
          </h2>
          <StatusBadge status={run.status} />
          {partial ? (
            <span className="badge badge-partial" data-testid="partial-badge" title="The report stopped before all rows arrived; the rows so far are saved.">
              Partial
            </span>
          ) : null}
        </div>
        <div className="run-actions">
          {active ? (
            <button type="button" className="button button-danger" data-testid="cancel-run" title="Cancel (Esc)" onClick={() => requestCancel.current()}>
              Cancel
            </button>
          ) : null}
          {canResume ? (
            <button type="button" className="button button-primary" data-testid="resume-run" onClick={() => void resumeRun(run.runId)}>
              Resume
            </button>
          ) : null}
          {canRestart ? (
            <button type="button" className="button" data-testid="restart-run" onClick={() => void startRun(run.definition)}>
              Run again
            </button>
          ) : null}
          <button
            type="button"
            className="button"
            data-testid="export-run"
            disabled={active || run.progress.rowsCached === 0}
            title={active ? 'Export when the report has stopped' : undefined}
            onClick={() => setExporting(true)}
          >
            Export…
          </button>
        </div>
      </header>
      <p className="run-meta">
        {run.sourceLabel} · {run.definition.dataset ?? 'SQL'} · started {formatDate(run.startedAt ?? run.createdAt)}
        {run.resumeKey.length > 0 ? ` · key ${run.resumeKey.join(', ')}` : ''}
      </p>
      <RunProgress run={run} />
      {run.status === 'cancelled' ? (
        <p className="note" role="status" data-testid="cancelled-note">
          Cancelled. The {formatCount(run.progress.rowsCached)} rows received so far are saved
          {run.resumable ? '; Resume fetches the rest.' : '. This report has no unique key, so it can only run again from the start.'}
        </p>
      ) : null}
      {run.error && run.error.kind !== 'Cancelled' && run.status !== 'completed' ? (
        <ErrorMessage
          error={run.error}
          onResume={canResume ? () => void resumeRun(run.runId) : undefined}
          onRetry={() => void startRun(run.definition)}
          onEditSource={editSource}
        />
      ) : null}
      {gridError ? <ErrorMessage error={gridError} onDismiss={() => setGridError(null)} /> : null}
      <div className="grid-area">
        {run.columns.length > 0 ? (
          <ReportGrid
            run={run}
            onPageInfo={(info) => {
              setPageInfo(info);
              setGridError(null);
            }}
            onError={setGridError}
          />
        ) : active ? (
          <p className="grid-overlay" role="status">
            Waiting for the first rows…
          </p>
        ) : (
          <p className="grid-overlay" role="status" data-testid={run.status === 'completed' ? 'no-data' : 'no-rows'}>
            {run.status === 'completed' ? 'No data' : 'No rows were received.'}
          </p>
        )}
        {stoppedEmpty ? (
          <p className="grid-overlay" role="status" data-testid={pageInfo.filtered ? 'no-matches' : 'no-data'}>
            {pageInfo.filtered ? 'No rows match the filters.' : run.status === 'completed' ? 'No data' : 'No rows were cached before the report stopped.'}
          </p>
        ) : null}
      </div>
      <footer className="run-footer">
        <span data-testid="grid-row-count" data-count={pageInfo?.rowCount ?? ''}>
          {pageInfo ? `${formatCount(pageInfo.rowCount)} ${pageInfo.filtered ? 'matching rows' : 'rows'}${pageInfo.final ? '' : ' so far'}` : ' '}
        </span>
        <span className="hint">Sort and filter from the column headers; they run on the saved rows.</span>
      </footer>
      <ConfirmDialog
        open={confirmingCancel}
        title="Cancel this report?"
        body={`It has been running for a while and has ${formatCount(run.progress.rowsCached)} rows. They stay saved, marked partial${run.resumable ? ', and you can resume later' : ''}.`}
        confirmLabel="Cancel report"
        danger
        onConfirm={() => {
          setConfirmingCancel(false);
          void cancelRun(run.runId);
        }}
        onCancel={() => setConfirmingCancel(false)}
      />
      {exporting ? <ExportDialog run={run} onClose={() => setExporting(false)} /> : null}
    </div>
  );
}
