// How far a report has come: a bar with percent, rows of the total (an estimate
// until the exact count arrives), rows per second and ETA; indeterminate when
// the total is unknown, "Reconnecting" while a lost connection is retried.
import type { RunSummary } from '../../../src-preload/contract.ts';
import { formatCount, formatDuration, formatEta, isActive, rowsOfTotal } from '../format.ts';

export function RunProgress({ run }: { run: RunSummary }) {
  const { progress, status } = run;
  const active = isActive(status);
  const percent = status === 'completed' ? 100 : progress.percent == null ? null : Math.min(100, Math.max(0, progress.percent));
  const indeterminate = active && percent == null;
  const shown = percent == null ? null : Math.floor(percent);
  const valueText = `${shown == null ? '' : `${shown}%, `}${rowsOfTotal(progress)}`;

  return (
    <div
      className={`run-progress run-progress-${status}`}
      data-testid="run-progress"
      data-status={status}
      data-rows-cached={progress.rowsCached}
      data-percent={shown ?? ''}
    >
      <div
        className={indeterminate ? 'progress-track indeterminate' : 'progress-track'}
        role="progressbar"
        aria-label="Report progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={shown ?? undefined}
        aria-valuetext={valueText}
      >
        <div className="progress-fill" style={indeterminate ? undefined : { width: `${percent ?? 0}%` }} />
      </div>
      <div className="progress-meta">
        <span className="progress-percent" data-testid="run-percent">
          {shown == null ? '—' : `${shown}%`}
        </span>
        <span data-testid="run-rows">{rowsOfTotal(progress)}</span>
        {active ? (
          <>
            <span>{formatCount(Math.round(progress.rowsPerSec))} rows/s</span>
            <span>ETA {formatEta(progress.etaSeconds)}</span>
          </>
        ) : (
          <span>in {formatDuration(run.durationMs ?? progress.elapsedMs)}</span>
        )}
        {progress.reconnect ? (
          <span className="reconnecting" role="status" data-testid="run-reconnect">
            Reconnecting ({progress.reconnect.attempt} of {progress.reconnect.of})…
          </span>
        ) : null}
      </div>
    </div>
  );
}
