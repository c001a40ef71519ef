import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Policy } from '@deployments-portal/backstage-plugin-deployments-common';

/**
 * Lets a backend module add its own deployment policies next to the
 * built-in ones. A policy is one pure function; see docs/docs/policies.md.
 *
 * @example
 * ```ts
 * export default createBackendModule({
 *   pluginId: 'deployments',
 *   moduleId: 'acme-policies',
 *   register(reg) {
 *     reg.registerInit({
 *       deps: { policies: deploymentsPoliciesExtensionPoint },
 *       async init({ policies }) {
 *         policies.addPolicies(requireTeamLabelPolicy);
 *       },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export interface DeploymentsPoliciesExtensionPoint {
  addPolicies(...policies: Policy[]): void;
}

/** @public */
export const deploymentsPoliciesExtensionPoint =
  createExtensionPoint<DeploymentsPoliciesExtensionPoint>({
    id: 'deployments.policies',
  });
