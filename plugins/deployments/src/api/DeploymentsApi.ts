import { createApiRef } from '@backstage/frontend-plugin-api';
import { EnvironmentSummary } from '@internal/backstage-plugin-deployments-common';

/**
 * The deployments backend, as the frontend sees it.
 *
 * @public
 */
export interface DeploymentsApi {
  listEnvironments(): Promise<EnvironmentSummary[]>;
}

/** @public */
export const deploymentsApiRef = createApiRef<DeploymentsApi>({
  id: 'plugin.deployments.api',
});
