// The open tabs: the builder, the activity view and one per report, each
// report showing its own progress. Arrow keys move between tabs.
import type { KeyboardEvent } from 'react';
import { isActive } from '../format.ts';
import { activateTab, closeTabOf } from '../state/actions.ts';
import { runIdOfTab, type TabKey } from '../state/app-state.ts';
import { useAppState } from '../state/store.ts';

export const tabDomId = (tab: TabKey): string => `tab-${tab.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
export const panelDomId = (tab: TabKey): string => `panel-${tab.replace(/[^a-zA-Z0-9_-]/g, '_')}`;

function RunTabLabel({ runId }: { runId: string }) {
  const run = useAppState((s) => s.runs[runId]);
  if (!run) return <span className="tab-label">Deleted report</span>;
  const percent = run.progress.percent;
  return (
    <>
      <span className={`tab-dot dot-${run.status}`} aria-hidden="true" />
      <span className="tab-label">{run.name}</span>
      {isActive(run.status) ? <span className="tab-progress">{percent == null ? '…' : `${Math.floor(percent)}%`}</span> : null}
    </>
  );
}

export function TabBar() {
  const tabs = useAppState((s) => s.tabs);
  const activeTab = useAppState((s) => s.activeTab);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = tabs[(tabs.indexOf(activeTab) + step + tabs.length) % tabs.length];
    if (!next) return;
    activateTab(next);
    document.getElementById(tabDomId(next))?.focus();
  }

  return (
    <div className="tabbar" role="tablist" aria-label="Open reports" onKeyDown={onKeyDown}>
      {tabs.map((tab) => {
        const runId = runIdOfTab(tab);
        const selected = tab === activeTab;
        return (
          <div key={tab} className={selected ? 'tab selected' : 'tab'} data-testid="tab" data-tab={tab}>
            <button
              id={tabDomId(tab)}
              type="button"
              role="tab"
              aria-selected={selected}
              aria-controls={panelDomId(tab)}
              tabIndex={selected ? 0 : -1}
              className="tab-button"
              onClick={() => activateTab(tab)}
              onAuxClick={(e) => e.button === 1 && closeTabOf(tab)}
            >
              {runId ? <RunTabLabel runId={runId} /> : <span className="tab-label">{tab === 'builder' ? '+ New report' : 'Activity'}</span>}
            </button>
            {tab !== 'builder' ? (
              <button type="button" className="tab-close" aria-label="Close tab" data-testid="tab-close" onClick={() => closeTabOf(tab)}>
                ×
              </button>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}
