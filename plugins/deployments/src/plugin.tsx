import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import { RiRocketLine, RiShieldCheckLine } from '@remixicon/react';
import { deploymentsApiRef, DeploymentsClient } from './api';
import { deployableEntityPredicate } from './lib/deployable';
import {
  approvalsRouteRef,
  rootRouteRef,
  scaffolderTaskRouteRef,
  scaffolderTemplateRouteRef,
  techdocsRouteRef,
} from './routes';

/** @public */
export const deploymentsApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
});

/** The deployments dashboard at /deployments. @public */
export const deploymentsPage = PageBlueprint.make({
  params: {
    path: '/deployments',
    title: 'Deployments',
    icon: <RiRocketLine />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/DeploymentsDashboardPage').then(m => (
        <m.DeploymentsDashboardPage />
      )),
  },
});

/**
 * The Approvals page at /deployments/approvals (and a request's own page at
 * /deployments/approvals/<id>). A page of its own rather than a sub-route of
 * the dashboard: the app routes the longer path to it. No title or icon, so
 * it adds no nav item; the dashboard links to it.
 *
 * @public
 */
export const deploymentApprovalsPage = PageBlueprint.make({
  name: 'approvals',
  params: {
    path: '/deployments/approvals',
    // Its own nav item, for approvers; without a title it would repeat
    // the plugin's ("Deployments").
    title: 'Approvals',
    icon: <RiShieldCheckLine />,
    routeRef: convertLegacyRouteRef(approvalsRouteRef),
    loader: () =>
      import('./components/DeploymentApprovalsPage').then(m => (
        <m.DeploymentApprovalsPage />
      )),
  },
});

/** The Deployments tab of deployable Components. @public */
export const entityDeploymentsContent = EntityContentBlueprint.make({
  name: 'deployments',
  params: {
    path: '/deployments',
    title: 'Deployments',
    filter: deployableEntityPredicate,
    loader: () =>
      import('./components/EntityDeploymentsContent').then(m => (
        <m.EntityDeploymentsContent />
      )),
  },
});

/** The Service Health tab of deployable Components. @public */
export const entityServiceHealthContent = EntityContentBlueprint.make({
  name: 'service-health',
  params: {
    path: '/service-health',
    title: 'Service Health',
    filter: deployableEntityPredicate,
    loader: () =>
      import('./components/EntityServiceHealthContent').then(m => (
        <m.EntityServiceHealthContent />
      )),
  },
});

/** The Service Health card of the entity overview page. @public */
export const entityServiceHealthCard = EntityCardBlueprint.make({
  name: 'service-health',
  params: {
    filter: deployableEntityPredicate,
    loader: () =>
      import('./components/EntityServiceHealthCard').then(m => (
        <m.EntityServiceHealthCard />
      )),
  },
});

/** The Delivery insights card of the entity overview page. @public */
export const entityDeliveryInsightsCard = EntityCardBlueprint.make({
  name: 'delivery-insights',
  params: {
    filter: deployableEntityPredicate,
    loader: () =>
      import('./components/DeliveryInsights').then(m => (
        <m.EntityDeliveryInsightsCard />
      )),
  },
});

/** The Readiness card of the entity overview page. @public */
export const entityReadinessCard = EntityCardBlueprint.make({
  name: 'readiness',
  params: {
    filter: deployableEntityPredicate,
    loader: () =>
      import('./components/EntityReadinessCard').then(m => (
        <m.EntityReadinessCard />
      )),
  },
});

/** Scaffolder field `EnvironmentPicker`. */
const environmentPickerFormField = FormFieldBlueprint.make({
  name: 'environment-picker',
  params: {
    field: () => import('./fields').then(m => m.EnvironmentPickerFormField),
  },
});

/** Scaffolder field `DeploymentPolicyPreview`. */
const policyPreviewFormField = FormFieldBlueprint.make({
  name: 'policy-preview',
  params: {
    field: () => import('./fields').then(m => m.PolicyPreviewFormField),
  },
});

/**
 * The deployments frontend plugin (new frontend system).
 *
 * @public
 */
export const deploymentsPlugin = createFrontendPlugin({
  pluginId: 'deployments',
  title: 'Deployments',
  icon: <RiRocketLine />,
  info: { packageJson: () => import('../package.json') },
  extensions: [
    deploymentsApi,
    deploymentsPage,
    deploymentApprovalsPage,
    entityDeploymentsContent,
    entityServiceHealthContent,
    entityServiceHealthCard,
    entityDeliveryInsightsCard,
    entityReadinessCard,
    environmentPickerFormField,
    policyPreviewFormField,
  ],
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    approvals: convertLegacyRouteRef(approvalsRouteRef),
  },
  externalRoutes: {
    scaffolderTemplate: convertLegacyRouteRef(scaffolderTemplateRouteRef),
    scaffolderTask: convertLegacyRouteRef(scaffolderTaskRouteRef),
    techdocs: convertLegacyRouteRef(techdocsRouteRef),
  },
});
