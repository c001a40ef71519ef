import {
  StatusAborted,
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import { ApprovalRequest } from '@internal/backstage-plugin-deployments-common';

/** pending / approved (applied or failed) / rejected / expired. */
export function ApprovalStatusBadge(props: { approval: ApprovalRequest }) {
  const { status, result } = props.approval;
  switch (status) {
    case 'pending':
      return <StatusPending>pending</StatusPending>;
    case 'approved':
      return result === 'failed' ? (
        <StatusError>approved, apply failed</StatusError>
      ) : (
        <StatusOK>approved</StatusOK>
      );
    case 'rejected':
      return <StatusWarning>rejected</StatusWarning>;
    default:
      return <StatusAborted>{status}</StatusAborted>;
  }
}
