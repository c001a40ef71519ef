import Box from '@material-ui/core/Box';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_IMAGE,
  isFinalStatus,
} from '@deployments-portal/backstage-plugin-deployments-common';
import { useCallback, useEffect } from 'react';
import Alert from '@material-ui/lab/Alert';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deploymentsApiRef } from '../../api';
import { useDeploymentPermissions } from '../../hooks/useDeploymentPermissions';
import { errorMessage } from '../../lib/format';
import { AuditTrail } from '../AuditTrail';
import { NotificationFailuresAlert } from '../NotificationFailuresAlert';
import { EnvironmentDeploymentsCard } from './EnvironmentDeploymentsCard';
import { ReadinessSection } from './ReadinessSection';

/** How often the tab reads again while a change is queued or runs. */
const REFRESH_WHILE_CHANGING_MS = 2000;

/**
 * The Deployments tab of a deployable Component: one section per
 * environment in the configured order, with what runs there, its history and the
 * actions the signed-in user may take.
 *
 * @public
 */
export function EntityDeploymentsContent() {
  const { entity } = useEntity();
  const entityRef = stringifyEntityRef(entity);
  const api = useApi(deploymentsApiRef);
  const permissions = useDeploymentPermissions(entityRef);
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getEntityDeployments(entityRef),
    [api, entityRef],
  );
  const approvals = useAsyncRetry(
    async () => api.listApprovals({ status: 'pending', entityRef }),
    [api, entityRef],
  );
  const retryApprovals = approvals.retry;
  const refresh = useCallback(() => {
    retry();
    retryApprovals();
  }, [retry, retryApprovals]);
  // While a change is queued or runs (started here, by a template or by
  // someone else), the page follows it.
  const changing = value?.environments.some(environment =>
    environment.deployments.some(d => !isFinalStatus(d.record.status)),
  );
  useEffect(() => {
    if (!changing) return undefined;
    const timer = setInterval(retry, REFRESH_WHILE_CHANGING_MS);
    return () => clearInterval(timer);
  }, [changing, retry]);

  // Keep showing the last answer while a refresh after an action runs.
  if (error && !value) {
    return <ResponseErrorPanel error={error} />;
  }
  if (!value) {
    return loading ? <Progress /> : null;
  }
  if (value.environments.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No environments"
        description="The deployments backend has no environments configured (deployments.environments in app-config)."
      />
    );
  }

  return (
    // A plain column: Grid's negative margins reach past a narrow window.
    <Box display="flex" flexDirection="column" style={{ gap: 24 }}>
      {error && (
        <Box>
          <ResponseErrorPanel error={error} title="Refresh failed" />
        </Box>
      )}
      {approvals.error && (
        <Box>
          <Alert severity="warning">
            Could not read the pending approval requests:{' '}
            {errorMessage(approvals.error)}
          </Alert>
        </Box>
      )}
      <NotificationFailuresAlert entityRef={entityRef} />
      <ReadinessSection entityRef={entityRef} />
      {value.environments.map(environment => (
        <Box key={environment.environment} minWidth={0}>
          <EnvironmentDeploymentsCard
            entityRef={entityRef}
            imageRepository={entity.metadata.annotations?.[ANNOTATION_IMAGE]}
            environment={environment}
            permissions={permissions}
            onChanged={refresh}
            pendingApprovals={approvals.value?.filter(
              a => a.environment === environment.environment,
            )}
          />
        </Box>
      ))}
      <Box>
        <AuditTrail filter={{ entityRef }} />
      </Box>
    </Box>
  );
}
