import { ReactNode, useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import {
  DeploymentAction,
  DeploymentDetails,
  DeploymentKey,
  DeploymentRecord,
  isFinalStatus,
} from '@deployments-portal/backstage-plugin-deployments-common';
import {
  Allowance,
  DeploymentPermissions,
} from '../../hooks/useDeploymentPermissions';
import { shortRef, unreachable } from '../../lib/format';
import { ImageReference, RelativeTime, StatusChip } from '../shared';
import {
  ChangeReference,
  DeploymentHistoryTable,
} from './DeploymentHistoryTable';
import { DriftAlert } from './DriftAlert';
import { PermissionedButton } from './PermissionedButton';
import { RequestedAction } from './useDeploymentAction';

/** One fact of a deployment; `wide` for the version, `narrow` for a time. */
function Fact(props: {
  label: string;
  children: ReactNode;
  width?: 'wide' | 'narrow';
}) {
  const wide = props.width === 'wide';
  let lg: 1 | 2 | 3 = 2;
  if (wide) lg = 3;
  else if (props.width === 'narrow') lg = 1;
  return (
    <Grid
      item
      xs={wide ? 12 : 6}
      sm={wide ? 8 : 4}
      lg={lg}
      style={{ minWidth: 0 }}
    >
      <Typography variant="caption" color="textSecondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="body2" component="div">
        {props.children}
      </Typography>
    </Grid>
  );
}

function replicasText({ record, live }: DeploymentDetails): string {
  if (live.error) {
    return unreachable(live.error);
  }
  if (!live.exists) {
    return 'not running: no Deployment in the cluster';
  }
  const desired = live.replicas ?? record.request.replicas;
  return `${live.readyReplicas ?? 0}/${desired} ready`;
}

/** Kubernetes' own words on the rollout: conditions that hold, and why not. */
function conditionsText({ live }: DeploymentDetails): string | undefined {
  const conditions = live.conditions ?? [];
  if (conditions.length === 0) {
    return undefined;
  }
  return conditions
    .map(c =>
      c.status === 'True'
        ? `${c.type}${c.reason ? ` (${c.reason})` : ''}`
        : `not ${c.type}${c.message ? `: ${c.message}` : ''}`,
    )
    .join(' · ');
}

/** Who may cancel a queued change: whoever may make that kind of change. */
function cancelAllowance(
  action: DeploymentAction,
  permissions: DeploymentPermissions,
): Allowance {
  switch (action) {
    case 'deploy':
      return permissions.create;
    case 'update':
      return permissions.scale;
    default:
      return permissions[action];
  }
}

/** A change that has not ended: where it is, and a way to withdraw it while queued. */
function ChangeInProgress(props: {
  record: DeploymentRecord;
  permissions: DeploymentPermissions;
  onCancel: (record: DeploymentRecord) => void;
}) {
  const { record } = props;
  const last = record.statusHistory[record.statusHistory.length - 1];
  return (
    <Box mt={1}>
      <Alert
        severity="info"
        action={
          record.status === 'queued' ? (
            <PermissionedButton
              size="small"
              variant="outlined"
              allowance={cancelAllowance(record.action, props.permissions)}
              deniedReason="You are not allowed to make this change, so you cannot cancel it"
              onClick={() => props.onCancel(record)}
            >
              Cancel
            </PermissionedButton>
          ) : undefined
        }
      >
        {record.status === 'queued'
          ? `Revision ${record.revision} (${record.action}) is queued: it runs once the changes before it have ended.`
          : `Revision ${record.revision} (${record.action}) is ${
              record.status
            }${last?.reason ? `: ${last.reason}` : ''}.`}
      </Alert>
    </Box>
  );
}

/** One deployment in one environment: what runs, actions, history. */
export function DeploymentPanel(props: {
  details: DeploymentDetails;
  permissions: DeploymentPermissions;
  onRequest: (action: RequestedAction) => void;
  onCancelChange: (record: DeploymentRecord) => void;
}) {
  const { details, permissions, onRequest, onCancelChange } = props;
  const { record, live } = details;
  const key: DeploymentKey = {
    environment: record.environment,
    namespace: record.namespace,
    name: record.name,
  };
  const deleted = record.action === 'delete' && record.status === 'succeeded';
  const [historyOpen, setHistoryOpen] = useState(false);
  const historyId = `history-${record.environment}-${record.name}`;
  const conditions = conditionsText(details);

  return (
    <Box
      mb={2}
      minWidth={0}
      data-testid={`deployment-${record.environment}-${record.name}`}
    >
      <Typography variant="h6" component="h3" gutterBottom>
        {record.name}
      </Typography>
      <Grid container spacing={2}>
        <Fact label="Version" width="wide">
          <ImageReference image={record.image} digest={record.digest} />
        </Fact>
        <Fact label="Replicas">
          {deleted ? 'deleted' : replicasText(details)}
        </Fact>
        <Fact label="Rollout">
          <StatusChip kind="change" status={record.status} />
          {conditions && !live.error && (
            <Typography variant="caption" component="div">
              {conditions}
            </Typography>
          )}
        </Fact>
        <Fact label="Deployed by">
          <span title={record.requester}>{shortRef(record.requester)}</span>
          {` (${record.action}${
            record.rollbackToRevision !== undefined
              ? ` to revision ${record.rollbackToRevision}`
              : ''
          }, revision ${record.revision})`}
        </Fact>
        <Fact label="When" width="narrow">
          <RelativeTime value={record.createdAt} />
        </Fact>
        <Fact label="Change reference">
          {record.changeReference ? (
            <ChangeReference value={record.changeReference} />
          ) : (
            'none'
          )}
        </Fact>
      </Grid>
      {!isFinalStatus(record.status) && (
        <ChangeInProgress
          record={record}
          permissions={permissions}
          onCancel={onCancelChange}
        />
      )}
      {details.drift && (
        <DriftAlert
          drift={details.drift}
          reapply={permissions.rollback}
          onReapply={() =>
            onRequest({
              kind: 'rollback',
              key,
              revision: details.drift!.revision,
              reapply: true,
            })
          }
        />
      )}
      {record.error && (
        <Box mt={1}>
          <Alert severity={record.status === 'failed' ? 'error' : 'warning'}>
            {record.error}
            {record.recovery && (
              <Typography variant="caption" component="div">
                Detected {record.recovery.detectSeconds}s after the apply
                {record.recovery.restoreSeconds !== undefined
                  ? `; the previous revision was ready ${record.recovery.restoreSeconds}s later`
                  : '; the previous revision did not become ready'}
                .
              </Typography>
            )}
          </Alert>
        </Box>
      )}
      <Box mt={1} display="flex" style={{ gap: 8 }} flexWrap="wrap">
        {!deleted && (
          <>
            <PermissionedButton
              variant="outlined"
              allowance={permissions.restart}
              deniedReason="You are not allowed to restart deployments"
              onClick={() => onRequest({ kind: 'restart', key })}
            >
              Restart
            </PermissionedButton>
            <PermissionedButton
              variant="outlined"
              allowance={permissions.scale}
              deniedReason="You are not allowed to change deployments"
              onClick={() =>
                onRequest({
                  kind: 'scale',
                  key,
                  currentReplicas: live.replicas ?? record.request.replicas,
                })
              }
            >
              Scale
            </PermissionedButton>
            <PermissionedButton
              variant="outlined"
              allowance={permissions.rollback}
              deniedReason="You are not allowed to roll back deployments"
              onClick={() => onRequest({ kind: 'rollback', key })}
            >
              Roll back
            </PermissionedButton>
            <PermissionedButton
              variant="outlined"
              color="secondary"
              allowance={permissions.delete}
              deniedReason="You are not allowed to delete deployments"
              onClick={() => onRequest({ kind: 'delete', key })}
            >
              Delete
            </PermissionedButton>
          </>
        )}
        <Box flexGrow={1} />
        <Button
          variant="text"
          size="small"
          aria-expanded={historyOpen}
          aria-controls={historyId}
          startIcon={historyOpen ? <ExpandLessIcon /> : <ExpandMoreIcon />}
          onClick={() => setHistoryOpen(open => !open)}
        >
          History ({record.revision} revision{record.revision === 1 ? '' : 's'})
        </Button>
      </Box>
      {historyOpen && (
        <Box mt={2} id={historyId}>
          <DeploymentHistoryTable
            deploymentKey={key}
            latestRevision={record.revision}
            version={`${record.id}/${record.status}`}
            rollback={permissions.rollback}
            onRollback={target =>
              onRequest({
                kind: 'rollback',
                key,
                revision: target.revision,
                image: target.image,
              })
            }
          />
        </Box>
      )}
    </Box>
  );
}
