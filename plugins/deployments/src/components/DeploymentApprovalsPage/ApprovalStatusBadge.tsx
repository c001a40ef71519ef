import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusRunning,
  StatusWarning,
} from '@backstage/core-components';
import { ApprovalRequest } from '@deployments-portal/backstage-plugin-deployments-common';

/** pending / approved (applying, applied or failed) / rejected / stale / expired. */
export function ApprovalStatusBadge(props: { approval: ApprovalRequest }) {
  const { status, result } = props.approval;
  switch (status) {
    case 'pending':
      return <StatusPending>pending</StatusPending>;
    case 'approved':
      if (result === 'failed') {
        return <StatusError>approved, apply failed</StatusError>;
      }
      return result === 'applied' ? (
        <StatusOK>approved</StatusOK>
      ) : (
        <StatusRunning>approved, applying</StatusRunning>
      );
    case 'rejected':
      return <StatusWarning>rejected</StatusWarning>;
    case 'stale':
      return <StatusWarning>stale</StatusWarning>;
    default:
      return <StatusAborted>{status}</StatusAborted>;
  }
}
