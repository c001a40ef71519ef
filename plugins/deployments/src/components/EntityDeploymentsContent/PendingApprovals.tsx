import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { Link } from '@backstage/core-components';
import { ApprovalRequest } from '@deployments-portal/backstage-plugin-deployments-common';
import { usePortalLinks } from '../../hooks/usePortalLinks';
import { shortRef } from '../../lib/format';
import { approvalActionLabel } from '../../lib/governance';
import { RelativeTime, VersionChange } from '../shared';
import { ApprovalDecision, ApprovalDecisionOutcome } from '../ApprovalDecision';
import { DismissibleAlert } from '../DismissibleAlert';

/** The requests of one environment that wait for a decision. */
export function PendingApprovals(props: {
  approvals: ApprovalRequest[];
  onDecided: () => void;
}) {
  const { approvals, onDecided } = props;
  // Kept here: a decided request leaves the list, its outcome stays.
  const [outcome, setOutcome] = useState<ApprovalDecisionOutcome>();
  const links = usePortalLinks();
  if (approvals.length === 0 && !outcome) {
    return null;
  }
  return (
    <Box mb={2}>
      {outcome && (
        <DismissibleAlert
          mb={1}
          severity={outcome.severity}
          onClose={() => setOutcome(undefined)}
        >
          {outcome.message}
        </DismissibleAlert>
      )}
      {approvals.map(approval => (
        <Box mb={1} key={approval.id}>
          <Alert
            severity="info"
            data-testid={`pending-approval-${approval.id}`}
          >
            <Typography variant="body2" component="div" gutterBottom>
              <strong>Waiting for approval:</strong>{' '}
              {approvalActionLabel(approval.action)} {approval.name}, requested
              by {shortRef(approval.requester)}{' '}
              <RelativeTime value={approval.createdAt} />,{' '}
              <RelativeTime prefix="expires" value={approval.expiresAt} />.{' '}
              {/* Underlined: in running text a link needs more than its colour. */}
              <Link to={links.approval(approval.id)} underline="always">
                View the request
              </Link>
            </Typography>
            <Typography variant="body2" component="div" gutterBottom>
              <VersionChange {...approval} />
            </Typography>
            <ApprovalDecision
              approval={approval}
              onDecided={onDecided}
              onOutcome={setOutcome}
            />
          </Alert>
        </Box>
      ))}
    </Box>
  );
}
