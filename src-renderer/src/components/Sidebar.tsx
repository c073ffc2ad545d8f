// The sidebar: sources, their datasets, and the library of saved reports.
import { useState, type KeyboardEvent } from 'react';
import { useAppState } from '../state/store.ts';
import { DatasetsPanel } from './DatasetsPanel.tsx';
import { LibraryPanel } from './LibraryPanel.tsx';
import { SourcesPanel } from './SourcesPanel.tsx';

const SECTIONS = ['sources', 'datasets', 'library'] as const;
type Section = (typeof SECTIONS)[number];

const LABEL: Record<Section, string> = { sources: 'Sources', datasets: 'Datasets', library: 'Library' };

export function Sidebar() {
  const [section, setSection] = useState<Section>('datasets');
  const runCount = useAppState((s) => Object.keys(s.runs).length);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = SECTIONS[(SECTIONS.indexOf(section) + step + SECTIONS.length) % SECTIONS.length] ?? 'sources';
    setSection(next);
    document.getElementById(`sidebar-tab-${next}`)?.focus();
  }

  return (
    <aside className="sidebar" aria-label="Sources, datasets and library">
      <div className="segmented" role="tablist" aria-label="Sidebar" onKeyDown={onKeyDown}>
        {SECTIONS.map((name) => (
          <button
            key={name}
            id={`sidebar-tab-${name}`}
            type="button"
            role="tab"
            aria-selected={section === name}
            aria-controls={`sidebar-panel-${name}`}
            tabIndex={section === name ? 0 : -1}
            data-testid={`sidebar-tab-${name}`}
            onClick={() => setSection(name)}
          >
            {LABEL[name]}
            {name === 'library' && runCount > 0 ? <span className="count">{runCount}</span> : null}
          </button>
        ))}
      </div>
      <div
        className="sidebar-body"
        role="tabpanel"
        id={`sidebar-panel-${section}`}
        aria-labelledby={`sidebar-tab-${section}`}
      >
        {section === 'sources' ? <SourcesPanel /> : null}
        {section === 'datasets' ? <DatasetsPanel /> : null}
        {section === 'library' ? <LibraryPanel /> : null}
      </div>
    </aside>
  );
}
