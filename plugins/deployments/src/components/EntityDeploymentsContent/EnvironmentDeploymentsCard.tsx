import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { InfoCard, Link } from '@backstage/core-components';
import {
  ApprovalRequest,
  EnvironmentDeployments,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { DeploymentPermissions } from '../../hooks/useDeploymentPermissions';
import {
  DEPLOY_TEMPLATE,
  PROMOTE_TEMPLATE,
  useTemplateLink,
} from '../../hooks/useTemplateLink';
import { unreachable } from '../../lib/format';
import { RelativeTime, StatusChip } from '../shared';
import { DeploymentActionDialog } from './DeploymentActionDialog';
import { DeploymentPanel } from './DeploymentPanel';
import { PendingApprovals } from './PendingApprovals';
import { PermissionedButton } from './PermissionedButton';
import { useDeploymentAction } from './useDeploymentAction';

/** One environment of the Deployments tab. */
export function EnvironmentDeploymentsCard(props: {
  entityRef: string;
  /** The entity's `deployments/image` repository, to pre-fill the form. */
  imageRepository?: string;
  environment: EnvironmentDeployments;
  permissions: DeploymentPermissions;
  onChanged: () => void;
  /** Requests for this environment that wait for a decision. */
  pendingApprovals?: ApprovalRequest[];
}) {
  const { entityRef, imageRepository, environment, permissions, onChanged } =
    props;
  const templateLink = useTemplateLink();
  const action = useDeploymentAction(onChanged);
  const name = environment.environment;
  const next = environment.next;
  // Something to promote: a deployment that runs (live, or last known good).
  const running = environment.deployments.filter(
    d =>
      d.record.action !== 'delete' &&
      (d.live.exists || d.record.status === 'succeeded'),
  );

  // Deploying and promoting both run a template that creates a deployment.
  const createButton = (
    variant: 'contained' | 'outlined',
    to: string,
    label: string,
  ) => (
    <PermissionedButton
      color="primary"
      variant={variant}
      size="small"
      allowance={permissions.create}
      deniedReason="You are not allowed to create deployments"
      to={to}
    >
      {label}
    </PermissionedButton>
  );

  const buttons = (
    <Box display="flex" style={{ gap: 8 }}>
      {createButton(
        'contained',
        templateLink(DEPLOY_TEMPLATE, {
          application: entityRef,
          environment: name,
          ...(imageRepository ? { repository: imageRepository } : {}),
        }),
        `Deploy to ${name}`,
      )}
      {next &&
        running.length > 0 &&
        createButton(
          'outlined',
          templateLink(PROMOTE_TEMPLATE, {
            application: entityRef,
            from: name,
          }),
          `Promote to ${next}`,
        )}
    </Box>
  );

  return (
    <InfoCard
      // Headings in order: the entity (h1), environments (h2), deployments (h3).
      titleTypographyProps={{ component: 'h2' }}
      title={
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <span>{name}</span>
          {environment.health && (
            <Typography
              component="span"
              variant="body2"
              data-testid={`environment-health-${name}`}
            >
              <StatusChip kind="health" status={environment.health.state} />{' '}
              <RelativeTime prefix="since" value={environment.health.since} />
            </Typography>
          )}
        </Box>
      }
      subheader={`cluster ${environment.cluster} · namespace ${
        environment.namespace
      }${environment.requiresApproval ? ' · approval required' : ''}`}
      action={buttons}
    >
      <div data-testid={`environment-${name}`}>
        {action.outcome && (
          <Box mb={2}>
            <Alert
              severity={action.outcome.severity}
              onClose={action.dismissOutcome}
            >
              {action.outcome.message}
              {action.outcome.link && (
                <>
                  {' '}
                  <Link to={action.outcome.link.to}>
                    {action.outcome.link.label}
                  </Link>
                </>
              )}
            </Alert>
          </Box>
        )}
        <PendingApprovals
          approvals={props.pendingApprovals ?? []}
          onDecided={onChanged}
        />
        {environment.error && (
          <Box mb={2}>
            <Alert severity="warning">{unreachable(environment.error)}</Alert>
          </Box>
        )}
        {environment.deployments.length === 0 ? (
          <Typography color="textSecondary">
            Not deployed to {name} yet.
          </Typography>
        ) : (
          environment.deployments.map(details => (
            <DeploymentPanel
              key={details.record.name}
              details={details}
              permissions={permissions}
              onRequest={action.request}
              onCancelChange={action.cancelChange}
            />
          ))
        )}
        <DeploymentActionDialog
          action={action.requested}
          busy={action.busy}
          onConfirm={action.confirm}
          onCancel={action.cancel}
        />
      </div>
    </InfoCard>
  );
}
