import { ReactNode } from 'react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';

/** @public */
export type ConfirmActionDialogProps = {
  open: boolean;
  title: string;
  /** What will happen, in words; inputs (e.g. replicas) go here too. */
  children: ReactNode;
  confirmLabel: string;
  /** The action runs: buttons are disabled and a spinner shows. */
  busy?: boolean;
  confirmDisabled?: boolean;
  /** Deleting and the like: the confirm button is coloured as a warning. */
  destructive?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
};

/** Asks before a change to a running deployment is made. */
export function ConfirmActionDialog(props: ConfirmActionDialogProps) {
  const { open, title, children, confirmLabel, busy } = props;
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : props.onCancel}
      aria-labelledby="confirm-action-title"
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle id="confirm-action-title">{title}</DialogTitle>
      <DialogContent>{children}</DialogContent>
      <DialogActions>
        <Button onClick={props.onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          color={props.destructive ? 'secondary' : 'primary'}
          onClick={props.onConfirm}
          disabled={busy || props.confirmDisabled}
          startIcon={busy ? <CircularProgress size={16} /> : undefined}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
