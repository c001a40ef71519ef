import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { createScaffolderFieldExtension } from '@backstage/plugin-scaffolder-react';
import { deploymentsApiRef, DeploymentsClient } from './api';
import {
  approvalsRouteRef,
  entityDeploymentsRouteRef,
  entityServiceHealthRouteRef,
  rootRouteRef,
  scaffolderTaskRouteRef,
  scaffolderTemplateRouteRef,
  techdocsRouteRef,
} from './routes';
import { EnvironmentPickerField } from './components/EnvironmentPickerField';
import {
  PolicyPreviewField,
  policyPreviewValidation,
} from './components/PolicyPreviewField';

// The legacy frontend system (createApp from @backstage/app-defaults,
// App.tsx routes and EntityPage.tsx). See the README for the wiring.

/**
 * The deployments plugin for apps on the legacy frontend system.
 *
 * @public
 */
export const legacyDeploymentsPlugin = createPlugin({
  id: 'deployments',
  apis: [
    createApiFactory({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
    approvals: approvalsRouteRef,
    entityDeployments: entityDeploymentsRouteRef,
    entityServiceHealth: entityServiceHealthRouteRef,
  },
  externalRoutes: {
    scaffolderTemplate: scaffolderTemplateRouteRef,
    scaffolderTask: scaffolderTaskRouteRef,
    techdocs: techdocsRouteRef,
  },
});

/**
 * The Deployments tab: `<EntityLayout.Route path="/deployments" title="Deployments">`.
 *
 * @public
 */
export const EntityDeploymentsContent = legacyDeploymentsPlugin.provide(
  createRoutableExtension({
    name: 'EntityDeploymentsContent',
    component: () =>
      import('./components/EntityDeploymentsContent').then(
        m => m.EntityDeploymentsContent,
      ),
    mountPoint: entityDeploymentsRouteRef,
  }),
);

/**
 * The Service Health tab: `<EntityLayout.Route path="/service-health" title="Service Health">`.
 *
 * @public
 */
export const EntityServiceHealthContent = legacyDeploymentsPlugin.provide(
  createRoutableExtension({
    name: 'EntityServiceHealthContent',
    component: () =>
      import('./components/EntityServiceHealthContent').then(
        m => m.EntityServiceHealthContent,
      ),
    mountPoint: entityServiceHealthRouteRef,
  }),
);

/**
 * The Service Health card for the entity overview page.
 *
 * @public
 */
export const EntityServiceHealthCard = legacyDeploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityServiceHealthCard',
    component: {
      lazy: () =>
        import('./components/EntityServiceHealthCard').then(
          m => m.EntityServiceHealthCard,
        ),
    },
  }),
);

/**
 * The Delivery insights card (DORA figures and trends) for the entity
 * overview page.
 *
 * @public
 */
export const EntityDeliveryInsightsCard = legacyDeploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityDeliveryInsightsCard',
    component: {
      lazy: () =>
        import('./components/DeliveryInsights').then(
          m => m.EntityDeliveryInsightsCard,
        ),
    },
  }),
);

/**
 * The Readiness card (checklist with a score and links to fix each gap) for
 * the entity overview page.
 *
 * @public
 */
export const EntityReadinessCard = legacyDeploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityReadinessCard',
    component: {
      lazy: () =>
        import('./components/EntityReadinessCard').then(
          m => m.EntityReadinessCard,
        ),
    },
  }),
);

/**
 * The deployments dashboard: `<Route path="/deployments" element={<DeploymentsDashboardPage />} />`.
 *
 * @public
 */
export const DeploymentsDashboardPage = legacyDeploymentsPlugin.provide(
  createRoutableExtension({
    name: 'DeploymentsDashboardPage',
    component: () =>
      import('./components/DeploymentsDashboardPage').then(
        m => m.DeploymentsDashboardPage,
      ),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The Approvals page, at the path the backend's links point to:
 * `<Route path="/deployments/approvals" element={<DeploymentApprovalsPage />} />`
 * (it shows `/deployments/approvals/<id>` too).
 *
 * @public
 */
export const DeploymentApprovalsPage = legacyDeploymentsPlugin.provide(
  createRoutableExtension({
    name: 'DeploymentApprovalsPage',
    component: () =>
      import('./components/DeploymentApprovalsPage').then(
        m => m.DeploymentApprovalsPage,
      ),
    mountPoint: approvalsRouteRef,
  }),
);

/**
 * The `EnvironmentPicker` scaffolder field for the legacy frontend system:
 * inside `<ScaffolderFieldExtensions>` of the scaffolder route in `App.tsx`.
 *
 * @public
 */
export const EnvironmentPickerFieldExtension = legacyDeploymentsPlugin.provide(
  createScaffolderFieldExtension({
    name: 'EnvironmentPicker',
    component: EnvironmentPickerField,
  }),
);

/**
 * The `DeploymentPolicyPreview` scaffolder field for the legacy frontend
 * system: the live policy check of the deploy form; it blocks the step while
 * a policy error stands.
 *
 * @public
 */
export const DeploymentPolicyPreviewFieldExtension =
  legacyDeploymentsPlugin.provide(
    createScaffolderFieldExtension({
      name: 'DeploymentPolicyPreview',
      component: PolicyPreviewField,
      validation: policyPreviewValidation,
    }),
  );
