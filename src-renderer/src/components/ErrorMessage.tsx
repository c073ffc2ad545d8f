// An error as the analyst should read it: what happened, the host's own words,
// and the next step, with a button for it where there is one.
import type { AppError } from '../../../src-preload/contract.ts';
import { describeError } from '../errors.ts';
import { useAppState } from '../state/store.ts';

interface ErrorMessageProps {
  error: AppError;
  onResume?: () => void;
  onRetry?: () => void;
  onEditSource?: () => void;
  onAddFilter?: () => void;
  onDismiss?: () => void;
}

export function ErrorMessage({ error, onResume, onRetry, onEditSource, onAddFilter, onDismiss }: ErrorMessageProps) {
  const maxConcurrentRuns = useAppState((s) => s.info?.maxConcurrentRuns);
  const advice = describeError(error, maxConcurrentRuns ? { maxConcurrentRuns } : {});
  const handler =
    advice.action === 'resume'
      ? onResume
      : advice.action === 'retry'
        ? onRetry
        : advice.action === 'editSource'
          ? onEditSource
          : advice.action === 'addFilter'
            ? onAddFilter
            : undefined;
  const label =
    advice.action === 'resume'
      ? 'Resume'
      : advice.action === 'retry'
        ? 'Try again'
        : advice.action === 'editSource'
          ? 'Edit source'
          : 'Add a filter';
  return (
    <div className="error-box" role="alert" data-testid="error-message" data-kind={error.kind}>
      <div className="error-text">
        <strong className="error-title">{advice.title}</strong>
        <p className="error-next">{advice.nextStep}</p>
        {error.message && error.message !== advice.title ? (
          <p className="error-detail">
            <span className="visually-hidden">Details: </span>
            {error.message}
          </p>
        ) : null}
      </div>
      <div className="error-actions">
        {handler ? (
          <button type="button" className="button button-primary" data-testid={`error-action-${advice.action}`} onClick={handler}>
            {label}
          </button>
        ) : null}
        {onDismiss ? (
          <button type="button" className="button" onClick={onDismiss}>
            Dismiss
          </button>
        ) : null}
      </div>
    </div>
  );
}
