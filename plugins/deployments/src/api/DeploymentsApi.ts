import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  EnvironmentSummary,
  ValidationResult,
} from '@internal/backstage-plugin-deployments-common';

/**
 * The deployments backend, as the frontend sees it.
 *
 * @public
 */
export interface DeploymentsApi {
  listEnvironments(): Promise<EnvironmentSummary[]>;
  /** Policies, server-side dry run and diff; nothing is applied. */
  validate(request: unknown): Promise<ValidationResult>;
}

/** @public */
export const deploymentsApiRef = createApiRef<DeploymentsApi>({
  id: 'plugin.deployments.api',
});
