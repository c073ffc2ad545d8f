// Short messages about actions started from the sidebar or a tab.
import { dismissNotice, openSourceForm } from '../state/actions.ts';
import { useAppState } from '../state/store.ts';
import { ErrorMessage } from './ErrorMessage.tsx';

export function Notices() {
  const notices = useAppState((s) => s.notices);
  if (notices.length === 0) return null;
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) =>
        notice.error ? (
          <div key={notice.id} className="notice notice-error">
            <p className="notice-text">{notice.text}</p>
            <ErrorMessage
              error={notice.error}
              onEditSource={
                notice.profileId
                  ? () => {
                      dismissNotice(notice.id);
                      openSourceForm(notice.profileId ?? 'new');
                    }
                  : undefined
              }
              onDismiss={() => dismissNotice(notice.id)}
            />
          </div>
        ) : (
          <div key={notice.id} className="notice" role="status">
            <p className="notice-text">{notice.text}</p>
            <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismissNotice(notice.id)}>
              ×
            </button>
          </div>
        ),
      )}
    </div>
  );
}
