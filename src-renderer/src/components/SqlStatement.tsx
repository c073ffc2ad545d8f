// The builder's SQL statement, and a check of the columns it returns (on
// demand, or once typing pauses) that feeds the column, filter, sort and key pickers.
import { useEffect } from 'react';
import { describeBuilderSql, editBuilder } from '../state/actions.ts';
import type { SqlDescription } from '../state/app-state.ts';
import { useAppState } from '../state/store.ts';
import { ErrorMessage } from './ErrorMessage.tsx';

// Long enough to fall between words, so that typing does not send a check per keystroke.
const CHECK_AFTER_MS = 800;

function checkStatus(description: SqlDescription | null, current: boolean): string {
  if (!description || !current) {
    return description?.columns
      ? 'The statement changed: its columns are checked again when you stop typing.'
      : 'Its columns are checked when you stop typing; then pick columns, filters, sort and a resume key.';
  }
  switch (description.status) {
    case 'describing':
      return 'Checking columns…';
    case 'described':
      return `${description.columns.length} ${description.columns.length === 1 ? 'column' : 'columns'}.`;
    case 'failed':
      return 'The statement could not be checked.';
    default: {
      const unknown: never = description;
      throw new Error(`Unknown check status: ${JSON.stringify(unknown)}`);
    }
  }
}

export function SqlStatement({ onEditSource }: { onEditSource?: () => void }) {
  const sql = useAppState((s) => s.builder.sql);
  const selectedSource = useAppState((s) => s.selectedSource);
  const description = useAppState((s) => s.sqlDescription);
  const current = description?.sql === sql && description.source === selectedSource;
  const blank = sql.trim() === '';

  useEffect(() => {
    if (current || blank) return;
    const timer = setTimeout(() => void describeBuilderSql(), CHECK_AFTER_MS);
    return () => clearTimeout(timer);
  }, [sql, selectedSource, current, blank]);

  return (
    <div className="field">
      <label htmlFor="builder-sql">SQL (one read-only statement)</label>
      <textarea
        id="builder-sql"
        className="sql"
        rows={7}
        spellCheck={false}
        placeholder="select * from orders where created_at >= '2024-01-01'"
        data-testid="builder-sql"
        value={sql}
        onChange={(e) => editBuilder({ sql: e.target.value })}
      />
      <div className="sql-check">
        <button
          type="button"
          className="button button-small"
          data-testid="describe-sql"
          disabled={blank || (current && description.status === 'describing')}
          onClick={() => void describeBuilderSql()}
        >
          Check columns
        </button>
        {blank ? null : (
          <span className="hint" role="status" data-testid="sql-check-status">
            {checkStatus(description, current)}
          </span>
        )}
      </div>
      {current && description.status === 'failed' ? (
        <ErrorMessage error={description.error} onRetry={() => void describeBuilderSql()} onEditSource={onEditSource} />
      ) : null}
      {description?.status === 'described' && description.dropped.length > 0 ? (
        <p className="note" data-testid="dropped-picks">
          The statement no longer returns {description.dropped.join(', ')}, so {description.dropped.length === 1 ? 'it was' : 'they were'} removed from
          the columns, filters, sort and key.
        </p>
      ) : null}
    </div>
  );
}
