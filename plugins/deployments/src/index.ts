/**
 * Self-service deployments for Backstage: pages, entity tabs and cards.
 *
 * The default export is the plugin for the new frontend system; the named
 * exports `legacyDeploymentsPlugin`, `EntityDeploymentsContent`,
 * `EntityServiceHealthContent`, `EntityServiceHealthCard`,
 * `EntityDeliveryInsightsCard`, `EntityReadinessCard`,
 * `DeploymentsDashboardPage` and `DeploymentApprovalsPage` are for apps on the legacy frontend system.
 *
 * @packageDocumentation
 */

export { deploymentsPlugin as default } from './plugin';
export * from './api';
export {
  legacyDeploymentsPlugin,
  EntityDeploymentsContent,
  EntityServiceHealthContent,
  EntityServiceHealthCard,
  EntityDeliveryInsightsCard,
  EntityReadinessCard,
  DeploymentsDashboardPage,
  DeploymentApprovalsPage,
  EnvironmentPickerFieldExtension,
  DeploymentPolicyPreviewFieldExtension,
} from './legacy';
export { isDeployableEntity } from './lib/deployable';
export type { EntityServiceHealthContentProps } from './components/EntityServiceHealthContent';
export type { EntityServiceHealthCardProps } from './components/EntityServiceHealthCard';
