// Asks before something that cannot be taken back or interrupts work.
import { Dialog } from './Dialog.tsx';

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  body: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog({ open, title, body, confirmLabel, danger, onConfirm, onCancel }: ConfirmDialogProps) {
  return (
    <Dialog open={open} title={title} onClose={onCancel} testId="confirm-dialog">
      <p>{body}</p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          Keep going
        </button>
        <button
          type="button"
          className={danger ? 'button button-danger' : 'button button-primary'}
          data-testid="confirm-button"
          autoFocus
          onClick={onConfirm}
        >
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
