// The library's history at a glance: success rate, average duration, failures by kind.
import { useEffect, useState } from 'react';
import type { AppError, ErrorKind, LibraryStats } from '../../../src-preload/contract.ts';
import { api } from '../api.ts';
import { adviceFor, describeError } from '../errors.ts';
import { formatCount, formatDate, formatDuration } from '../format.ts';
import { openRun } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';
import { ErrorMessage } from './ErrorMessage.tsx';

export function ActivityView() {
  const [stats, setStats] = useState<LibraryStats | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const runCount = useAppState((s) => Object.keys(s.runs).length);
  const finished = useAppState((s) => Object.values(s.runs).filter((r) => r.endedAt).length);

  async function load(): Promise<void> {
    const result = await api.getStats();
    if (result.ok) {
      setStats(result.value);
      setError(null);
    } else setError(result.error);
  }

  useEffect(() => {
    void load();
  }, [runCount, finished]);

  const failures = stats ? (Object.entries(stats.failuresByKind) as [ErrorKind, number][]).sort((a, b) => b[1] - a[1]) : [];
  const maxFailures = Math.max(1, ...failures.map(([, n]) => n));

  return (
    <section className="activity" aria-labelledby="activity-heading" data-testid="activity-view">
      <div className="panel-header">
        <h2 id="activity-heading">Activity</h2>
        <button type="button" className="button button-small" onClick={() => void load()}>
          Refresh
        </button>
      </div>
      {error ? <ErrorMessage error={error} onRetry={() => void load()} /> : null}
      {stats ? (
        <>
          <dl className="stat-cards">
            <div className="stat-card">
              <dt>Reports</dt>
              <dd>{formatCount(stats.runs)}</dd>
            </div>
            <div className="stat-card">
              <dt>Completed</dt>
              <dd>{formatCount(stats.completed)}</dd>
            </div>
            <div className="stat-card">
              <dt>Success rate</dt>
              <dd data-testid="success-rate">{stats.successRate == null ? '—' : `${Math.round(stats.successRate * 100)}%`}</dd>
            </div>
            <div className="stat-card">
              <dt>Average duration</dt>
              <dd>{formatDuration(stats.averageDurationMs)}</dd>
            </div>
          </dl>
          <h3>Failures by kind</h3>
          {failures.length === 0 ? <p className="hint">No failures.</p> : null}
          <ul className="bars" aria-label="Failures by kind">
            {failures.map(([kind, count]) => (
              <li key={kind} className="bar-row">
                <span className="bar-label">{adviceFor(kind).title}</span>
                <span className="bar">
                  <span className="bar-fill" style={{ width: `${(count / maxFailures) * 100}%` }} />
                </span>
                <span className="bar-value">{formatCount(count)}</span>
              </li>
            ))}
          </ul>
          <h3>Recent failures</h3>
          {stats.recentFailures.length === 0 ? <p className="hint">None recently.</p> : null}
          {stats.recentFailures.length > 0 ? (
            <div className="table-scroll">
              <table className="data-table">
                <thead>
                  <tr>
                    <th scope="col">Report</th>
                    <th scope="col">Kind</th>
                    <th scope="col">Message</th>
                    <th scope="col">When</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.recentFailures.map((failure) => (
                    <tr key={`${failure.runId}-${failure.at}`}>
                      <td>
                        <button type="button" className="link-button" onClick={() => openRun(failure.runId)}>
                          {failure.name}
                        </button>
                      </td>
                      <td>{describeError(failure).title}</td>
                      <td className="wrap">{failure.message}</td>
                      <td className="nowrap">{formatDate(failure.at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : !error ? (
        <p className="hint" role="status">Loading…</p>
      ) : null}
    </section>
  );
}
