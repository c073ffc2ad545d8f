// The sources reports read from: the built-in Demo and the saved PostgreSQL profiles.
import { useState } from 'react';
import type { AppError, ConnectionTestResult, SourceInfo } from '../../../src-preload/contract.ts';
import { api } from '../api.ts';
import { formatDuration, sourceKey } from '../format.ts';
import { openSourceForm, removeSource, selectSource } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

type TestState = { key: string } & ({ status: 'testing' } | { status: 'ok'; result: ConnectionTestResult } | { status: 'failed'; error: AppError });

function describeSource(source: SourceInfo): string {
  const profile = source.profile;
  if (!profile) return source.ref.type === 'demo' ? 'Built-in sample orders' : source.label;
  const replica = profile.replica ? ` · replica ${profile.replica.host}:${profile.replica.port}` : '';
  return `${profile.user}@${profile.host}:${profile.port}/${profile.database}${replica}`;
}

export function SourcesPanel() {
  const sources = useAppState((s) => s.sources);
  const selected = useAppState((s) => s.selectedSource);
  const [test, setTest] = useState<TestState | null>(null);
  const [removing, setRemoving] = useState<SourceInfo | null>(null);
  const [removeError, setRemoveError] = useState<AppError | null>(null);

  async function runTest(source: SourceInfo): Promise<void> {
    const key = sourceKey(source.ref);
    setTest({ key, status: 'testing' });
    const result = await api.testSource({ ref: source.ref });
    setTest(result.ok ? { key, status: 'ok', result: result.value } : { key, status: 'failed', error: result.error });
  }

  async function confirmRemove(): Promise<void> {
    const profileId = removing?.profile?.id;
    setRemoving(null);
    if (!profileId) return;
    const removed = await removeSource(profileId);
    setRemoveError(removed.ok ? null : removed.error);
  }

  return (
    <section className="panel" aria-labelledby="sources-heading" data-testid="sources-panel">
      <div className="panel-header">
        <h2 id="sources-heading">Sources</h2>
        <button type="button" className="button button-small" data-testid="add-source" onClick={() => openSourceForm('new')}>
          + Add PostgreSQL
        </button>
      </div>
      {removeError ? <ErrorMessage error={removeError} onDismiss={() => setRemoveError(null)} /> : null}
      <ul className="list" aria-label="Sources">
        {sources.map((source) => {
          const key = sourceKey(source.ref);
          const isSelected = key === selected;
          const testHere = test?.key === key ? test : null;
          return (
            <li
              key={key}
              className={isSelected ? 'list-item selected' : 'list-item'}
              data-testid="source-item"
              data-source-key={key}
              data-database={source.profile?.database ?? ''}
            >
              <button
                type="button"
                className="list-item-main"
                aria-pressed={isSelected}
                onClick={() => selectSource(key)}
              >
                <span className="list-item-title">
                  <span className={`source-icon source-${source.ref.type}`} aria-hidden="true" />
                  {source.label}
                </span>
                <span className="list-item-sub">{describeSource(source)}</span>
              </button>
              <div className="list-item-actions">
                <button type="button" className="link-button" data-testid="test-source" onClick={() => void runTest(source)}>
                  Test
                </button>
                {source.profile ? (
                  <>
                    <button
                      type="button"
                      className="link-button"
                      data-testid="edit-source"
                      onClick={() => openSourceForm(source.profile?.id ?? 'new')}
                    >
                      Edit
                    </button>
                    <button type="button" className="link-button danger" data-testid="remove-source" onClick={() => setRemoving(source)}>
                      Remove
                    </button>
                  </>
                ) : null}
              </div>
              {testHere?.status === 'testing' ? <p className="hint" role="status">Testing…</p> : null}
              {testHere?.status === 'ok' ? (
                <p className="hint ok" role="status" data-testid="source-test-ok">
                  Connected in {formatDuration(testHere.result.ms)} · {testHere.result.serverVersion}
                </p>
              ) : null}
              {testHere?.status === 'failed' ? (
                <ErrorMessage error={testHere.error} onEditSource={source.profile ? () => openSourceForm(source.profile?.id ?? 'new') : undefined} onDismiss={() => setTest(null)} />
              ) : null}
            </li>
          );
        })}
      </ul>
      <ConfirmDialog
        open={removing !== null}
        title="Remove source"
        body={`Remove “${removing?.label ?? ''}”? Saved reports from it stay in the library.`}
        confirmLabel="Remove"
        danger
        onConfirm={() => void confirmRemove()}
        onCancel={() => setRemoving(null)}
      />
    </section>
  );
}
