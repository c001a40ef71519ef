import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  DeploymentDrift,
  DriftedField,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { Allowance } from '../../hooks/useDeploymentPermissions';
import { formatDateTime } from '../../lib/format';
import { RelativeTime } from '../shared';
import { PermissionedButton } from './PermissionedButton';

/** Fields listed before "and N more". */
const SHOWN = 5;

function changeText(field: DriftedField): string {
  if (field.change === 'removed') return field.path ? 'removed' : 'deleted';
  const values =
    field.applied !== undefined && field.live !== undefined
      ? ` from ${field.applied} to ${field.live}`
      : '';
  return `changed${values}`;
}

function fieldText(field: DriftedField): string {
  const where = field.path ? `${field.object} ${field.path}` : field.object;
  const by = field.manager ? ` by ${field.manager}` : '';
  const at = field.changedAt ? ` (${formatDateTime(field.changedAt)})` : '';
  return `${where} ${changeText(field)}${by}${at}`;
}

/**
 * What the drift check found changed in the cluster since the portal
 * applied the running revision, and a way to put it back.
 */
export function DriftAlert(props: {
  drift: DeploymentDrift;
  reapply: Allowance;
  onReapply: () => void;
}) {
  const { drift } = props;
  const more = drift.fields.length - SHOWN + drift.moreFields;
  return (
    <Box mt={1} data-testid="deployment-drift">
      <Alert
        severity="warning"
        action={
          <PermissionedButton
            size="small"
            variant="outlined"
            allowance={props.reapply}
            deniedReason="You are not allowed to roll back deployments, so you cannot re-apply one"
            onClick={props.onReapply}
          >
            Re-apply
          </PermissionedButton>
        }
      >
        <AlertTitle>Changed outside the portal</AlertTitle>
        <Typography variant="body2" component="div">
          <RelativeTime prefix="Since" value={drift.detectedAt} /> the cluster
          no longer matches revision {drift.revision} (last checked{' '}
          <RelativeTime value={drift.checkedAt} />
          ):
        </Typography>
        <ul style={{ margin: '4px 0 0', paddingLeft: 20 }}>
          {drift.fields.slice(0, SHOWN).map(field => (
            <li key={`${field.object} ${field.path ?? ''}`}>
              <Typography variant="body2" component="span">
                {fieldText(field)}
              </Typography>
            </li>
          ))}
        </ul>
        {more > 0 && (
          <Typography variant="caption" component="div">
            and {more} more
          </Typography>
        )}
      </Alert>
    </Box>
  );
}
