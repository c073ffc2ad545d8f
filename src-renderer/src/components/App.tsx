// The window: a header, the sidebar, and the tabs of the workspace.
import { isActive } from '../format.ts';
import { activateTab } from '../state/actions.ts';
import { runIdOfTab } from '../state/app-state.ts';
import { useAppState } from '../state/store.ts';
import { ActivityView } from './ActivityView.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';
import { InterruptedBanner } from './InterruptedBanner.tsx';
import { Notices } from './Notices.tsx';
import { ReportBuilder } from './ReportBuilder.tsx';
import { RunView } from './RunView.tsx';
import { Sidebar } from './Sidebar.tsx';
import { SourceForm } from './SourceForm.tsx';
import { panelDomId, tabDomId, TabBar } from './TabBar.tsx';

function RunningCount() {
  const running = useAppState((s) => Object.values(s.runs).filter((run) => isActive(run.status)).length);
  const limit = useAppState((s) => s.info?.maxConcurrentRuns);
  if (running === 0) return null;
  return (
    <span className="header-chip" data-testid="running-count" role="status">
      {running} running{limit ? ` of ${limit}` : ''}
    </span>
  );
}

export function App() {
  const info = useAppState((s) => s.info);
  const startupError = useAppState((s) => s.startupError);
  const tabs = useAppState((s) => s.tabs);
  const activeTab = useAppState((s) => s.activeTab);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">ReportStream</span>
          {info ? <span className="header-dim">{info.host === 'browser' ? 'Browser' : 'Desktop'} · v{info.version}</span> : null}
        </div>
        <div className="header-actions">
          <RunningCount />
          <button type="button" className="button button-small" data-testid="open-activity" onClick={() => activateTab('activity')}>
            Activity
          </button>
          <button type="button" className="button button-small button-primary" data-testid="new-report" onClick={() => activateTab('builder')}>
            New report
          </button>
        </div>
      </header>
      {startupError ? (
        <div className="startup-error">
          <ErrorMessage error={startupError} onRetry={() => window.location.reload()} />
        </div>
      ) : null}
      <InterruptedBanner />
      <div className="app-body">
        <Sidebar />
        <main className="workspace" aria-label="Reports">
          <TabBar />
          {tabs.map((tab) => {
            const runId = runIdOfTab(tab);
            const selected = tab === activeTab;
            return (
              <div
                key={tab}
                id={panelDomId(tab)}
                role="tabpanel"
                aria-labelledby={tabDomId(tab)}
                className="tab-panel"
                hidden={!selected}
              >
                {runId ? <RunView runId={runId} visible={selected} /> : null}
                {tab === 'builder' ? <ReportBuilder /> : null}
                {tab === 'activity' && selected ? <ActivityView /> : null}
              </div>
            );
          })}
        </main>
      </div>
      <SourceForm />
      <Notices />
    </div>
  );
}
