import type { RunStatus } from '../../../src-preload/contract.ts';
import { STATUS_LABEL } from '../format.ts';

export function StatusBadge({ status }: { status: RunStatus }) {
  return (
    <span className={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  );
}
