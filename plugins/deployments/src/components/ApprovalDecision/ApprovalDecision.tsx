import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  ApprovalRequest,
  deploymentsApprovePermission,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { deploymentsApiRef } from '../../api';
import { useSignedInUser } from '../../hooks/useSignedInUser';
import { errorMessage, shortRef } from '../../lib/format';
import {
  decisionBlockedReason,
  describeApprovalChange,
} from '../../lib/governance';
import { ConfirmActionDialog } from '../ConfirmActionDialog';
import { DismissibleAlert } from '../DismissibleAlert';

type Decision = 'approve' | 'reject';

/** What a decision led to, in words. @public */
export type ApprovalDecisionOutcome = {
  severity: 'success' | 'warning' | 'error';
  message: string;
};

type Outcome = ApprovalDecisionOutcome;

function describeDecision(decided: ApprovalRequest): Outcome {
  if (decided.status === 'rejected') {
    return { severity: 'success', message: 'Rejected: nothing was applied.' };
  }
  if (decided.result === 'failed') {
    return {
      severity: 'warning',
      message: `Approved, but applying it failed${
        decided.error ? `: ${decided.error}` : ''
      }`,
    };
  }
  if (decided.result === 'applied') {
    return {
      severity: 'success',
      message: `Approved and applied${
        decided.revision === undefined ? '' : ` (revision ${decided.revision})`
      }.`,
    };
  }
  return {
    severity: 'success',
    message:
      'Approved: the change is queued and runs now; this request shows its result when it ends.',
  };
}

/** @public */
export type ApprovalDecisionProps = {
  approval: ApprovalRequest;
  /** Called with the decided request (after a decision or a conflict). */
  onDecided?: (decided?: ApprovalRequest) => void;
  /**
   * Where to report the outcome when the caller shows it itself (a list
   * whose decided entries disappear); otherwise it shows below the buttons.
   */
  onOutcome?: (outcome: ApprovalDecisionOutcome) => void;
};

/**
 * Approve and Reject for one pending request, each asking for confirmation
 * with an optional comment. Disabled, with the reason in words, for the
 * requester (four-eyes) and for users the permission policy does not allow;
 * the backend enforces both again and its refusals (403, 409) are shown.
 */
export function ApprovalDecision(props: ApprovalDecisionProps) {
  const { approval, onDecided, onOutcome } = props;
  const api = useApi(deploymentsApiRef);
  const user = useSignedInUser();
  const permission = usePermission({
    permission: deploymentsApprovePermission,
    resourceRef: approval.entityRef,
  });
  const [decision, setDecision] = useState<Decision>();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setLocalOutcome] = useState<Outcome>();
  const setOutcome = (next: Outcome | undefined) =>
    next && onOutcome ? onOutcome(next) : setLocalOutcome(next);

  if (approval.status !== 'pending' && !outcome) {
    return null;
  }
  const blocked = permission.loading
    ? undefined
    : decisionBlockedReason({
        approval,
        user,
        allowed: permission.allowed,
      });
  const reasonId = `approval-blocked-${approval.id}`;
  // Blocked for this user: still focusable, the reason as its description.
  const decisionButtonProps = blocked
    ? {
        'aria-disabled': true,
        'aria-describedby': reasonId,
        disableRipple: true,
        style: { opacity: 0.5, cursor: 'not-allowed' },
      }
    : { disabled: permission.loading || approval.status !== 'pending' };
  const what = describeApprovalChange(approval);

  const confirm = async () => {
    if (!decision) return;
    setBusy(true);
    try {
      const decided =
        decision === 'approve'
          ? await api.approve(approval.id, comment)
          : await api.reject(approval.id, comment);
      setOutcome(describeDecision(decided));
      onDecided?.(decided);
    } catch (error) {
      setOutcome({
        severity: 'error',
        message: `Could not ${decision} ${what}: ${errorMessage(error)}`,
      });
      // A conflict means someone else decided: show what the request is now.
      onDecided?.();
    } finally {
      setBusy(false);
      setDecision(undefined);
      setComment('');
    }
  };

  return (
    <Box data-testid={`approval-decision-${approval.id}`}>
      {approval.status === 'pending' && (
        <Box display="flex" alignItems="center" style={{ gap: 8 }}>
          <Button
            color="primary"
            variant="contained"
            size="small"
            {...decisionButtonProps}
            onClick={blocked ? undefined : () => setDecision('approve')}
          >
            Approve
          </Button>
          <Button
            variant="outlined"
            size="small"
            {...decisionButtonProps}
            onClick={blocked ? undefined : () => setDecision('reject')}
          >
            Reject
          </Button>
          {blocked && (
            <Typography variant="body2" id={reasonId}>
              {blocked}
            </Typography>
          )}
        </Box>
      )}
      {outcome && (
        <DismissibleAlert
          mt={1}
          severity={outcome.severity}
          onClose={() => setOutcome(undefined)}
        >
          {outcome.message}
        </DismissibleAlert>
      )}
      <ConfirmActionDialog
        open={Boolean(decision)}
        busy={busy}
        destructive={decision === 'reject'}
        title={`${decision === 'approve' ? 'Approve' : 'Reject'} ${what}?`}
        confirmLabel={decision === 'approve' ? 'Approve' : 'Reject'}
        onConfirm={confirm}
        onCancel={() => setDecision(undefined)}
      >
        <Typography gutterBottom>
          {decision === 'approve'
            ? `Requested by ${shortRef(
                approval.requester,
              )}. Approving applies the change at once, as their change, with you recorded as the approver.`
            : `Requested by ${shortRef(
                approval.requester,
              )}. Rejecting ends the request; nothing is applied and the requester is notified.`}
        </Typography>
        <TextField
          id="approval-comment"
          label="Comment (optional)"
          value={comment}
          onChange={e => setComment(e.target.value)}
          multiline
          minRows={2}
          fullWidth
        />
      </ConfirmActionDialog>
    </Box>
  );
}
