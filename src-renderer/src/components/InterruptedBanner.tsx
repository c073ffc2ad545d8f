// After a restart: the reports that were running when the app stopped (crashed
// or closed), each one click from resuming.
import type { RunSummary } from '../../../src-preload/contract.ts';
import { formatCount } from '../format.ts';
import { dismissInterrupted, openRun, resumeRun } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';

export function InterruptedBanner() {
  const ids = useAppState((s) => s.interruptedAtLoad);
  const runs = useAppState((s) => s.runs);
  const dismissed = useAppState((s) => s.interruptedDismissed);
  const waiting = ids.map((id) => runs[id]).filter((run): run is RunSummary => run !== undefined && run.status === 'interrupted');
  if (dismissed || waiting.length === 0) return null;
  return (
    <div className="banner" role="region" aria-label="Interrupted reports" data-testid="interrupted-banner">
      <p>
        <strong>{waiting.length === 1 ? 'A report was interrupted' : `${waiting.length} reports were interrupted`}</strong> when
        ReportStream last stopped. {waiting.length === 1 ? 'Its' : 'Their'} saved rows are kept.
      </p>
      <ul>
        {waiting.map((run) => (
          <li key={run.runId}>
            <button type="button" className="link-button" onClick={() => openRun(run.runId)}>
              {run.name}
            </button>
            <span className="hint"> {formatCount(run.progress.rowsCached)} rows saved</span>
            {run.resumable ? (
              <button type="button" className="button button-small button-primary" data-testid="banner-resume" onClick={() => void resumeRun(run.runId)}>
                Resume
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <button type="button" className="icon-button banner-close" aria-label="Dismiss" onClick={dismissInterrupted}>
        ×
      </button>
    </div>
  );
}
