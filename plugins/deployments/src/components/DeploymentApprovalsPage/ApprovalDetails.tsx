import { useEffect } from 'react';
import Grid from '@material-ui/core/Grid';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
  StructuredMetadataTable,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { ApprovalRequest } from '@deployments-portal/backstage-plugin-deployments-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deploymentsApiRef } from '../../api';
import { NO_VALUE, shortRef } from '../../lib/format';
import { approvalActionLabel } from '../../lib/governance';
import { PortalLinks, usePortalLinks } from '../../hooks/usePortalLinks';
import { ApprovalDecision } from '../ApprovalDecision';
import { CostChangeText } from '../CostEstimate';
import { RelativeTime, StatusChip, VersionChange } from '../shared';
import { ChangeReferenceLink } from '../ChangeReferenceLink';

function metadata(approval: ApprovalRequest, links: PortalLinks) {
  const decided = approval.decidedBy ? (
    <>
      {shortRef(approval.decidedBy)} <RelativeTime value={approval.decidedAt} />
    </>
  ) : (
    NO_VALUE
  );
  return {
    application: <EntityRefLink entityRef={approval.entityRef} />,
    owner: <EntityRefLink entityRef={approval.owner} defaultKind="group" />,
    environment: `${approval.environment} (namespace ${approval.namespace})`,
    action: approvalActionLabel(approval.action),
    version: <VersionChange {...approval} />,
    ...(approval.cost
      ? { 'monthly cost': <CostChangeText change={approval.cost} /> }
      : {}),
    ...(approval.rollbackToRevision === undefined
      ? {}
      : { 'rollback to revision': approval.rollbackToRevision }),
    requester: shortRef(approval.requester),
    requested: <RelativeTime value={approval.createdAt} />,
    expires: <RelativeTime value={approval.expiresAt} />,
    'change reference': (
      <ChangeReferenceLink
        value={approval.changeReference}
        fallback={NO_VALUE}
      />
    ),
    'scaffolder task': approval.taskId ? (
      <Link to={links.task(approval.taskId)}>{approval.taskId}</Link>
    ) : (
      NO_VALUE
    ),
    status: (
      <StatusChip
        kind="approval"
        status={approval.status}
        result={approval.result}
      />
    ),
    decided,
    comment: approval.comment ?? NO_VALUE,
    ...(approval.changeId ? { change: approval.changeId } : {}),
    ...(approval.revision === undefined ? {} : { revision: approval.revision }),
    ...(approval.error ? { error: approval.error } : {}),
  };
}

/** One approval request with Approve / Reject: /deployments/approvals/<id>. */
export function ApprovalDetails(props: { id: string }) {
  const api = useApi(deploymentsApiRef);
  const links = usePortalLinks();
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getApproval(props.id),
    [api, props.id],
  );
  // Approved, its change still running: read again until it has a result.
  const applying = value?.status === 'approved' && !value.result;
  useEffect(() => {
    if (!applying) return undefined;
    const timer = setInterval(retry, 2000);
    return () => clearInterval(timer);
  }, [applying, retry]);

  if (error && !value) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value) {
    return loading ? <Progress /> : null;
  }
  return (
    <Grid container spacing={3} direction="column">
      <Grid item>
        <Link to={links.approvals}>← All approval requests</Link>
      </Grid>
      <Grid item>
        <InfoCard
          titleTypographyProps={{ component: 'h2' }}
          title={`${approvalActionLabel(value.action)} ${value.name} in ${
            value.environment
          }`}
          subheader={`Request ${value.id}`}
        >
          <div data-testid="approval-details">
            <StructuredMetadataTable metadata={metadata(value, links)} />
          </div>
          <div style={{ marginTop: 16 }}>
            <ApprovalDecision approval={value} onDecided={retry} />
          </div>
        </InfoCard>
      </Grid>
    </Grid>
  );
}
